"""Search keys for names: Traditional to Simplified, full pinyin and initials (with surname readings)."""
from __future__ import annotations

import itertools
import re
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin, pinyin

_t2s = opencc.OpenCC("t2s")

# Surnames read differently from the character's common reading.
SURNAME_READINGS = {
    "曾": ["zeng"], "单": ["shan"], "解": ["xie"], "仇": ["qiu"], "区": ["ou"], "朴": ["piao"],
    "查": ["zha"], "盖": ["ge"], "覃": ["qin"], "尉": ["yu"], "乐": ["yue"], "缪": ["miao"],
    "长孙": ["zhangsun"], "尉迟": ["yuchi"], "万俟": ["moqi"], "纪": ["ji"], "燕": ["yan"],
}
MAX_KEYS = 8
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    return _t2s.convert(text or "")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


@lru_cache(maxsize=65536)
def _char_readings(ch: str, *, all_readings: bool) -> tuple[str, ...]:
    if not _CJK.match(ch):
        return (ch.lower(),) if ch.isalnum() else ()
    if all_readings:
        readings = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
    else:
        readings = lazy_pinyin(ch, style=Style.NORMAL)
    return tuple(dict.fromkeys(r.lower() for r in readings if r))


@lru_cache(maxsize=262144)
def name_keys(name: str) -> tuple[str, ...]:
    """Full-pinyin and initials spellings of a name, every reading of the surname included."""
    simple = to_simplified((name or "").strip())
    if not simple:
        return ()
    surname_options: list[tuple[int, tuple[str, ...]]] = []
    for sur, readings in SURNAME_READINGS.items():
        if simple.startswith(sur):
            surname_options.append((len(sur), tuple(readings)))
    first = _char_readings(simple[0], all_readings=True)
    rest_start = 1
    if surname_options:
        length, special = max(surname_options, key=lambda o: o[0])
        if length == 1:
            first = tuple(dict.fromkeys(special + first))
        else:
            first, rest_start = special, length
    parts = [first] + [_char_readings(ch, all_readings=False) for ch in simple[rest_start:]]
    parts = [p for p in parts if p]
    if not parts:
        return ()
    keys: dict[str, None] = {}
    for combo in itertools.islice(itertools.product(*parts), MAX_KEYS):
        keys["".join(combo)] = None
        keys["".join(p[0] for p in combo)] = None
    return tuple(keys)[: MAX_KEYS * 2]


def reverse(text: str) -> str:
    return (text or "")[::-1]


QUERY_ID = "id"
QUERY_PINYIN = "pinyin"
QUERY_NAME = "name"


def classify_query(q: str) -> tuple[str, str]:
    """What a search box text means: ('id', digits) / ('pinyin', letters) / ('name', simplified)."""
    q = (q or "").strip()
    compact = q.replace(" ", "")
    if re.fullmatch(r"[0-9]+[Xx]?", compact):
        return QUERY_ID, compact.upper()
    if re.fullmatch(r"[A-Za-z]+", compact):
        return QUERY_PINYIN, compact.lower()
    return QUERY_NAME, to_simplified(q)
