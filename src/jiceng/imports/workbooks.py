"""Spreadsheets we hand to people: blank templates, and their own file back with an error column
(as .xlsx, or as .csv for a file too long for a worksheet)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from jiceng.core.errors import JicengError

from .engine import ImportResult
from .readers import ERROR_COLUMN, Rfc4180, Sheet, csv_protect
from .spec import spec_for

HEADER_FILL = PatternFill("solid", fgColor="B71C1C")


def template_xlsx(kind) -> bytes:
    """A blank template for an import kind (its name, or a KindSpec of another app's list)."""
    spec = spec_for(kind) if isinstance(kind, str) else kind
    wb = Workbook()
    ws = wb.active
    ws.title = str(spec.label)[:31]
    for i, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header + ("（必填）" if col.required else ""))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        if col.help:
            cell.comment = Comment(col.help, "jiceng")
        example = ws.cell(row=2, column=i, value=col.example)
        example.number_format = "@"  # text: ID numbers and phones must not become numbers
        ws.column_dimensions[cell.column_letter].width = max(12, len(col.header) * 2 + 6, len(col.example) + 4)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _message(e) -> str:
    return f"{e.column}：{e.reason}" + (f"（{e.value}）" if e.value else "")


def error_rows(sheet: Sheet, result: ImportResult) -> Iterator[tuple[str, list[str]]]:
    """(what is wrong, the row's cells) for the file with errors, row by row as the sheet streams.

    First a line for errors of the header (a missing column), if any, then every data row as sent.
    The errors are walked in row order beside the rows, so nothing but the sorted list of errors
    (references to the result's own records) is held, whatever the size of the file."""
    errors = sorted(result.errors, key=lambda e: e.row)
    i, total = 0, len(errors)
    header_row = sheet.first_row_number - 1
    messages = []
    while i < total and errors[i].row <= header_row:
        messages.append(_message(errors[i]))
        i += 1
    if messages:
        yield "；".join(messages), []
    for k, row in enumerate(sheet.iter_rows()):
        n = sheet.first_row_number + k
        messages = []
        while i < total and errors[i].row <= n:
            if errors[i].row == n:
                messages.append(_message(errors[i]))
            i += 1
        yield "；".join(messages), row


XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included


def write_error_workbook(sheet: Sheet, result: ImportResult, out) -> None:
    """The user's rows as they sent them, with a first column saying what is wrong in each row, as
    .xlsx written to ``out`` (a path or a binary file).

    xlsxwriter's constant-memory mode writes each row to a temporary file as it comes (inline
    strings, no shared-string table), so the memory it takes does not grow with the file. Every cell
    is written as a string in a text-formatted cell: a spreadsheet never evaluates it, so ``-`` or
    ``+86 138…`` needs no apostrophe before it and comes back exactly as it was."""
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    try:
        ws = book.add_worksheet("错误")
        head = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#B71C1C", "num_format": "@"})
        text = book.add_format({"num_format": "@"})
        wrong = book.add_format({"num_format": "@", "bg_color": "#FDECEA"})
        ws.set_column(0, 0, 60)
        ws.freeze_panes(1, 1)
        for c, h in enumerate([ERROR_COLUMN, *sheet.headers]):
            ws.write_string(0, c, h, head)
        r = 0
        for message, cells in error_rows(sheet, result):
            r += 1
            if r >= XLSX_MAX_ROWS:
                raise JicengError(_("文件超过 Excel 的行数上限（1048576 行），请下载 CSV 格式的错误说明"),
                                  field="file", code="too_many_rows")
            fmt = wrong if message else text
            ws.write_string(r, 0, message, fmt)
            for c, value in enumerate(cells, start=1):
                if value or message:
                    ws.write_string(r, c, value, fmt)
    finally:
        book.close()


def error_workbook(sheet: Sheet, result: ImportResult) -> bytes:
    """``write_error_workbook`` into bytes (for small files, such as a department's list)."""
    buf = io.BytesIO()
    write_error_workbook(sheet, result, buf)
    return buf.getvalue()


def error_csv_lines(sheet: Sheet, result: ImportResult) -> Iterator[str]:
    """The same as a CSV file (UTF-8 with BOM, which Excel opens as UTF-8), a line at a time.

    A CSV has no text cells: a cell that a spreadsheet would run as a formula gets an apostrophe
    before it (``readers.csv_protect``), and the reader takes exactly that apostrophe off when the
    file comes back (it knows the file by its first header, ``错误说明``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, Rfc4180)

    def line(cells) -> str:
        writer.writerow([csv_protect(c) for c in cells])
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    yield "\ufeff" + line([ERROR_COLUMN, *sheet.headers])
    for message, cells in error_rows(sheet, result):
        yield line([message, *cells])
