"""Spreadsheets we hand to people: blank templates, and their own file back with an error column."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from .engine import ImportResult
from .readers import Sheet
from .spec import SPECS

HEADER_FILL = PatternFill("solid", fgColor="B71C1C")
ERROR_FILL = PatternFill("solid", fgColor="FDECEA")


def _safe(value: str) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def template_xlsx(kind) -> bytes:
    """A blank template for an import kind (its name, or a KindSpec of another app's list)."""
    spec = SPECS[kind] if isinstance(kind, str) else kind
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


def error_workbook(sheet: Sheet, result: ImportResult) -> bytes:
    """The user's rows as they sent them, with a first column saying what is wrong in each row."""
    by_row: dict[int, list[str]] = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(f"{e.column}：{e.reason}" + (f"（{e.value}）" if e.value else ""))
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "错误"
    ws.append(["错误说明"] + list(sheet.headers))
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = HEADER_FILL
    header_errors = by_row.get(sheet.first_row_number - 1)
    if header_errors:
        ws.append(["；".join(header_errors)])
    for i, row in enumerate(sheet.iter_rows()):
        n = sheet.first_row_number + i
        errors = by_row.get(n)
        ws.append(["；".join(errors) if errors else ""] + [_safe(v) for v in row])
        if errors:
            for c in ws[ws.max_row]:
                c.fill = ERROR_FILL
    for c in ws[1]:
        c.number_format = "@"
    ws.column_dimensions["A"].width = 60
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
