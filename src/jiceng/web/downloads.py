"""File downloads shared by every app's views."""
from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# A cell beginning with one of these is run as a formula by a spreadsheet (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet will never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def table_xlsx(title: str, header: list[str], rows) -> bytes:
    """One sheet: a header row in the house colour, then ``rows``; whole numbers as numbers, everything else as
    text that can never run as a formula."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    ws = wb.add_worksheet(title[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#B71C1C", "font_color": "#FFFFFF"})
    ws.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, neutralise(v))
    ws.freeze_panes(1, 0)
    ws.set_column(0, max(len(header) - 1, 0), 16)
    wb.close()
    return buf.getvalue()


def file_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    """``data`` as an attachment named ``filename`` (a Chinese name is sent RFC 6266 style, as
    ``filename*=utf-8''…``, which every current browser reads)."""
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An .xlsx workbook as an attachment named ``filename``."""
    return file_response(data, filename, XLSX)
