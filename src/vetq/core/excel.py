"""Reading uploaded .xlsx sheets row by row, and writing exports that are safe to open.

An import module declares its `Column`s, calls `sheet_read`, checks each `SheetRow` and
collects `RowError`s; it writes nothing itself. A file that cannot be read at all raises
`ExcelRefused`, whose message is shown to the user as it is.

`workbook_read` reads files people assemble by hand (yearly data): it picks the sheet by name
or by its header row, reads merged cells as if each held the merged value, accepts a header
split over two rows, and marks formula cells Excel never calculated (no cached value).
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
    # Other headers accepted for the column on import, e.g. the header without its unit.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetRow:
    number: int
    values: dict[str, str]
    # Keys of the cells holding a formula without a value Excel calculated (`workbook_read`).
    uncalculated: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Sheet:
    rows: list[SheetRow]
    headers: dict[str, str]  # column key → header text found in the file
    errors: list[RowError] = field(default_factory=list)
    title: str = ""  # the worksheet's name

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


class _NoHeader(ExcelRefused):
    def __init__(self, missing: list[str]):
        super().__init__(
            _("No header row found; these columns are missing: %(columns)s.")
            % {"columns": "、".join(missing)}
        )
        self.missing = missing


def _header_find(rows, columns: Sequence[Column], two_row_header: bool):
    """Consume `rows` up to the header row; its column positions, header texts and number.
    Raises _NoHeader naming the fewest required columns any of the first rows lacked."""
    missing: list[str] = [c.header for c in columns if c.required]
    above: tuple = ()
    for number, cells in enumerate(rows, start=1):
        candidates = [cells]
        if two_row_header and above:
            candidates.append(tuple(
                cell if cell_normalise(cell) or index >= len(above) else above[index]
                for index, cell in enumerate(cells)
            ))
        for candidate in candidates:
            found = _header_positions(candidate, columns)
            absent = [c.header for c in columns if c.required and c.key not in found]
            if not absent:
                headers = {c.key: c.header for c in columns}
                headers.update({key: cell_normalise(candidate[i]) for key, i in found.items()})
                return found, headers, number
            if len(absent) < len(missing):
                missing = absent
        if number >= HEADER_SEARCH_ROWS:
            break
        above = cells
    raise _NoHeader(missing)


def _sheet_parse(rows: Iterable[tuple], columns: Sequence[Column], *,
                 uncalculated: set[tuple[int, int]] | None = None,
                 two_row_header: bool = False) -> Sheet:
    """The rows below the header row. `uncalculated` holds the (row number, column index) of
    formula cells without a cached value; `two_row_header` also tries each row with its blank
    cells taken from the row above (a header whose group titles sit on the row above)."""
    rows = iter(rows)
    positions, headers, header_number = _header_find(rows, columns, two_row_header)
    sheet = Sheet(rows=[], headers=headers)
    for number, cells in enumerate(rows, start=header_number + 1):
        values = {
            key: cell_normalise(cells[index]) if index < len(cells) else ""
            for key, index in positions.items()
        }
        formulas = frozenset(
            key for key, index in positions.items() if (number, index) in uncalculated
        ) if uncalculated else frozenset()
        if not any(values.values()) and not formulas:
            continue
        if len(sheet.rows) >= MAX_DATA_ROWS:
            raise ExcelRefused(
                _("The sheet has more than %(count)d rows; split it into smaller files.")
                % {"count": MAX_DATA_ROWS}
            )
        sheet.rows.append(SheetRow(number, values, formulas))
    if not sheet.rows:
        raise ExcelRefused(_("The sheet has a header row but no data rows."))
    return sheet


def _header_positions(cells: tuple, columns: Sequence[Column]) -> dict[str, int]:
    names = {}
    for column in columns:
        names.setdefault(column.header.lower(), column.key)
        names.setdefault(column.key.lower(), column.key)
        for alias in column.aliases:
            names.setdefault(alias.lower(), column.key)
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = names.get(_header_key(cell))
        if key is not None and key not in found:
            found[key] = index
    return found


def workbook_read(file, columns: Sequence[Column], *, sheet_names: Sequence[str] = ()) -> Sheet:
    """The rows of the sheet named one of `sheet_names` or, failing that, of the first sheet
    whose header row holds every required column; refuses (ExcelRefused) when no sheet does.

    Unlike `sheet_read`, made for files people assemble by hand: a merged cell reads as its
    value in every cell it covers (so a merged header or school code is seen everywhere it
    spans), a header may be split over two rows, and a formula cell Excel never calculated
    (no cached value, as a file written by a script) is marked in `SheetRow.uncalculated`
    rather than read as blank.
    """
    data = upload_check(file)
    try:
        values_book = load_workbook(io.BytesIO(data), data_only=True)
        formulas_book = load_workbook(io.BytesIO(data), read_only=True)
        try:
            return _workbook_sheet(values_book, formulas_book, columns, sheet_names)
        finally:
            formulas_book.close()
    except ExcelRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ExcelRefused(_("The workbook could not be read; it may be damaged.")) from error


def _workbook_sheet(values_book, formulas_book, columns, sheet_names) -> Sheet:
    wanted = {name.strip().lower() for name in sheet_names}
    named = [ws for ws in values_book.worksheets if ws.title.strip().lower() in wanted]
    others = [ws for ws in values_book.worksheets if ws not in named]
    lacking: list[list[str]] = []  # what each sheet tried lacked, named sheets first
    for worksheet in named + others:
        rows = _merged_rows(worksheet)
        try:
            _header_find(iter(rows), columns, two_row_header=True)
        except _NoHeader as refusal:
            lacking.append(refusal.missing)
            continue
        uncalculated = _uncalculated(formulas_book[worksheet.title], rows)
        sheet = _sheet_parse(rows, columns, uncalculated=uncalculated, two_row_header=True)
        sheet.title = worksheet.title
        return sheet
    if named or not sheet_names:
        # The named sheet's shortcomings, or else those of the sheet that came closest.
        raise _NoHeader(lacking[0] if named else min(lacking, key=len))
    raise ExcelRefused(
        _("The workbook has no sheet named “%(names)s”, and no other sheet has its header row "
          "(%(columns)s).")
        % {"names": "”/“".join(sheet_names),
           "columns": "、".join(c.header for c in columns if c.required)}
    )


def _merged_rows(worksheet) -> list[tuple]:
    """The worksheet's values, each merged range's value copied into every cell it covers."""
    rows = [list(cells) for cells in worksheet.iter_rows(values_only=True)]
    if len(rows) > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
        raise ExcelRefused(
            _("The sheet has more than %(count)d rows; split it into smaller files.")
            % {"count": MAX_DATA_ROWS}
        )
    for merged in worksheet.merged_cells.ranges:
        value = worksheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
            cells = rows[row - 1]
            for column in range(merged.min_col, merged.max_col + 1):
                if column > len(cells):
                    cells.extend([None] * (column - len(cells)))
                cells[column - 1] = value
    return [tuple(cells) for cells in rows]


def _uncalculated(worksheet, rows: list[tuple]) -> set[tuple[int, int]]:
    """(row number, column index) of formula cells whose calculated value is missing."""
    worksheet.reset_dimensions()
    found = set()
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        for cell in cells:
            if getattr(cell, "data_type", None) != "f":
                continue
            index = cell.column - 1
            values = rows[number - 1] if number <= len(rows) else ()
            if index >= len(values) or values[index] is None:
                found.add((number, index))
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
