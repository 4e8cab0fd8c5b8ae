"""Yearly data in the JSON API: read a year's raw figures, scoped like the pages (a school its
own, a region officer its region's schools, the bureau all), and import rows with the same
check as an Excel import (imports_rows.rows_check).

POST /api/data/{dataset}/{year} takes `{"rows": [{column: value, …}], "partial": false,
"school": "<code>"}`; a row's keys are the column codes of the template (or its Chinese
headers), values as a cell would hold them ("85%", "１２３" and numbers alike). Without
`partial` it is all or nothing: any bad row and nothing is written (400, with every row
error); with `partial=true` the good rows are written and the bad ones listed. 403 when the
caller may not enter this data (or this school's), 409 when the year is locked. Whatever is
written replaces what the year held for its schools (regions), as an Excel import does.
"""

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vetq.accounts import scoping
from vetq.institutions.models import Institution, Region

from .data import (
    VIA_API,
    entry_refusal,
    is_bureau,
    lock_message,
    may_enter,
    may_read,
    own_school_ids,
    year_locked,
    yearly_rows_save,
)
from .data_queries import enrolments_for, exams_for, industry_figures, mapping_rows, resources_for
from .errors import SurveyRefused
from .imports_rows import sheet_of_records
from .models import Dataset, ExamResult, IndustryFigure
from .resource_table import resource_ratios

router = Router(tags=["yearly data"])
MAX_ROWS = 20_000


class Refusal(Schema):
    detail: list[str]


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class ImportIn(Schema):
    rows: list[dict[str, Any]] = Field(max_length=MAX_ROWS)
    partial: bool = False
    school: str | None = None  # the school the rows are for (a school's own by default)


class ImportOut(Schema):
    written: int
    replaced: int
    refused: int
    skipped: int
    errors: list[RowErrorOut]
    data_import: int | None = None


class EnrolmentOut(Schema):
    school: str = Field(alias="institution.code")
    school_name: str = Field(alias="institution.name")
    catalogue_code: str = Field(alias="major.catalogue_code")
    major: str = Field(alias="major.name")
    year: int
    enrolled: int
    students: int
    graduates: int


class ResourceOut(Schema):
    school: str
    school_name: str
    year: int
    figures: dict[str, Decimal]
    ratios: dict[str, Decimal | None]


class IndustryOut(Schema):
    region: str | None  # None: the whole city
    industry: str = Field(alias="industry.code")
    industry_name: str = Field(alias="industry.name")
    year: int
    output_value: Decimal
    employment: int
    source: str

    @staticmethod
    def resolve_region(obj: IndustryFigure) -> str | None:
        return obj.region.code if obj.region_id else None


class ExamOut(Schema):
    school: str = Field(alias="institution.code")
    school_name: str = Field(alias="institution.name")
    catalogue_code: str | None
    kind: str
    subject: str
    year: int
    candidates: int
    passed: int
    excellent: int

    @staticmethod
    def resolve_catalogue_code(obj: ExamResult) -> str | None:
        return obj.major.catalogue_code if obj.major_id else None


class MappingWeightOut(Schema):
    industry: str
    weight: Decimal


class MappingOut(Schema):
    catalogue_code: str
    names: list[str]
    schools: int
    weights: list[MappingWeightOut]


def _readable(request) -> None:
    if not may_read(request.user):
        raise Http404


def _school_in_scope(user, code: str) -> Institution:
    """The school by code if the user may read it; otherwise it does not exist (404)."""
    return get_object_or_404(scoping.institutions_for(user), code=code)


@router.get("/data/enrolment/{year}", response=list[EnrolmentOut])
@paginate
def list_enrolment(request, year: int, school: str = ""):
    """Enrolment of a year by school and major; `school` (a code) narrows to one school."""
    _readable(request)
    rows = enrolments_for(request.user).filter(year=year)
    if school:
        rows = rows.filter(institution=_school_in_scope(request.user, school))
    return rows.order_by("institution__code", "major__catalogue_code")


@router.get("/data/resources/{year}", response=list[ResourceOut])
def list_resources(request, year: int, school: str = ""):
    """Each school's resource figures of a year with the per-student ratios of the 资源表."""
    _readable(request)
    rows = resources_for(request.user).filter(year=year)
    if school:
        rows = rows.filter(institution=_school_in_scope(request.user, school))
    schools: dict[int, dict] = {}
    for row in rows.order_by("institution__code", "indicator"):
        entry = schools.setdefault(row.institution_id, {
            "school": row.institution.code, "school_name": row.institution.name,
            "year": year, "figures": {}})
        entry["figures"][row.indicator] = row.value
    return [{**entry, "ratios": resource_ratios(entry["figures"])} for entry in schools.values()]


