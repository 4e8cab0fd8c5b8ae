"""Importing graduate records (R33): upload → check → import the good rows, by Excel or API.

An uploaded workbook holds identity numbers in clear, so it is kept (a StoredFile on a
pending DataImport) only while the user looks at the check: importing or cancelling deletes
it, and an upload left unconfirmed for PENDING_LIFETIME is deleted by the next upload
(`pending_purge`). The DataImport stays as the record of who imported what, without the
file. The check runs again on import, so what is written is what holds at that moment.

Re-importing a school's cohort at a tracking point replaces the records it has there: the
good rows of each (school, cohort, point) group in the upload take the place of that group's
old records, in one transaction, with one audit entry.
"""

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter

import python_calamine
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from vetq.audit.services import audit_log
from vetq.core.excel import ExcelRefused, cell_normalise, upload_check
from vetq.core.uploads import XLSX, UploadRefused, stored_file_create
from vetq.institutions.models import Institution

from .errors import SurveyRefused
from .graduates_check import GraduateCheck, graduate_rows_check, importer_schools
from .graduates_format import (
    COLUMNS,
    DESTINATION_WORDS,
    HEADER_ALIASES,
    KEYS,
    LOCATION_WORDS,
    POINT_WORDS,
)
from .models import DataImport, Dataset, GraduateRecord, YearLock

MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10
PENDING_LIFETIME = timedelta(hours=24)
BATCH_SIZE = 5_000
SHEET_TITLE = "毕业生就业跟踪"
RECORD_FIELDS = ("institution_id", "major_id", "cohort", "point", "person", "destination",
                 "in_field", "location", "contract", "starting_pay", "satisfaction",
                 "employer_satisfaction")


@dataclass(frozen=True)
class SheetRows:
    rows: list[tuple[int, tuple]]  # (row number as Excel shows it, raw values in KEYS order)
    headers: dict[str, str]  # column key → the header as written in the file
    sheet: str  # the sheet's name
    first: bool  # whether it is the workbook's first sheet


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, column.key, *HEADER_ALIASES.get(column.key, ())):
            names.setdefault(_header_key(name), column.key)
    return names


def _header_key(value) -> str:
    return cell_normalise(value).replace(" ", "").strip("*＊").lower()


def sheet_rows(data: bytes) -> SheetRows:
    """The data rows of the first sheet that has the template's header row (within its
    first rows, below any title): blank rows left out, cells as the file holds them (a
    formula gives its last calculated value). Refuses (ExcelRefused) a workbook it cannot
    read, one without such a sheet and one with more than MAX_ROWS rows."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises several kinds on a damaged file
        raise ExcelRefused(_("The workbook could not be read; it may be damaged.")) from error
    names = _header_names()
    required = [c for c in COLUMNS if c.required]
    missing = [c.header for c in required]
    try:
        sheets = [meta.name for meta in workbook.sheets_metadata
                  if meta.typ == python_calamine.SheetTypeEnum.WorkSheet]
        for index, name in enumerate(sheets):
            sheet = workbook.get_sheet_by_name(name)
            found = _sheet_rows(sheet, names, required)
            if isinstance(found, list):
                missing = found if len(found) < len(missing) else missing
                continue
            rows, headers = found
            return SheetRows(rows, headers, name, index == 0)
    except ExcelRefused:
        raise
    except Exception as error:
        raise ExcelRefused(_("The workbook could not be read; it may be damaged.")) from error
    raise ExcelRefused(
        _("No sheet has the header row of the graduate template; these columns are missing: "
          "%(columns)s.") % {"columns": "、".join(missing)})


def _sheet_rows(sheet, names: dict[str, str], required) -> tuple | list[str]:
    """(rows, headers) of a sheet, or the required headers it lacks."""
    start = sheet.start
    if start is None:
        return [c.header for c in required]
    first_row, _first_column = start
    cells_of: Iterator[list] = iter(sheet.iter_rows())
    missing = [c.header for c in required]
    positions: dict[str, int] | None = None
    header_number = first_row
    for header_number, cells in enumerate(cells_of, start=first_row + 1):
        found: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = names.get(_header_key(cell))
            if key is not None and key not in found:
                found[key] = index
        absent = [c.header for c in required if c.key not in found]
        if not absent:
            positions = found
            headers = {key: cell_normalise(cells[index]) for key, index in found.items()}
            break
        missing = absent if len(absent) < len(missing) else missing
        if header_number - first_row >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        return missing
    columns = [positions.get(key) for key in KEYS]
    pick = itemgetter(*columns) if None not in columns else None
    last, size = max(positions.values()), len(KEYS)
    rows = []
    for number, cells in enumerate(cells_of, start=header_number + 1):
        if len(cells) <= last:
            cells = [*cells, *[""] * (last + 1 - len(cells))]
        values = (pick(cells) if pick is not None
                  else tuple("" if i is None else cells[i] for i in columns))
        if values.count("") == size:  # a blank row (a missing column reads as blank)
            continue
        rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise ExcelRefused(_("The sheet has more than %(count)d rows; split it into smaller "
                                 "files.") % {"count": MAX_ROWS})
    if not rows:
        raise ExcelRefused(_("The sheet has a header row but no data rows."))
    return rows, headers


def _refused(error: ExcelRefused | UploadRefused) -> SurveyRefused:
    return SurveyRefused(getattr(error, "message", None) or str(error))


def pending_imports(user):
    """The user's uploads waiting to be imported or cancelled."""
    return DataImport.objects.filter(dataset=Dataset.GRADUATES, file__isnull=False, by=user)


