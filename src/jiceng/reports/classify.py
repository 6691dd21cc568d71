"""Suggested category from a report's text: jieba word segmentation plus each site's keyword rules.

Score = for every category, the keywords (its own list, which a site edits, and its name) that occur
in the text, longer keywords weighing more; ties go to the category listed first.
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


def suggest(text: str, categories) -> tuple[object | None, int]:
    """(best category or None, its score)."""
    text = to_simplified(text or "")
    if not text.strip():
        return None, 0
    words = set(_segment(text))
    best, best_score = None, 0
    for cat in categories:
        score = 0
        for kw in cat.keyword_list() + [cat.name]:
            if kw in words:
                score += 2 + len(kw)
            elif len(kw) >= 2 and kw in text:
                score += 1 + len(kw)
        if score > best_score:
            best, best_score = cat, score
    return best, best_score