@router.get("/data/industry/{year}", response=list[IndustryOut])
@paginate
def list_industry(request, year: int, region: str = ""):
    """The industry structure of a year; `region` a region code, or `city` for the city."""
    _readable(request)
    rows = industry_figures().filter(year=year)
    if region == "city":
        rows = rows.filter(region__isnull=True)
    elif region:
        rows = rows.filter(region=get_object_or_404(Region, code=region))
    return rows.order_by("region__order", "industry__order", "industry__code")


@router.get("/data/exams/{year}", response=list[ExamOut])
@paginate
def list_exams(request, year: int, school: str = "", kind: str = ""):
    """Exam and skill-test results of a year by school, major and subject."""
    _readable(request)
    rows = exams_for(request.user).filter(year=year)
    if school:
        rows = rows.filter(institution=_school_in_scope(request.user, school))
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("institution__code", "kind", "major__catalogue_code", "subject")


@router.get("/data/mapping", response=list[MappingOut])
def list_mapping(request):
    """The major–industry mapping: each catalogue code with its industries and weights."""
    _readable(request)
    return [{"catalogue_code": row.catalogue_code, "names": row.names, "schools": row.schools,
             "weights": [{"industry": w.industry.code, "weight": w.weight} for w in row.weights]}
            for row in mapping_rows()]


def _import(request, dataset: str, year: int, payload: ImportIn):
    user = request.user
    school = None
    if payload.school:
        school = Institution.objects.filter(code=payload.school).first()
        if school is None or not (is_bureau(user) or school.pk in own_school_ids(user)):
            return Status(403, {"detail": [_("You may enter only your own school's data.")]})
    elif not is_bureau(user) and dataset != Dataset.INDUSTRY:
        own = own_school_ids(user)
        if len(own) == 1:
            school = Institution.objects.get(pk=next(iter(own)))
    if not may_enter(user, dataset, school):
        refusal = entry_refusal(user, dataset, year, school)
        return Status(403, {"detail": [str(refusal)]})
    if year_locked(dataset, year):
        return Status(409, {"detail": [lock_message(dataset, year)]})
    sheet = sheet_of_records(dataset, payload.rows)
    try:
        result = yearly_rows_save(dataset=dataset, year=year, sheet=sheet, by=user,
                                  institution=school, partial=payload.partial, via=VIA_API)
    except SurveyRefused as refusal:
        return Status(409 if year_locked(dataset, year) else 400, {"detail": [str(refusal)]})
    body = {"written": result.written, "replaced": result.replaced,
            "refused": result.checked.refused_rows, "skipped": result.checked.skipped,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason}
                       for e in result.checked.errors],
            "data_import": result.data_import.pk if result.data_import else None}
    return Status(200 if result.written else 400, body)


_RESPONSES = {200: ImportOut, 400: ImportOut | Refusal, 403: Refusal, 409: Refusal}


@router.post("/data/enrolment/{year}", response=_RESPONSES)
def import_enrolment(request, year: int, payload: ImportIn):
    """Import enrolment rows: school code (a school may leave it out), catalogue code,
    enrolled, students, graduates."""
    return _import(request, Dataset.ENROLMENT, year, payload)


@router.post("/data/resources/{year}", response=_RESPONSES)
def import_resources(request, year: int, payload: ImportIn):
    """Import resource figures, one row per school, one key per indicator code."""
    return _import(request, Dataset.RESOURCES, year, payload)


@router.post("/data/industry/{year}", response=_RESPONSES)
def import_industry(request, year: int, payload: ImportIn):
    """Import the industry structure (bureau only): region (blank for the city), industry,
    output_value (10,000 yuan), employment, source."""
    return _import(request, Dataset.INDUSTRY, year, payload)


@router.post("/data/exams/{year}", response=_RESPONSES)
def import_exams(request, year: int, payload: ImportIn):
    """Import exam results: school, catalogue code (blank for the whole school), kind
    (academic/skill or 学业水平考试/技能抽测), subject, candidates, passed, excellent."""
    return _import(request, Dataset.EXAMS, year, payload)

