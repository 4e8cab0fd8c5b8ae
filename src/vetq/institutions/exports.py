"""Excel export of institutions and majors, in the import's own format so it re-imports.

Callers pass querysets already narrowed by `accounts.scoping`; nothing here widens them.
"""

from django.db.models import QuerySet

from vetq.core.excel import Column, SheetSpec, workbook_build

from .enums import InstitutionType
from .imports import (
    INSTITUTION_COLUMNS,
    MAJOR_COLUMNS,
    NO,
    TYPE_LABELS,
    YES,
)
from .models import Department, Industry, Region

INSTITUTIONS_SHEET = "学校"
MAJORS_SHEET = "专业"
_VALUES_SHEET = "可填写的值"


def institutions_export(queryset: QuerySet) -> bytes:
    """One row per institution of `queryset`, ordered by code."""
    institutions = queryset.select_related("region", "supervising_department").order_by("code")
    rows = (
        (
            institution.code,
            institution.name,
            institution.name_en,
            TYPE_LABELS.get(institution.type, institution.type),
            institution.region.name,
            institution.supervising_department.name,
        )
        for institution in institutions
    )
    return workbook_build(SheetSpec(INSTITUTIONS_SHEET, INSTITUTION_COLUMNS, rows))


def majors_export(queryset: QuerySet) -> bytes:
    """One row per major of `queryset`, ordered by school code and catalogue code."""
    majors = (
        queryset.select_related("institution")
        .prefetch_related("industries")
        .order_by("institution__code", "catalogue_code")
    )
    rows = (
        (
            major.institution.code,
            major.catalogue_code,
            major.name,
            "、".join(industry.name for industry in major.industries.all()),
            YES if major.is_backbone else NO,
        )
        for major in majors
    )
    return workbook_build(SheetSpec(MAJORS_SHEET, MAJOR_COLUMNS, rows))


def institutions_template() -> bytes:
    """An empty institutions sheet, and a second sheet listing the values each column takes."""
    values = _values_columns(("学校类型", "所属地区", "主管部门"))
    listed = _side_by_side(
        [TYPE_LABELS[value] for value in InstitutionType.values],
        list(Region.objects.values_list("name", flat=True)),
        list(Department.objects.values_list("name", flat=True)),
    )
    return workbook_build(
        SheetSpec(INSTITUTIONS_SHEET, INSTITUTION_COLUMNS),
        SheetSpec(_VALUES_SHEET, values, listed),
    )


def majors_template() -> bytes:
    """An empty majors sheet, and a second sheet listing industries and yes/no marks."""
    values = _values_columns(("服务产业", "骨干专业"))
    listed = _side_by_side(list(Industry.objects.values_list("name", flat=True)), [YES, NO])
    return workbook_build(
        SheetSpec(MAJORS_SHEET, MAJOR_COLUMNS),
        SheetSpec(_VALUES_SHEET, values, listed),
    )


def _values_columns(headers: tuple[str, ...]) -> list[Column]:
    return [Column(header, header, width=24) for header in headers]


def _side_by_side(*lists: list[str]) -> list[list[str]]:
    height = max(len(values) for values in lists)
    return [[values[i] if i < len(values) else None for values in lists] for i in range(height)]