def pending_purge(*, now=None) -> int:
    """Delete the uploads (and their files) left unconfirmed for PENDING_LIFETIME."""
    cutoff = (now or timezone.now()) - PENDING_LIFETIME
    stale = DataImport.objects.filter(dataset=Dataset.GRADUATES, file__isnull=False,
                                      at__lt=cutoff).select_related("file")
    count = 0
    for data_import in stale:
        with transaction.atomic():
            _file_discard(data_import)
            data_import.delete()
        count += 1
    return count


def graduates_upload(*, file, by) -> DataImport:
    """Keep an uploaded workbook for checking: a pending DataImport holding the file.

    Refuses users who may not import graduates and files that are not .xlsx workbooks
    within the size limit. Writes one audit entry.
    """
    importer_schools(by)
    pending_purge()
    try:
        upload_check(file)
        stored = stored_file_create(upload=file, by=by, allowed=frozenset({XLSX}))
    except (ExcelRefused, UploadRefused) as error:
        raise _refused(error) from error
    data_import = DataImport.objects.create(dataset=Dataset.GRADUATES, file=stored, by=by)
    audit_log(action="graduates.upload", actor=by, obj=data_import,
              after={"file": stored.sha256, "size": stored.size})
    return data_import


def graduates_file_check(*, data_import: DataImport, by, today: date) -> GraduateCheck:
    """Read and check a pending upload; nothing is written. Refuses a file that cannot be
    read as a graduate sheet."""
    if data_import.file_id is None:
        raise SurveyRefused(_("This upload has already been imported or cancelled."))
    with data_import.file.file.open("rb") as handle:
        data = handle.read()
    try:
        sheet = sheet_rows(data)
    except ExcelRefused as error:
        raise _refused(error) from error
    check = graduate_rows_check(sheet.rows, by=by, today=today, headers=sheet.headers)
    check.sheet = "" if sheet.first else sheet.sheet
    return check


def _pending_locked(pk: int, by) -> DataImport:
    data_import = (DataImport.objects.select_for_update()
                   .filter(pk=pk, dataset=Dataset.GRADUATES, by=by).first())
    if data_import is None or data_import.file_id is None:
        raise SurveyRefused(_("This upload has already been imported or cancelled."))
    return data_import


def graduates_confirm(*, data_import: DataImport, by, today: date) -> DataImport:
    """Import the good rows of a pending upload, replacing the records of each school's
    cohort and tracking point it holds, then delete the uploaded file.

    Refuses an upload already imported or cancelled, or not the user's own; one with no
    good row; a cohort locked since the check; and records changed by another import in
    the meantime (then nothing is written).
    """
    check = graduates_file_check(data_import=data_import, by=by, today=today)
    if not check.good:
        raise SurveyRefused(_("No row can be imported: correct the file and upload it again."))
    try:
        with transaction.atomic():
            locked = _pending_locked(data_import.pk, by)
            _records_write(check, by=by, data_import=locked)
            _file_discard(locked)
    except IntegrityError as error:
        raise SurveyRefused(_("Another import changed these records meanwhile; check the file "
                              "again.")) from error
    locked.refresh_from_db()
    return locked


def graduates_cancel(*, data_import: DataImport, by) -> None:
    """Drop a pending upload and delete its file; nothing was imported from it."""
    with transaction.atomic():
        locked = _pending_locked(data_import.pk, by)
        audit_log(action="graduates.cancel", actor=by, obj=locked)
        _file_discard(locked)
        locked.delete()


def graduates_rows_import(*, rows: Sequence[dict], by, today: date, partial: bool = False,
                          dry_run: bool = False) -> tuple[GraduateCheck, DataImport | None]:
    """Check rows given as dicts of column key → value (the API) and import them as an
    upload would be: all of them when every row is good, the good ones when `partial`,
    none when `dry_run`. Refuses what the check refuses (see graduate_rows_check)."""
    numbered = [(index, tuple(row.get(key, "") for key in KEYS))
                for index, row in enumerate(rows, start=1)]
    check = graduate_rows_check(numbered, by=by, today=today,
                                headers={key: key for key in KEYS})
    if dry_run or not check.good or (check.errors and not partial):
        return check, None
    try:
        with transaction.atomic():
            data_import = DataImport.objects.create(dataset=Dataset.GRADUATES, by=by)
            _records_write(check, by=by, data_import=data_import)
    except IntegrityError as error:
        raise SurveyRefused(_("Another import changed these records meanwhile; send the rows "
                              "again.")) from error
    data_import.refresh_from_db()
    return check, data_import


