"""File downloads shared by every app's views."""
from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def file_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    """``data`` as an attachment named ``filename`` (a Chinese name is sent RFC 6266 style, as
    ``filename*=utf-8''…``, which every current browser reads)."""
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An .xlsx workbook as an attachment named ``filename``."""
    return file_response(data, filename, XLSX)
