"""Suggested category from a report's text: jieba word segmentation plus each site's keyword rules.

Score = for every category, the keywords (its own list, which a site edits, and its name) that occur
in the text, longer keywords weighing more; ties go to the category listed first. How often it is
right on a labelled set of resident reports: ``bench/classify_accuracy.py``.
"""
from __future__ import annotations

import logging

from jiceng.people.search import to_simplified

_jieba = None


def _segment(text: str) -> list[str]:
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return [w for w in _jieba.lcut(text) if w.strip()]


def _keyword_score(kw: str, text: str, words: set[str], starts: set[str]) -> int:
    """A keyword as a whole word weighs most; inside a longer word a little less. A one-character
    keyword (吵, 臭, 坏) counts only as a word or a word's first character (吵起来, 臭得, 坏了), never
    in the middle of one (the 狗 of 热狗, the 停 of 暂停)."""
    if kw in words:
        return 2 + len(kw)
    if len(kw) >= 2:
        return 1 + len(kw) if kw in text else 0
    return 1 + len(kw) if kw in starts else 0


def score(text: str, keywords, words: set[str]) -> int:
    """A category's score for an already simplified text and its words; a keyword matched inside a
    longer keyword of the same list that also matched (垃圾 inside 垃圾桶) is not counted twice."""
    starts = {w[0] for w in words}
    matched = {kw: s for kw in dict.fromkeys(keywords) if (s := _keyword_score(kw, text, words, starts))}
    return sum(s for kw, s in matched.items() if not any(kw != other and kw in other for other in matched))


def suggest(text: str, categories) -> tuple[object | None, int]:
    """(best category or None, its score)."""
    text = to_simplified(text or "")
    if not text.strip():
        return None, 0
    words = set(_segment(text))
    best, best_score = None, 0
    for cat in categories:
        s = score(text, cat.keyword_list() + [cat.name], words)
        if s > best_score:
            best, best_score = cat, s
    return best, best_score


def evaluate(rows, categories) -> dict:
    """Accuracy of ``suggest`` on labelled rows [(text, category code)]: overall, per category
    (precision, recall, support) and the confusions (true code, suggested code or None) → count."""
    from collections import Counter

    cats = list(categories)
    codes = [c.code for c in cats]
    confusion: Counter = Counter()
    hits = 0
    predicted = Counter()
    actual = Counter()
    right = Counter()
    misses = []
    for text, code in rows:
        best, _score = suggest(text, cats)
        got = best.code if best is not None else None
        actual[code] += 1
        predicted[got] += 1
        if got == code:
            hits += 1
            right[code] += 1
        else:
            confusion[(code, got)] += 1
            misses.append((text, code, got))
    per = {}
    for code in codes:
        per[code] = {"precision": right[code] / predicted[code] if predicted[code] else 0.0,
                     "recall": right[code] / actual[code] if actual[code] else 0.0, "support": actual[code]}
    return {"n": len(rows), "accuracy": hits / len(rows) if rows else 0.0, "per_category": per,
            "confusion": confusion, "misses": misses, "no_suggestion": predicted[None]}
