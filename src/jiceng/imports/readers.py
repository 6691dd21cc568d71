"""Reading spreadsheets people actually have: .xlsx from Excel or WPS, the older .xls (still what
many townships' WPS saves by default), .ods (LibreOffice, WPS), .csv in UTF-8 (with or without BOM)
or GBK/GB18030 (what Chinese Excel writes). Every cell comes back as text.

Rows are streamed: ``Sheet.iter_rows()`` reads the file again on each call and yields one padded
row at a time, so a roll of a million rows is never held as a list of lists. ``Sheet.rows`` still
gives the whole list for the small imports (and the error workbook) that want it.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
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


# The first column of the file with errors the platform hands back (see ``workbooks``): a file whose
# first header is this is one of ours coming back, corrected.
ERROR_COLUMN = "错误说明"
# In a CSV file the platform writes, a cell beginning with one of these gets a leading apostrophe: a
# spreadsheet would run ``=…``, ``+…``, ``-…``, ``@…`` as a formula (CSV injection), and a cell that
# itself begins with an apostrophe is marked too, so that exactly the added apostrophe can be taken
# off again when the file comes back.
CSV_PROTECTED_START = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_protect(text: str) -> str:
    """A cell for a CSV file the platform writes: never run as a formula by a spreadsheet."""
    return "'" + text if text.startswith(CSV_PROTECTED_START) else text


def csv_unprotect(text: str) -> str:
    """The cell as it was before ``csv_protect``: only the apostrophe the platform added is removed."""
    return text[1:] if text.startswith("'") and text[1:].startswith(CSV_PROTECTED_START) else text


class Rfc4180(csv.Dialect):
    """CSV as RFC 4180 (and Excel, WPS) write it: a field holding the delimiter, a quote or a line
    break is enclosed in double quotes, and a quote inside it is doubled (``""``)."""

    delimiter = ","
    quotechar = '"'
    doublequote = True
    escapechar = None
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


def detect_csv_delimiter(head: str) -> str:
    """Comma, tab or semicolon: only the delimiter is guessed from the file's start.

    ``csv.Sniffer`` also guesses the quoting, and guesses it wrong on a sample without quotes (no
    doubled quotes), which would split a correctly quoted ``"a ""b"", c"`` later in the file."""
    try:
        delimiter = csv.Sniffer().sniff(head, delimiters=",\t;").delimiter
    except csv.Error:
        return ","
    return delimiter if delimiter in ",\t;" else ","


def read_csv(data: bytes) -> Sheet:
    encoding = detect_csv_encoding(data)
    head = data[:16384].decode(encoding, errors="ignore")
    delimiter = detect_csv_delimiter(head[:4096])

    def open_raw() -> Iterator[list[str]]:
        # BytesIO shares the bytes (no copy); the text is decoded as it is read.
        text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        return ([c.strip() for c in row] for row in csv.reader(text, Rfc4180, delimiter=delimiter))

    return _streamed(open_raw, encoding, data.count(b"\n") + 1)


def _bad_xlsx() -> JicengError:
    return JicengError(_("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式"), field="file", code="bad_file")


def _bad_workbook(fmt: str) -> JicengError:
    if fmt == "xls":
        return JicengError(_("无法读取 .xls 文件：文件已损坏或不是 Excel 97-2003 工作簿，请在 Excel 或 WPS 中另存为 .xlsx 后上传"),
                           field="file", code="bad_file")
    if fmt == "ods":
        return JicengError(_("无法读取 .ods 文件：文件已损坏或不是 OpenDocument 电子表格，请另存为 .xlsx 后上传"),
                           field="file", code="bad_file")
    return _bad_xlsx()


def read_xlsx(data: bytes) -> Sheet:
    big = _BigSheet.find(data)
    if big is not None:
        return _streamed(big.rows, "xlsx", big.size // 600)  # rough row count, for progress only
    return read_workbook(data, "xlsx")


def read_workbook(data: bytes, fmt: str) -> Sheet:
    """The first sheet of an .xlsx, .xls or .ods workbook (``fmt``), read whole by calamine.

    An .xls holds at most 65,536 rows; a large .xlsx goes through ``read_xlsx``, which reads it in pieces."""
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_index(0)
    except PasswordError:
        raise JicengError(_("文件设置了打开密码：请在 Excel 或 WPS 中取消密码后重新上传"), field="file",
                          code="bad_file") from None
    except Exception:
        raise _bad_workbook(fmt) from None

    def open_raw() -> Iterator[list[str]]:
        # iter_rows starts at row 1 but at the used range's first column: put the empty columns back.
        pad = [""] * (sheet.start[1] if sheet.start else 0)
        return (pad + [_cell_text(c) for c in row] for row in sheet.iter_rows())

    return _streamed(open_raw, fmt, sheet.total_height or sheet.height)


# A sheet larger than this (uncompressed XML) is read in pieces: calamine loads a whole sheet into
# memory, several times the XML's size for a million-row roll; pieces of a few tens of MB bound it.
XLSX_PIECES_OVER = 48 * 1024 * 1024
XLSX_PIECE_BYTES = 24 * 1024 * 1024
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>")
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_REL_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


class _BigSheet:
    """The first sheet of a large .xlsx, read a piece at a time.

    The sheet's XML is cut between rows into pieces; each piece becomes a small workbook (same
    styles, so dates stay dates; same shared strings; the sheet's own header and rows, without the
    ``dimension`` that would make calamine reserve room for the whole sheet) that calamine reads.
    The rows come out exactly as from reading the sheet whole."""

    def __init__(self, data: bytes, sheet_path: str, size: int, styles: bytes | None, strings: bytes | None,
                 date1904: bool):
        self.data, self.sheet_path, self.size = data, sheet_path, size
        self.styles, self.strings, self.date1904 = styles, strings, date1904

    @classmethod
    def find(cls, data: bytes) -> _BigSheet | None:
        """The first sheet if it is big enough to read in pieces (None: read it whole, as usual)."""
        import xml.etree.ElementTree as ET
        import zipfile

        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            book = ET.fromstring(zf.read("xl/workbook.xml"))
            first = book.find(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets, parts = {}, {}
            for rel in rels.iter(f"{_NS_PKG}Relationship"):
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[rel.get("Id")] = path
                parts[rel.get("Type", "").rsplit("/", 1)[-1]] = path
            sheet_path = targets[first.get(f"{_NS_REL}id")]
            size = zf.getinfo(sheet_path).file_size
            if size <= XLSX_PIECES_OVER:
                return None
            pr = book.find(f"{_NS_MAIN}workbookPr")
            date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
            styles = zf.read(parts["styles"]) if "styles" in parts else None
            strings = zf.read(parts["sharedStrings"]) if "sharedStrings" in parts else None
        except Exception:
            return None  # not a workbook we can take apart: calamine reads it (or says what is wrong)
        return cls(data, sheet_path, size, styles, strings, date1904)

    def _piece(self, head: bytes, rows_xml: bytes, tail: bytes) -> bytes:
        import zipfile

        rels = [b'<Relationship Id="rId1" Type="' + _REL_TYPE + b'worksheet" Target="worksheets/sheet1.xml"/>']
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("[Content_Types].xml", _CONTENT_TYPES)
            z.writestr("_rels/.rels", _ROOT_RELS)
            z.writestr("xl/workbook.xml", (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                + (b'<workbookPr date1904="1"/>' if self.date1904 else b"")
                + b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
            if self.styles is not None:
                z.writestr("xl/styles.xml", self.styles)
                rels.append(b'<Relationship Id="rId2" Type="' + _REL_TYPE + b'styles" Target="styles.xml"/>')
            if self.strings is not None:
                z.writestr("xl/sharedStrings.xml", self.strings)
                rels.append(b'<Relationship Id="rId3" Type="' + _REL_TYPE
                            + b'sharedStrings" Target="sharedStrings.xml"/>')
            z.writestr("xl/_rels/workbook.xml.rels", b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                       b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       + b"".join(rels) + b"</Relationships>")
            z.writestr("xl/worksheets/sheet1.xml", head + rows_xml + tail)
        return buf.getvalue()

    def _pieces(self) -> Iterator[tuple[bytes, bytes, bytes]]:
        """(sheet XML up to <sheetData>, whole rows, closing tags) for each piece."""
        import zipfile

        with zipfile.ZipFile(io.BytesIO(self.data)) as zf, zf.open(self.sheet_path) as f:
            buf = b""
            while True:
                chunk = f.read(1 << 20)
                buf += chunk
                m = _SHEET_DATA.search(buf)
                if m or not chunk:
                    break
            if not m or m.group(2):  # no rows at all
                return
            prefix = (m.group(1) or b"").decode()
            head = _DIMENSION.sub(b"", buf[:m.end()])
            root = re.search(rb"<((?:\w+:)?)worksheet\b", head)
            tail = f"</{prefix}sheetData></{root.group(1).decode() if root else ''}worksheet>".encode()
            row_end = f"</{prefix}row>".encode()
            buf = buf[m.end():]
            eof = False
            while not eof:
                while len(buf) < XLSX_PIECE_BYTES:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        eof = True
                        break
                    buf += chunk
                cut = buf.rfind(row_end)
                if cut < 0:
                    if eof:
                        # Rows written as <row .../> only (no cells), or the sheet's end: nothing to read.
                        return
                    continue
                cut += len(row_end)
                yield head, buf[:cut], tail
                buf = buf[cut:]

    def rows(self) -> Iterator[list[str]]:
        from python_calamine import CalamineWorkbook

        next_row = 0
        for head, rows_xml, tail in self._pieces():
            try:
                sheet = CalamineWorkbook.from_filelike(io.BytesIO(self._piece(head, rows_xml, tail))) \
                    .get_sheet_by_index(0)
                values = sheet.to_python(skip_empty_area=True) if sheet.start else []
            except Exception:
                raise _bad_xlsx() from None
            del rows_xml
            if not values:
                continue
            start_row, start_col = sheet.start
            if start_row > next_row:  # rows with no cells before this piece's first row
                for _i in range(start_row - next_row):
                    yield []
                next_row = start_row
            pad = [""] * start_col
            for row in values:
                yield pad + [_cell_text(c) for c in row]
            next_row += len(values)
            del values


# What an upload may be called (the web form and ``jiceng import`` accept these).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")
ACCEPTED_SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file an .xls (or an encrypted .xlsx) is
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def unsupported_file() -> JicengError:
    return JicengError(_("只支持 .xlsx、.xls、.ods 和 .csv 文件"), field="file", code="bad_file")


def file_format(filename: str, data: bytes) -> str:
    """"xlsx", "xls", "ods" or "csv": by the file's first bytes where they tell, else by its name."""
    name = (filename or "").lower()
    if data[:4] == _ZIP:
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if zf.read("mimetype").strip().startswith(_ODS_MIMETYPE):
                    return "ods"
        except Exception:
            pass  # no mimetype entry: an Office Open XML package (or a damaged file: calamine says so)
        return "xlsx"
    if data[:8] == _OLE2:
        return "xls"
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".xls", ".ods")):
        return name.rsplit(".", 1)[1]
    if name.endswith(TEXT_SUFFIXES) or not name:
        return "csv"
    raise unsupported_file()


