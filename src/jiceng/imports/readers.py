"""Reading spreadsheets people actually have: .xlsx from Excel or WPS, .csv in UTF-8 (with or
without BOM) or GBK/GB18030 (what Chinese Excel writes). Every cell comes back as text.

Rows are streamed: ``Sheet.iter_rows()`` reads the file again on each call and yields one padded
row at a time, so a roll of a million rows is never held as a list of lists. ``Sheet.rows`` still
gives the whole list for the small imports (and the error workbook) that want it.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator

from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError


class Sheet:
    """A sheet's header row and its data rows (each padded or cut to ``len(headers)``)."""

    def __init__(self, headers: list[str], rows: list[list[str]] | None = None, first_row_number: int = 2,
                 encoding: str = "", *, source: Callable[[], Iterator[list[str]]] | None = None,
                 total_hint: int | None = None):
        self.headers = headers
        self.first_row_number = first_row_number  # spreadsheet row number of the first data row
        self.encoding = encoding
        self._rows = rows
        self._source = source
        self.total_hint = len(rows) if rows is not None else (total_hint or 0)  # for progress only

    def iter_rows(self) -> Iterator[list[str]]:
        if self._rows is not None:
            return iter(self._rows)
        return self._source()

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            self._rows = list(self._source())
            self.total_hint = len(self._rows)
        return self._rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # calamine gives 12.0 for 12; an ID or phone typed as a number must not gain ".0".
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _is_valid(data: bytes, encoding: str) -> bool:
    """Whether all of ``data`` decodes, checked a megabyte at a time (no copy of the whole text)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for i in range(0, len(view), 1 << 20):
            decoder.decode(view[i:i + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_csv_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if _is_valid(data, "utf-8"):
        return "utf-8"
    if _is_valid(data, "gb18030"):
        return "gb18030"
    raise JicengError(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 .xlsx"),
                      field="file", code="bad_encoding")


def decode_csv(data: bytes) -> tuple[str, str]:
    encoding = detect_csv_encoding(data)
    return data.decode(encoding), encoding


def _split_header(raw: Iterator[list[str]]) -> tuple[list[str], int, Iterator[list[str]]]:
    """Skip leading empty rows and one-cell title rows; the header, its 0-based index, the rest."""
    cur = next(raw, None)
    if cur is None:
        raise JicengError(_("文件是空的：没有找到表头行"), field="file", code="empty")
    start = 0
    while sum(1 for c in cur if c) <= 1:
        nxt = next(raw, None)
        if nxt is None:
            break
        cur, start = nxt, start + 1
    headers = [h.strip() for h in cur]
    while headers and not headers[-1]:
        headers.pop()
    return headers, start, raw


def _data_rows(raw: Iterator[list[str]], width: int) -> Iterator[list[str]]:
    """Rows padded to ``width``; trailing empty rows (Excel keeps formatted blank rows) dropped."""
    blank: list[list[str]] = []
    for r in raw:
        if len(r) != width:
            r = (list(r) + [""] * width)[:width]
        if not any(r):
            blank.append(r)
            continue
        if blank:
            yield from blank
            blank = []
        yield r


def _streamed(open_raw: Callable[[], Iterator[list[str]]], encoding: str, total_hint: int) -> Sheet:
    headers, start, _rest = _split_header(open_raw())
    width = len(headers)

    def source() -> Iterator[list[str]]:
        raw = open_raw()
        for _i in range(start + 1):
            next(raw, None)
        return _data_rows(raw, width)

    return Sheet(headers=headers, first_row_number=start + 2, encoding=encoding, source=source,
                 total_hint=max(total_hint - start - 1, 0))


def _finish(raw_rows: Iterable[list[str]], encoding: str = "") -> Sheet:
    """A sheet from rows already in memory (kept for callers that have a list)."""
    headers, start, rest = _split_header(iter(raw_rows))
    rows = list(_data_rows(rest, len(headers)))
    return Sheet(headers=headers, rows=rows, first_row_number=start + 2, encoding=encoding)


def read_csv(data: bytes) -> Sheet:
    encoding = detect_csv_encoding(data)
    head = data[:16384].decode(encoding, errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(head[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel

    def open_raw() -> Iterator[list[str]]:
        # BytesIO shares the bytes (no copy); the text is decoded as it is read.
        text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        return ([c.strip() for c in row] for row in csv.reader(text, dialect))

    return _streamed(open_raw, encoding, data.count(b"\n") + 1)


def read_xlsx(data: bytes) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_index(0)
    except Exception:
        raise JicengError(_("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式"), field="file", code="bad_file") from None

    def open_raw() -> Iterator[list[str]]:
        # iter_rows starts at row 1 but at the used range's first column: put the empty columns back.
        pad = [""] * (sheet.start[1] if sheet.start else 0)
        return (pad + [_cell_text(c) for c in row] for row in sheet.iter_rows())

    return _streamed(open_raw, "xlsx", sheet.total_height or sheet.height)


def read_sheet(filename: str, data: bytes) -> Sheet:
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if name.endswith((".csv", ".txt")) or not name:
        return read_csv(data)
    if name.endswith(".xls"):
        raise JicengError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传"), field="file", code="bad_file")
    raise JicengError(_("只支持 .xlsx 和 .csv 文件"), field="file", code="bad_file")
