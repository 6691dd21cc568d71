"""Parsing the values people type into spreadsheets."""
from __future__ import annotations

import datetime as dt
import re

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


class ParseError(ValueError):
    pass


def parse_date(text: str) -> dt.date | None:
    """2023-5-1, 2023/05/01, 2023.5.1, 2023年5月1日, 20230501, an Excel serial (45047), or an ISO datetime."""
    text = (text or "").strip()
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(x) for x in m.groups())
            try:
                return dt.date(y, mo, d)
            except ValueError:
                raise ParseError(f"日期“{text}”不存在") from None
    if re.fullmatch(r"\d{3,5}(\.0+)?", text):
        serial = int(float(text))
        if 1 <= serial <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    raise ParseError(f"无法识别日期“{text}”，可写作 2023-5-1、2023/05/01 或 2023年5月1日")


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_FALSE = {"否", "n", "no", "false", "0", "", "无", "×"}


def parse_bool(text: str) -> bool:
    t = (text or "").strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ParseError(f"“{text}”应填写“是”或“否”")


def parse_choice(text: str, choices, *, field_label: str) -> str:
    """Accept a choice by its Chinese label or its code."""
    t = (text or "").strip()
    if not t:
        return ""
    for value, label in choices:
        if t == value or t == str(label):
            return value
    labels = "、".join(str(label) for _, label in choices)
    raise ParseError(f"{field_label}“{t}”不在可选值中（{labels}）")


def split_list(text: str) -> list[str]:
    return [x for x in re.split(r"[\s,，、;；|]+", (text or "").strip()) if x]


FORMULA_START = ("=", "+", "-", "@")


def looks_like_formula(text: str) -> bool:
    """A cell that a spreadsheet would run: refused on import (a phone like +86… is cleaned first)."""
    return bool(text) and text.startswith(FORMULA_START) and not re.fullmatch(r"[-+]?\d[\d\s-]*", text)
