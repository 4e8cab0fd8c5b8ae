"""Importing yearly data from Excel in two steps: upload and check (nothing written), then
import the good rows.

The upload is kept as a StoredFile on a DataImport; the check and the import both read it
again, so nothing waits in the session and what is written is checked as things stand at
that moment (a year locked meanwhile refuses). A DataImport with rows written has been
imported; one without has only been checked.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.core.excel import ExcelRefused, Sheet, workbook_read
from vetq.core.uploads import XLSX, UploadRefused, stored_file_create
from vetq.institutions.models import Institution

from .data import (
    VIA_FILE,
    SaveResult,
    entry_refusal,
    is_bureau,
    replaced_rows,
    yearly_rows_save,
)
from .errors import SurveyRefused
from .imports_rows import CheckedRows, rows_check
from .imports_specs import CITY_WORDS, SPECS
from .models import DataImport, Dataset

XLSX_ONLY = frozenset({XLSX})


def sheet_of_file(dataset: str, file) -> Sheet:
    """The rows of the dataset's sheet in an uploaded workbook (by the template's sheet name,
    else by its header row). Refuses (SurveyRefused) a file that cannot be read as one."""
    spec = SPECS[dataset]
    try:
        return workbook_read(file, spec.columns, sheet_names=(spec.sheet_title,))
    except ExcelRefused as refusal:
        raise SurveyRefused(refusal.message) from refusal


def data_import_upload(*, dataset: str, year: int, file, by,
                       institution: Institution | None = None,
                       today: date | None = None) -> DataImport:
    """Read and check an uploaded workbook, keep it, and record the upload; no data is
    written until `data_import_confirm`. Refuses (nothing kept): a user who may not enter
    this data (or this school's), a bad or locked year, and a file that is not an .xlsx
    workbook or has no sheet with the dataset's header row. Audited."""
    refusal = entry_refusal(by, dataset, year, institution, today)
    if refusal is not None:
        raise refusal
    sheet = sheet_of_file(dataset, file)
    checked = rows_check(dataset, sheet, year=year, institution=institution)
    try:
        stored = stored_file_create(upload=file, by=by, allowed=XLSX_ONLY)
    except UploadRefused as refused:
        raise SurveyRefused(str(refused)) from refused
    data_import = DataImport.objects.create(
        dataset=dataset, year=year, institution=institution, file=stored, by=by,
        rows_refused=checked.refused_rows)
    audit_log(action="surveys.import_upload", actor=by, obj=data_import,
              after={"dataset": dataset, "year": year, "file": stored.sha256,
                     "rows": checked.total, "refused": checked.refused_rows})
    return data_import


@dataclass
class ImportCheck:
    """What importing an upload would do now."""

    data_import: DataImport
    sheet: str
    checked: CheckedRows
    replaced: list[tuple[str, int]]  # (school or region, rows it holds now) to be replaced

    @property
    def imported(self) -> bool:
        return bool(self.data_import.rows_written)


def _sheet_of_import(data_import: DataImport) -> Sheet:
    if data_import.file_id is None:
        raise SurveyRefused(_("The file of this import is no longer kept."))
    with data_import.file.file.open("rb") as handle:
        return sheet_of_file(data_import.dataset, handle)


def data_import_check(data_import: DataImport) -> ImportCheck:
    """Read the kept file again and check its rows as things stand; nothing is written."""
    sheet = _sheet_of_import(data_import)
    checked = rows_check(data_import.dataset, sheet, year=data_import.year,
                         institution=data_import.institution)
    return ImportCheck(data_import=data_import, sheet=sheet.title, checked=checked,
                       replaced=replacement_summary(data_import.dataset, data_import.year,
                                                    checked.good))


def replacement_summary(dataset: str, year: int, good: list[dict]) -> list[tuple[str, int]]:
    """Each school (or region) whose rows of `year` importing `good` would replace, with
    the number of rows it holds now."""
    if not good:
        return []
    held = replaced_rows(dataset, year, good)
    if dataset == Dataset.INDUSTRY:
        counts = held.values_list("region__name").annotate(n=Count("pk")).order_by(
            "region__order")
        return [(name or CITY_WORDS[0], n) for name, n in counts]
    counts = held.values_list("institution__name").annotate(n=Count("pk")).order_by(
        "institution__code")
    return list(counts)


def data_import_confirm(*, data_import: DataImport, by, today: date | None = None) -> SaveResult:
    """Import the good rows of a checked upload (see `yearly_rows_save`): they replace what
    the year held for their schools (regions). Refuses an upload of someone else, one
    already imported, and one without a single good row; the rest as yearly_rows_save."""
    if data_import.by_id != by.pk:
        raise SurveyRefused(_("Only the person who uploaded the file can import it."))
    if data_import.rows_written:
        raise SurveyRefused(_("This file has already been imported."))
    sheet = _sheet_of_import(data_import)
    result = yearly_rows_save(dataset=data_import.dataset, year=data_import.year, sheet=sheet,
                              by=by, institution=data_import.institution, partial=True,
                              via=VIA_FILE, data_import=data_import, today=today)
    if not result.written:
        raise SurveyRefused(_("No row of this file can be imported; correct the file and "
                              "upload it again."))
    return result


def data_imports_for(user) -> QuerySet:
    """Uploads the user may open: the bureau every one, anyone else their own."""
    imports = DataImport.objects.filter(dataset__in=list(SPECS)).select_related(
        "institution", "by", "file")
    return imports if is_bureau(user) else imports.filter(by_id=user.pk)
