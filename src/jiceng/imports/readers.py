"""Reading spreadsheets people actually have: .xlsx from Excel or WPS, .csv in UTF-8 (with or
without BOM) or GBK/GB18030 (what Chinese Excel writes). Every cell comes back as text."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]  # data rows, each padded to len(headers)
    first_row_number: int = 2  # spreadsheet row number of rows[0]
    encoding: str = ""


def _cell_text(value) -> str:
    if value is None:
        return ""
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


def decode_csv(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise JicengError(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 .xlsx"),
                          field="file", code="bad_encoding") from None


def _finish(raw_rows: list[list[str]], encoding: str = "") -> Sheet:
    # Skip leading empty rows (a title row above the headers is common, so skip one-cell title rows too).
    start = 0
    while start < len(raw_rows) and sum(1 for c in raw_rows[start] if c) <= 1 and len(raw_rows) > start + 1:
        start += 1
    if start >= len(raw_rows):
        raise JicengError(_("文件是空的：没有找到表头行"), field="file", code="empty")
    headers = [h.strip() for h in raw_rows[start]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows = []
    for r in raw_rows[start + 1:]:
        r = (list(r) + [""] * width)[:width]
        rows.append(r)
    # Drop trailing empty rows (Excel often keeps formatted blank rows).
    while rows and not any(rows[-1]):
        rows.pop()
    return Sheet(headers=headers, rows=rows, first_row_number=start + 2, encoding=encoding)


def read_csv(data: bytes) -> Sheet:
    text, encoding = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return _finish([[c.strip() for c in row] for row in reader], encoding)


def read_xlsx(data: bytes) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_index(0)
        raw = sheet.to_python(skip_empty_area=False)
    except Exception:
        raise JicengError(_("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式"), field="file", code="bad_file") from None
    return _finish([[_cell_text(c) for c in row] for row in raw], "xlsx")


def read_sheet(filename: str, data: bytes) -> Sheet:
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if name.endswith((".csv", ".txt")) or not name:
        return read_csv(data)
    if name.endswith(".xls"):
        raise JicengError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传"), field="file", code="bad_file")
    raise JicengError(_("只支持 .xlsx 和 .csv 文件"), field="file", code="bad_file")
