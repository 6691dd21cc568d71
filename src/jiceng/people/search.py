"""Search keys for names: Traditional to Simplified, full pinyin and initials (with surname readings)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import opencc
from pypinyin import Style, lazy_pinyin

_t2s = opencc.OpenCC("t2s")

# Surnames read differently from the character's common reading (姓氏读音). pypinyin (0.55) has no
# surname mode: its heteronyms list every reading a character has anywhere (邓 also "shan", 汤 also
# "shang"), which is noise for a name, so a surname is read from this table or, failing that, by the
# character's common reading.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha", "盖": "ge",
    "覃": "qin", "尉": "yu", "乐": "yue", "缪": "miao", "万": "wan", "长": "chang", "种": "chong",
    "秘": "bi", "冼": "xian", "召": "shao", "员": "yun", "繁": "po", "隗": "wei", "句": "gou",
    "能": "nai", "折": "she", "洗": "xian",
    "长孙": "zhang sun", "尉迟": "yu chi", "万俟": "mo qi", "单于": "chan yu", "澹台": "tan tai",
}
# What a key spells (ResidentNameKey.kind); the order is the rank of an exact match.
KEY_FULL = 0        # 全拼 of the whole name
KEY_SURNAME = 1     # the surname's reading alone
KEY_INITIALS = 2    # 首字母 of the whole name
# A resident has at most this many keys (two spellings, each full and initials, and the surname), so
# the first n residents in key order are within the first n times as many key rows.
MAX_ROWS_PER_NAME = 5
_CJK = re.compile(r"[\u3400-\u9fff]")


class NameKey(NamedTuple):
    key: str
    kind: int


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    return _t2s.convert(text or "")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


@lru_cache(maxsize=65536)
def _char_reading(ch: str) -> str:
    """The character's common reading (a given name's character, or a surname not in the table)."""
    if not _CJK.match(ch):
        return ch.lower() if ch.isalnum() else ""
    return "".join(lazy_pinyin(ch, style=Style.NORMAL)).lower()


@lru_cache(maxsize=262144)
def name_keys(name: str) -> tuple[NameKey, ...]:
    """The pinyin spellings of a name: full pinyin and initials, and the surname's reading alone.

    The surname is read as a surname (单 shan, 曾 zeng); where that differs from the character's common
    reading (单 dan, 曾 ceng) the common reading is kept as a second spelling of the name, so a user who
    reads it the everyday way still finds the person ("dj" finds 单军) — but only the surname reading
    is the surname's own key, so only it counts as an exact surname match.
    """
    simple = to_simplified((name or "").strip())
    if not simple:
        return ()
    surname = max((s for s in SURNAME_READINGS if simple.startswith(s)), key=len, default=simple[0])
    common = [r for r in (_char_reading(ch) for ch in surname)]
    reading = SURNAME_READINGS[surname].split() if surname in SURNAME_READINGS else common
    readings = [reading] + ([common] if common != reading and all(common) else [])
    rest = [r for r in (_char_reading(ch) for ch in simple[len(surname):]) if r]
    keys: dict[str, int] = {}

    def add(key: str, kind: int) -> None:
        if key and kind < keys.get(key, KEY_INITIALS + 1):
            keys[key] = kind

    for syllables in readings:
        parts = [p for p in syllables if p] + rest
        add("".join(parts), KEY_FULL)
        add("".join(p[0] for p in parts), KEY_INITIALS)
    add("".join(reading), KEY_SURNAME)
    return tuple(NameKey(k, kind) for k, kind in keys.items())


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