def read_sheet(filename: str, data: bytes) -> Sheet:
    fmt = file_format(filename, data)
    if fmt == "csv":
        sheet = read_csv(data)
    elif fmt == "xlsx":
        sheet = read_xlsx(data)
    else:
        sheet = read_workbook(data, fmt)
    if sheet.headers[:1] == [ERROR_COLUMN]:
        sheet = _returned(sheet)
    return sheet


def _returned(sheet: Sheet) -> Sheet:
    """The platform's own file with errors, corrected and sent back: its cells lose the apostrophe
    the platform put before them in the CSV (and only that one). The same holds when the CSV was
    opened in a spreadsheet and saved as a workbook, which keeps the apostrophe in the value.

    The line under the header that only said what was wrong with the header (a missing column) is
    not a row of data: it is skipped like a title row."""
    rows = sheet.iter_rows
    first = next(rows(), None)
    skip = int(first is not None and bool(first[0]) and not any(first[1:]))

    def source() -> Iterator[list[str]]:
        it = rows()
        for _i in range(skip):
            next(it, None)
        return ([csv_unprotect(c) for c in row] for row in it)

    return Sheet(headers=[csv_unprotect(h) for h in sheet.headers], first_row_number=sheet.first_row_number + skip,
                 encoding=sheet.encoding, source=source, total_hint=max(sheet.total_hint - skip, 0))
