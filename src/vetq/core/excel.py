"""Reading uploaded .xlsx sheets row by row, and writing exports that are safe to open.

An import module declares its `Column`s, calls `sheet_read`, checks each `SheetRow` and
collects `RowError`s; it writes nothing itself. A file that cannot be read at all raises
`ExcelRefused`, whose message is shown to the user as it is.
"""

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The header row is looked for among the first rows, below any title a user typed above it.
HEADER_SEARCH_ROWS = 10
MAX_DATA_ROWS = 20_000
# A zip may expand far beyond its size on disk; refuse before openpyxl inflates it.
MAX_EXPANSION = 50

# Excel and LibreOffice run a cell as a formula when it starts with one of these (CSV/DDE
# injection); an apostrophe in front keeps it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FULL_WIDTH_ALNUM = {
    code: code - 0xFEE0
    for start, end in (("０", "９"), ("Ａ", "Ｚ"), ("ａ", "ｚ"))
    for code in range(ord(start), ord(end) + 1)
}


class ExcelRefused(Exception):
    """The upload as a whole cannot be read; `message` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows
    column: str  # the header as written in the file
    reason: str


@dataclass(frozen=True)
class Column:
    key: str  # the English code name, also accepted as a header
    header: str  # the Chinese header the template and the export use
    required: bool = True
    width: int = 16
    # An Excel number format for the column's cells in exports, e.g. "#,##0.00" for yuan.
    number_format: str = ""


@dataclass(frozen=True)
class SheetRow:
    number: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Sheet:
    rows: list[SheetRow]
    headers: dict[str, str]  # column key → header text found in the file
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: SheetRow, key: str, reason: str) -> None:
        self.errors.append(RowError(row.number, self.headers.get(key, key), reason))

    def require(self, row: SheetRow, columns: Sequence[Column]) -> set[str]:
        """Report each required column left blank in the row; return their keys."""
        blank = {c.key for c in columns if c.required and not row[c.key]}
        for column in columns:
            if column.key in blank:
                self.error(row, column.key, _("This column is required."))
        return blank

    def length_check(self, row: SheetRow, key: str, max_length: int) -> bool:
        """Report a value longer than `max_length`; True when it fits."""
        if len(row[key]) <= max_length:
            return True
        self.error(row, key, _("At most %(count)d characters.") % {"count": max_length})
        return False


def text_normalise(value: str) -> str:
    """Trim, and turn full-width digits and Latin letters into their ordinary forms."""
    return value.translate(_FULL_WIDTH_ALNUM).strip()


def cell_normalise(value) -> str:
    """A cell as the text a user meant: 4132.0 → "4132", blank → "", "'=x" → "=x"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = text_normalise(str(value))
    # Undo the escape our own exports add, so an export re-imports unchanged.
    if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _header_key(value) -> str:
    return cell_normalise(value).strip("*＊ ").lower()


def upload_check(file) -> bytes:
    """The upload's bytes if it is an .xlsx workbook within the size limit; else refuse."""
    limit = settings.VETQ_IMPORT_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ExcelRefused(_too_large(limit))
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ExcelRefused(_too_large(limit))
    not_xlsx = ExcelRefused(_("The file is not an Excel workbook (.xlsx)."))
    # The content decides, never the file name: an .xlsx is a zip holding xl/workbook.xml.
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise not_xlsx from error
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise not_xlsx
    if sum(member.file_size for member in members) > limit * MAX_EXPANSION:
        raise ExcelRefused(_too_large(limit))
    return data


def _too_large(limit: int) -> str:
    return _("The file is larger than %(size)s MB.") % {"size": round(limit / 1024 / 1024, 1)}


def sheet_read(file, columns: Sequence[Column]) -> Sheet:
    """The first sheet's rows below its header row, normalised; blank rows left out."""
    data = upload_check(file)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            worksheet = workbook.worksheets[0]
            worksheet.reset_dimensions()  # some writers record wrong dimensions
            return _sheet_parse(worksheet.iter_rows(values_only=True), columns)
        finally:
            workbook.close()
    except ExcelRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ExcelRefused(_("The workbook could not be read; it may be damaged.")) from error


def _sheet_parse(rows: Iterable[tuple], columns: Sequence[Column]) -> Sheet:
    rows = iter(rows)
    positions: dict[str, int] | None = None
    headers: dict[str, str] = {}
    missing: list[str] = [c.header for c in columns if c.required]
    header_number = 0
    for header_number, cells in enumerate(rows, start=1):
        found = _header_positions(cells, columns)
        absent = [c.header for c in columns if c.required and c.key not in found]
        if not absent:
            positions = found
            headers = {c.key: c.header for c in columns}
            headers.update({key: cell_normalise(cells[i]) for key, i in found.items()})
            break
        if len(absent) < len(missing):
            missing = absent
        if header_number >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        raise ExcelRefused(
            _("No header row found; these columns are missing: %(columns)s.")
            % {"columns": "、".join(missing)}
        )
    sheet = Sheet(rows=[], headers=headers)
    for number, cells in enumerate(rows, start=header_number + 1):
        values = {
            key: cell_normalise(cells[index]) if index < len(cells) else ""
            for key, index in positions.items()
        }
        if not any(values.values()):
            continue
        if len(sheet.rows) >= MAX_DATA_ROWS:
            raise ExcelRefused(
                _("The sheet has more than %(count)d rows; split it into smaller files.")
                % {"count": MAX_DATA_ROWS}
            )
        sheet.rows.append(SheetRow(number, values))
    if not sheet.rows:
        raise ExcelRefused(_("The sheet has a header row but no data rows."))
    return sheet


def _header_positions(cells: tuple, columns: Sequence[Column]) -> dict[str, int]:
    names = {}
    for column in columns:
        names.setdefault(column.header.lower(), column.key)
        names.setdefault(column.key.lower(), column.key)
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = names.get(_header_key(cell))
        if key is not None and key not in found:
            found[key] = index
    return found


def cell_escape(value):
    """A value safe to write: text that a spreadsheet would run as a formula gets a `'`."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


@dataclass
class SheetSpec:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence] = ()


def workbook_build(*sheets: SheetSpec) -> bytes:
    """An .xlsx of the given sheets: bold frozen header row, set widths, escaped cells."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        worksheet = workbook.create_sheet(title=spec.title[:31])
        for index, column in enumerate(spec.columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        worksheet.freeze_panes = "A2"
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(worksheet, value=column.header)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        formats = [column.number_format for column in spec.columns]
        for row in spec.rows:
            cells = []
            for index, value in enumerate(row):
                value = cell_escape(value)
                number_format = formats[index] if index < len(formats) else ""
                if number_format and isinstance(value, int | float | Decimal):
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.number_format = number_format
                    cells.append(cell)
                else:
                    cells.append(value)
            worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
