"""Excel import of institutions and majors: every row is checked before anything is written.

The column headers and the type and yes/no words below are the file format, not UI text: a
sheet must read the same whatever language its author's browser uses, and an export must
re-import unchanged, so they are fixed here rather than translated.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.core.excel import Column, ExcelRefused, RowError, Sheet, SheetRow, sheet_read

from .enums import InstitutionType
from .models import Department, Industry, Institution, Major, Region

INSTITUTION_COLUMNS = (
    Column("code", "学校代码", width=14),
    Column("name", "学校名称", width=36),
    Column("name_en", "英文名称", required=False, width=44),
    Column("type", "学校类型", width=14),
    Column("region", "所属地区", width=12),
    Column("supervising_department", "主管部门", width=14),
)
MAJOR_COLUMNS = (
    Column("institution_code", "学校代码", width=14),
    Column("catalogue_code", "专业代码", width=12),
    Column("name", "专业名称", width=28),
    Column("industries", "服务产业", required=False, width=40),
    Column("is_backbone", "骨干专业", required=False, width=10),
)
TYPE_LABELS = {
    InstitutionType.HIGHER_VOCATIONAL: "高职院校",
    InstitutionType.SECONDARY_VOCATIONAL: "中等职业学校",
    InstitutionType.TECHNICAL: "技工院校",
}
YES, NO = "是", "否"
_YES_WORDS = {YES, "y", "yes", "1", "true"}
_NO_WORDS = {NO, "n", "no", "0", "false", ""}
INDUSTRY_SEPARATORS = re.compile(r"[、,;，；]")
CATALOGUE_CODE = re.compile(r"[0-9]{4,12}")


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


def _names(objects, *fields: str) -> dict:
    """Each object under every non-blank value of `fields`, compared case-insensitively."""
    lookup = {}
    for obj in objects:
        for name in fields:
            value = getattr(obj, name)
            if value:
                lookup.setdefault(value.lower(), obj)
    return lookup


def _type_names() -> dict[str, str]:
    names = {}
    for value, label in InstitutionType.choices:
        with translation.override("en"):
            english = str(label)
        for name in (value, TYPE_LABELS[value], english, str(label)):
            names[name.lower()] = value
    return names


def _read(file, by, columns) -> Sheet:
    if not by.has_perm("institutions.import"):
        raise PermissionDenied
    return sheet_read(file, columns)


def institutions_import(*, file, by) -> ImportResult:
    """Create or update institutions, matched by code, from an uploaded sheet.

    Writes nothing when any row is bad: a required value missing or too long, an unknown
    type, region or department, a code or name repeated in the file, or a name another
    institution already has. Otherwise writes every row and one audit entry in one
    transaction. Refuses users without `institutions.import`.
    """
    try:
        sheet = _read(file, by, INSTITUTION_COLUMNS)
    except ExcelRefused as refusal:
        return ImportResult(refused=refusal.message)
    rows = _institution_rows(sheet)
    if sheet.errors:
        return ImportResult(errors=sheet.errors)
    with transaction.atomic():
        result = _institutions_write(rows)
        _audit(by, "institutions", len(rows), result)
    return result


def _institution_rows(sheet: Sheet) -> list[dict]:
    types = _type_names()
    regions = _names(Region.objects.all(), "code", "name", "name_en")
    departments = _names(Department.objects.all(), "code", "name", "name_en")
    names_in_file = {row["name"].lower() for row in sheet.rows}
    held_names = dict(
        Institution.objects.annotate(lower_name=Lower("name"))
        .filter(lower_name__in=names_in_file)
        .values_list("lower_name", "code")
    )
    field_lengths = {
        key: Institution._meta.get_field(key).max_length for key in ("code", "name", "name_en")
    }
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    valid = []
    for row in sheet.rows:
        errors_before = len(sheet.errors)
        blank = sheet.require(row, INSTITUTION_COLUMNS)
        for key, length in field_lengths.items():
            sheet.length_check(row, key, length)
        code, name = row["code"], row["name"]
        if code and code in seen_codes:
            sheet.error(row, "code", _("Repeated in this file: also on row %(row)d.")
                        % {"row": seen_codes[code]})
        seen_codes.setdefault(code, row.number)
        if name and name.lower() in seen_names:
            sheet.error(row, "name", _("Repeated in this file: also on row %(row)d.")
                        % {"row": seen_names[name.lower()]})
        seen_names.setdefault(name.lower(), row.number)
        holder = held_names.get(name.lower())
        if holder is not None and holder != code:
            sheet.error(row, "name", _("Institution %(code)s already has this name.")
                        % {"code": holder})
        kind = _known(sheet, row, "type", types, blank, _("Unknown institution type “%(value)s”."))
        region = _known(sheet, row, "region", regions, blank, _("Unknown region “%(value)s”."))
        department = _known(sheet, row, "supervising_department", departments, blank,
                            _("Unknown department “%(value)s”."))
        if len(sheet.errors) == errors_before:
            valid.append({
                "code": code, "name": name, "name_en": row["name_en"], "type": kind,
                "region_id": region.pk, "supervising_department_id": department.pk,
            })
    return valid


def _known(sheet: Sheet, row: SheetRow, key: str, lookup: dict, blank: set, message: str):
    """The value of `key` looked up in `lookup`, or None with an error if it is unknown."""
    if key in blank:
        return None
    found = lookup.get(row[key].lower())
    if found is None:
        sheet.error(row, key, message % {"value": row[key]})
    return found


def _institutions_write(rows: list[dict]) -> ImportResult:
    existing = Institution.objects.in_bulk([values["code"] for values in rows], field_name="code")
    result = ImportResult()
    created, changed = [], []
    for values in rows:
        institution = existing.get(values["code"])
        if institution is None:
            created.append(Institution(**values))
        elif any(getattr(institution, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(institution, key, value)
            changed.append(institution)
        else:
            result.unchanged += 1
    Institution.objects.bulk_create(created)
    fields = [key for key in rows[0] if key != "code"]
    Institution.objects.bulk_update(changed, fields)
    result.created, result.updated = len(created), len(changed)
    return result


def majors_import(*, file, by) -> ImportResult:
    """Create or update majors, matched by (institution, catalogue code), from a sheet.

    Writes nothing when any row is bad: a required value missing or too long, an unknown
    school or industry, a catalogue code that is not 4–12 digits, a backbone mark other
    than yes or no, or a major repeated in the file. Otherwise writes every row, with its
    industries, and one audit entry in one transaction. Refuses users without
    `institutions.import`.
    """
    try:
        sheet = _read(file, by, MAJOR_COLUMNS)
    except ExcelRefused as refusal:
        return ImportResult(refused=refusal.message)
    rows = _major_rows(sheet)
    if sheet.errors:
        return ImportResult(errors=sheet.errors)
    with transaction.atomic():
        result = _majors_write(rows)
        _audit(by, "majors", len(rows), result)
    return result


def _major_rows(sheet: Sheet) -> list[dict]:
    institutions = Institution.objects.in_bulk(
        {row["institution_code"] for row in sheet.rows}, field_name="code"
    )
    lookup = {code.lower(): institution for code, institution in institutions.items()}
    industries = _names(Industry.objects.all(), "code", "name", "name_en")
    name_length = Major._meta.get_field("name").max_length
    seen: dict[tuple[str, str], int] = {}
    valid = []
    for row in sheet.rows:
        errors_before = len(sheet.errors)
        blank = sheet.require(row, MAJOR_COLUMNS)
        sheet.length_check(row, "name", name_length)
        institution = _known(sheet, row, "institution_code", lookup, blank,
                             _("Unknown institution code “%(value)s”."))
        catalogue_code = row["catalogue_code"]
        if catalogue_code and not CATALOGUE_CODE.fullmatch(catalogue_code):
            sheet.error(row, "catalogue_code", _("A catalogue code is 4 to 12 digits."))
        key = (row["institution_code"].lower(), catalogue_code)
        if catalogue_code and key in seen:
            sheet.error(row, "catalogue_code", _("Repeated in this file: also on row %(row)d.")
                        % {"row": seen[key]})
        seen.setdefault(key, row.number)
        names = [part.strip() for part in INDUSTRY_SEPARATORS.split(row["industries"])]
        names = [name for name in names if name]
        unknown = [name for name in names if name.lower() not in industries]
        if unknown:
            sheet.error(row, "industries", _("Unknown industry: %(names)s.")
                        % {"names": "、".join(unknown)})
        backbone = row["is_backbone"].lower()
        if backbone not in _YES_WORDS | _NO_WORDS:
            sheet.error(row, "is_backbone", _("Write 是 or 否 (Y/N, 1/0 are also accepted)."))
        if len(sheet.errors) == errors_before:
            valid.append({
                "institution_id": institution.pk, "catalogue_code": catalogue_code,
                "name": row["name"], "is_backbone": backbone in _YES_WORDS,
                "industry_ids": {industries[name.lower()].pk for name in names},
            })
    return valid


def _majors_write(rows: list[dict]) -> ImportResult:
    existing = {
        (major.institution_id, major.catalogue_code): major
        for major in Major.objects.filter(
            institution_id__in={values["institution_id"] for values in rows}
        ).prefetch_related("industries")
    }
    result = ImportResult()
    created, changed, links = [], [], {}
    for values in rows:
        industry_ids = values.pop("industry_ids")
        major = existing.get((values["institution_id"], values["catalogue_code"]))
        if major is None:
            major = Major(**values)
            created.append(major)
            links[id(major)] = (major, industry_ids)
            continue
        fields_differ = major.name != values["name"] or major.is_backbone != values["is_backbone"]
        links_differ = {industry.pk for industry in major.industries.all()} != industry_ids
        if not (fields_differ or links_differ):
            result.unchanged += 1
            continue
        major.name, major.is_backbone = values["name"], values["is_backbone"]
        changed.append(major)
        if links_differ:
            links[id(major)] = (major, industry_ids)
    Major.objects.bulk_create(created)
    Major.objects.bulk_update(changed, ["name", "is_backbone"])
    through = Major.industries.through
    through.objects.filter(major_id__in=[major.pk for major, _ids in links.values()]).delete()
    through.objects.bulk_create(
        through(major_id=major.pk, industry_id=industry_id)
        for major, industry_ids in links.values()
        for industry_id in sorted(industry_ids)
    )
    result.created, result.updated = len(created), len(changed)
    return result


def _audit(by, sheet: str, rows: int, result: ImportResult) -> None:
    audit_log(
        action="institutions.import",
        actor=by,
        object_type=(Institution if sheet == "institutions" else Major)._meta.label_lower,
        after={
            "sheet": sheet, "rows": rows, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged,
        },
    )