def _records_write(check: GraduateCheck, *, by, data_import: DataImport) -> int:
    """Replace each group's records by the check's good rows; inside a transaction."""
    cohorts = {row.cohort for row in check.good}
    locked = sorted(YearLock.objects.filter(dataset=Dataset.GRADUATES, year__in=cohorts)
                    .values_list("year", flat=True))
    if locked:
        raise SurveyRefused(_("The bureau has locked the graduate data of %(years)s meanwhile; "
                              "nothing was imported.") % {"years": "、".join(map(str, locked))})
    schools = {group.institution.pk for group in check.groups}
    # One import of a school at a time: the second waits, then replaces the first's rows.
    list(Institution.objects.select_for_update().filter(pk__in=schools).values_list("pk"))
    by_point: dict[tuple[int, str], list[int]] = {}
    for group in check.groups:
        by_point.setdefault((group.cohort, group.point), []).append(group.institution.pk)
    replaced = Q()
    for (cohort, point), institution_ids in by_point.items():
        replaced |= Q(cohort=cohort, point=point, institution_id__in=institution_ids)
    removed, _by_model = GraduateRecord.objects.filter(replaced).delete()
    records_insert(check.good)
    written = len(check.good)
    data_import.rows_written = written
    data_import.rows_refused = check.rows_refused
    data_import.year = cohorts.pop() if len(cohorts) == 1 else None
    data_import.institution_id = next(iter(schools)) if len(schools) == 1 else None
    data_import.save(update_fields=["rows_written", "rows_refused", "year", "institution"])
    audit_log(action="graduates.import", actor=by, obj=data_import, after={
        "rows_written": written, "rows_refused": check.rows_refused, "replaced": removed,
        "groups": [[g.institution.code, g.cohort, g.point, g.rows, g.existing]
                   for g in check.groups],
    })
    return written


def records_insert(rows: list) -> None:
    """Insert checked rows (GoodRow: the row number, then RECORD_FIELDS' values) with one
    prepared statement per batch; inside the caller's transaction.

    bulk_create spends most of a large import turning each value into a parameter through
    its field and building a model instance per row (about 3× the time of this, measured
    in bench/graduates_import.py); the values here are already checked and of the database's
    own types (int, str, bool, Decimal, None), so they go to the driver as they are.
    """
    meta = GraduateRecord._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in RECORD_FIELDS)
    sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (names from _meta)
           f"VALUES ({', '.join(['%s'] * len(RECORD_FIELDS))})")
    # In the order of the unique (person, cohort, point) index: its pages fill one after
    # another instead of at random (a quarter less time on SQLite).
    ordered = sorted((row[1:] for row in rows), key=itemgetter(4))
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), BATCH_SIZE):
            cursor.executemany(sql, ordered[start:start + BATCH_SIZE])


def _file_discard(data_import: DataImport) -> None:
    """Detach and delete the upload's file; the stored bytes go once the transaction commits."""
    stored = data_import.file
    if stored is None:
        return
    data_import.file = None
    data_import.save(update_fields=["file"])
    storage, name = stored.file.storage, stored.file.name
    stored.delete()
    transaction.on_commit(lambda: storage.delete(name))


def graduates_template() -> bytes:
    """The import template: the header row, the identity column formatted as text (so Excel
    keeps all 18 characters), and a sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    bold = Font(bold=True)
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("identity_number", "major", "school"):
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, 2002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "必填", "填写内容"])
    for cell in notes[1]:
        cell.font = bold
    for column, required, text in _template_notes():
        notes.append([column, required, text])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _template_notes() -> list[tuple[str, str, str]]:
    def words(table: dict) -> str:
        return "、".join(w[0] for w in table.values())

    return [
        ("学校代码", "市教育局导入时必填", "学校标识码；学校导入本校数据时可不填"),
        ("专业代码", "是", "本校已登记专业的专业代码（6位）"),
        ("毕业年份", "是", "毕业年份，如 2018"),
        ("跟踪时点", "是", words(POINT_WORDS)),
        ("身份证号", "是", "18位居民身份证号码（设置为文本格式）；导入时转换为不可逆的假名，不保存原号码"),
        ("毕业去向", "是", words(DESTINATION_WORDS)),
        ("专业对口", "否", "是、否；仅就业、自主创业者填写"),
        ("就业地点", "否", words(LOCATION_WORDS) + "；仅就业、自主创业者填写"),
        ("签订劳动合同", "否", "是、否；仅单位就业者填写"),
        ("月收入（元）", "否", "数字，如 4500；仅就业、自主创业者填写"),
        ("对母校满意度", "否", "很满意、满意、不满意、很不满意、无法评价（或 4、3、2、1）"),
        ("用人单位满意度", "否", "很满意、满意、不满意、很不满意、无法评价（或 4、3、2、1）"),
    ]
