"""Excel import and export of the expert pool (专家库, R24), one format for both so an export
re-imports unchanged.

The import checks every row first and writes nothing unless all are good; then it creates or
updates each expert, matched by its code, through the pool services (so every change is
audited and a new employer rechecks the expert's assignments), all in one transaction. The
headers and the 学校/企业 and 是/否 words are the file format, not UI text.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.core.excel import (
    Column,
    ExcelRefused,
    RowError,
    Sheet,
    SheetRow,
    SheetSpec,
    sheet_read,
    workbook_build,
)
from vetq.institutions.models import Enterprise, Industry, Institution, Region

from . import pool
from .models import Expert

EXPERT_COLUMNS = (
    Column("code", "专家编号", width=12),
    Column("name", "姓名", width=12),
    Column("title", "职称", required=False, width=14),
    Column("employer_kind", "工作单位类型", width=12),
    Column("employer_code", "工作单位代码", width=24),
    Column("region", "所在地区", required=False, width=12),
    Column("specialties", "专长行业", required=False, width=36),
    Column("major_groups", "专业大类", required=False, width=14),
    Column("phone", "电话", required=False, width=16),
    Column("email", "邮箱", required=False, width=28),
    Column("active", "在库", required=False, width=8),
)
SCHOOL, ENTERPRISE = "学校", "企业"
YES, NO = "是", "否"
_KINDS = {word: kind for kind, words in (
    ("institution", (SCHOOL, "院校", "school", "institution")),
    ("enterprise", (ENTERPRISE, "enterprise", "company")),
) for word in words}
_YES_WORDS = {YES, "y", "yes", "1", "true", ""}
_NO_WORDS = {NO, "n", "no", "0", "false"}
SEPARATORS = re.compile(r"[、,;，；\s]+")
SHEET_TITLE = "专家库"
_VALUES_SHEET = "可填写的值"
# A refusal from a service names a form field; this is the column that holds it.
_FIELD_COLUMNS = {"employer_institution": "employer_code", "employer_enterprise": "employer_code"}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    refused: str = ""  # why the file as a whole could not be read

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refused


def split_list(value: str) -> list[str]:
    """A cell listing several values, separated by 、 , ; or spaces."""
    return [part for part in SEPARATORS.split(value or "") if part]


def _names(objects, *fields: str) -> dict:
    lookup = {}
    for obj in objects:
        for name in fields:
            value = getattr(obj, name)
            if value:
                lookup.setdefault(value.lower(), obj)
    return lookup


def experts_import(*, file, by) -> ImportResult:
    """Create or update experts, matched by code, from an uploaded sheet.

    Writes nothing when any row is bad: a required value missing, a malformed or repeated
    code, an unknown employer kind, employer, region or industry, a major group that is not
    two digits, an invalid e-mail address, a 在库 mark other than 是 or 否, a value too long.
    Refuses users other than the bureau.
    """
    if not pool.is_bureau(by):
        raise PermissionDenied
    try:
        sheet = sheet_read(file, EXPERT_COLUMNS)
    except ExcelRefused as refusal:
        return ImportResult(refused=refusal.message)
    rows = _rows(sheet)
    if sheet.errors:
        return ImportResult(errors=sheet.errors)
    return _write(rows, sheet, by)


def _rows(sheet: Sheet) -> list[tuple[SheetRow, dict]]:
    schools = {i.code.lower(): i for i in Institution.objects.filter(
        code__in={row["employer_code"] for row in sheet.rows}).select_related("region")}
    enterprises = _names(Enterprise.objects.select_related("region"), "credit_code", "name")
    regions = _names(Region.objects.all(), "code", "name", "name_en")
    industries = _names(Industry.objects.all(), "code", "name", "name_en")
    seen: dict[str, int] = {}
    valid = []
    for row in sheet.rows:
        errors_before = len(sheet.errors)
        blank = sheet.require(row, EXPERT_COLUMNS)
        values = {key: row[key] for key in ("name", "title", "phone", "email")}
        values["code"] = code = pool.code_normalise(row["code"])
        for key, check in (("code", pool.code_check), ("email", pool.email_check)):
            if row[key]:
                try:
                    check(row[key])
                except pool.PoolRefused as refusal:
                    sheet.error(row, key, refusal.message)
        for key in ("name", "title", "phone"):
            sheet.length_check(row, key, Expert._meta.get_field(key).max_length)
        if code and code in seen:
            sheet.error(row, "code", _("Repeated in this file: also on row %(row)d.")
                        % {"row": seen[code]})
        seen.setdefault(code, row.number)
        values["employer_institution"] = values["employer_enterprise"] = None
        kind = _KINDS.get(row["employer_kind"].lower())
        if "employer_kind" not in blank and kind is None:
            sheet.error(row, "employer_kind", _("Write %(school)s or %(enterprise)s.")
                        % {"school": SCHOOL, "enterprise": ENTERPRISE})
        employer = None
        if kind and "employer_code" not in blank:
            employer_code = row["employer_code"]
            if kind == "institution":
                employer = schools.get(employer_code.lower())
                message = _("Unknown school code “%(value)s”.")
            else:
                employer = enterprises.get(employer_code.lower())
                message = _("Unknown enterprise “%(value)s” (write its credit code or name).")
            if employer is None:
                sheet.error(row, "employer_code", message % {"value": employer_code})
            values[f"employer_{kind}"] = employer
        values["region"] = None
        if row["region"]:
            values["region"] = regions.get(row["region"].lower())
            if values["region"] is None:
                sheet.error(row, "region", _("Unknown region “%(value)s”.") % {"value": row["region"]})
        elif employer is not None:
            values["region"] = employer.region
        names = split_list(row["specialties"])
        unknown = [name for name in names if name.lower() not in industries]
        if unknown:
            sheet.error(row, "specialties", _("Unknown industry: %(names)s.")
                        % {"names": "、".join(unknown)})
        values["specialties"] = sorted({industries[n.lower()] for n in names
                                        if n.lower() in industries}, key=lambda i: i.pk)
        try:
            values["major_groups"] = pool.major_groups_check(split_list(row["major_groups"]))
        except pool.PoolRefused as refusal:
            sheet.error(row, "major_groups", refusal.message)
        active = row["active"].lower()
        if active not in _YES_WORDS | _NO_WORDS:
            sheet.error(row, "active", _("Write 是 or 否 (Y/N, 1/0 are also accepted)."))
        values["active"] = active in _YES_WORDS
        if len(sheet.errors) == errors_before:
            valid.append((row, values))
    return valid


class _Abort(Exception):
    pass


def _write(rows: list[tuple[SheetRow, dict]], sheet: Sheet, by) -> ImportResult:
    result = ImportResult()
    existing = Expert.objects.select_related(
        "employer_institution", "employer_enterprise", "region"
    ).prefetch_related("specialties").in_bulk([values["code"] for _row, values in rows],
                                              field_name="code")
    try:
        with transaction.atomic():
            for row, values in rows:
                try:
                    _write_row(values, existing.get(values["code"]), by, result)
                except pool.PoolRefused as refusal:
                    key = _FIELD_COLUMNS.get(refusal.field, refusal.field) or "code"
                    sheet.error(row, key, refusal.message)
                    raise _Abort from refusal
            audit_log(action="experts.import", actor=by, object_type=Expert._meta.label_lower,
                      after={"rows": len(rows), "created": result.created,
                             "updated": result.updated, "unchanged": result.unchanged})
    except _Abort:
        return ImportResult(errors=sheet.errors)
    return result


def _write_row(values: dict, expert: Expert | None, by, result: ImportResult) -> None:
    profile = {key: values.get(key, "") for key in pool.PROFILE_FIELDS}
    if expert is None:
        pool.expert_create(by=by, active=values["active"], **profile)
        result.created += 1
        return
    changes = {key: value for key, value in profile.items() if _differs(expert, key, value)}
    if changes:
        pool.expert_update(expert=expert, by=by, **changes)
    if expert.active != values["active"]:
        if values["active"]:
            pool.expert_activate(expert=expert, by=by)
        else:
            pool.expert_deactivate(expert=expert, by=by, reason=_("Marked 否 in an import."))
    if changes or expert.active != values["active"]:
        result.updated += 1
    else:
        result.unchanged += 1


def _differs(expert: Expert, key: str, value) -> bool:
    if key == "specialties":
        return {i.pk for i in expert.specialties.all()} != {i.pk for i in value}
    return getattr(expert, key) != value


# Export -----------------------------------------------------------------------------------

def employer_cells(expert: Expert) -> tuple[str, str]:
    """(工作单位类型, 工作单位代码) of an expert, as the import reads them."""
    if expert.employer_institution_id:
        return SCHOOL, expert.employer_institution.code
    if expert.employer_enterprise_id:
        enterprise = expert.employer_enterprise
        return ENTERPRISE, enterprise.credit_code or enterprise.name
    return "", ""


def experts_export(queryset: QuerySet) -> bytes:
    """One row per expert of `queryset`, ordered by code, in the import's format."""
    experts = queryset.select_related(
        "employer_institution", "employer_enterprise", "region"
    ).prefetch_related("specialties").order_by("code")
    rows = (
        (
            expert.code,
            expert.name,
            expert.title,
            *employer_cells(expert),
            expert.region.name if expert.region_id else "",
            "、".join(industry.name for industry in expert.specialties.all()),
            "、".join(expert.major_groups),
            expert.phone,
            expert.email,
            YES if expert.active else NO,
        )
        for expert in experts
    )
    return workbook_build(SheetSpec(SHEET_TITLE, EXPERT_COLUMNS, rows))


def experts_template() -> bytes:
    """An empty pool sheet, and a second sheet listing the values the columns take."""
    headers = ("工作单位类型", "所在地区", "专长行业", "在库")
    listed = _side_by_side(
        [SCHOOL, ENTERPRISE],
        list(Region.objects.values_list("name", flat=True)),
        list(Industry.objects.values_list("name", flat=True)),
        [YES, NO],
    )
    return workbook_build(
        SheetSpec(SHEET_TITLE, EXPERT_COLUMNS),
        SheetSpec(_VALUES_SHEET, [Column(h, h, width=24) for h in headers], listed),
    )


def _side_by_side(*lists: list[str]) -> list[list[str | None]]:
    height = max(len(values) for values in lists)
    return [[values[i] if i < len(values) else None for values in lists] for i in range(height)]
