"""Graduate employment in the JSON API (R33): the metrics, scoped as the dashboard is, and
the import of graduate rows through the very check the Excel import uses.

Rates and shares are fractions (0.9523 = 95.23 %), satisfaction means are on the 4-point
scale, pay is yuan a month as a decimal string; a figure the small-cell rule holds back is
null. Identity numbers sent to the import are turned into pseudonyms and never stored or
returned; problems name them masked.
"""

from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from . import employment
from .employment_queries import (
    Breakdown,
    Figures,
    ScopeNotFound,
    cohort_trend,
    cohorts_recorded,
    may_view,
    scope_resolve,
)
from .errors import SurveyRefused
from .graduates_check import importer_schools
from .graduates_import import graduates_rows_import

router = Router(tags=["graduate employment"])
# Rows per import request: about 250 bytes each, well inside Django's 2.5 MB request limit
# (DATA_UPLOAD_MAX_MEMORY_SIZE). More rows go in several requests, or as an Excel upload.
API_MAX_ROWS = 5_000

Cell = str | int | float | bool | None


class MetricsOut(Schema):
    graduates: int
    suppressed: bool
    needing_work: int | None
    employment_rate: float | None
    grade: str
    self_employment_rate: float | None
    further_study_rate: float | None
    in_field_rate: float | None
    contract_rate: float | None
    local_share: float | None
    province_share: float | None
    elsewhere_share: float | None
    abroad_share: float | None
    pay_median: Decimal | None
    pay_mean: Decimal | None
    satisfaction_mean: float | None
    satisfied_share: float | None
    employer_satisfaction_mean: float | None
    employer_satisfied_share: float | None


class GroupOut(Schema):
    key: str
    label: str
    note: str
    metrics: MetricsOut


class EmploymentOut(Schema):
    cohort: int
    point: str
    scope: str
    code: str
    label: str
    metrics: MetricsOut
    city: MetricsOut
    by: str | None
    groups: list[GroupOut]
    cohorts: list[int]
    min_cell: int


def metrics_out(metrics: employment.Metrics) -> dict:
    out = {name: getattr(metrics, name) for name in MetricsOut.model_fields if name != "grade"}
    for name, value in out.items():
        if isinstance(value, Decimal) and not name.startswith("pay_"):
            out[name] = float(value)
    out["grade"] = metrics.grade
    return out


def _group_out(figures: Figures) -> dict:
    return {"key": figures.key, "label": figures.label, "note": figures.note,
            "metrics": metrics_out(figures.metrics)}


@router.get("/surveys/employment", response=EmploymentOut)
def get_employment(request, cohort: int | None = None,
                   point: Literal["graduation", "half_year", "one_year", "three_years"] = "half_year",
                   scope: Literal["city", "region", "school", "major_group"] = "city",
                   code: str = "",
                   by: Literal["school", "region", "major_group", "major", "cohort"] | None = None):
    """The employment metrics of a graduation year (default: the newest recorded) at a
    tracking point, for the city, a region, a school or a major group (by code), with the
    city's beside them and, when `by` is given, the groups behind them. A school reads its
    own school and the city; a region officer its region and its schools; the bureau all."""
    user = request.user
    if not may_view(user):
        raise HttpError(403, _("This account does not read employment figures."))
    try:
        resolved = scope_resolve(user, scope if scope == "city" else f"{scope}:{code}")
    except ScopeNotFound:
        raise Http404 from None
    cohorts = cohorts_recorded(point)
    if cohort is None:
        if not cohorts:
            raise Http404
        cohort = cohorts[0]
    breakdown = Breakdown(user=user, scope=resolved, cohort=cohort, point=point)
    if by == "cohort":
        groups = cohort_trend(scope=resolved, point=point)[0]
    elif by is not None:
        groups = breakdown.by(by)
    else:
        groups = []
    return {
        "cohort": cohort, "point": point, "scope": resolved.kind, "code": resolved.code,
        "label": resolved.label, "metrics": metrics_out(breakdown.total.metrics),
        "city": metrics_out(breakdown.city.metrics), "by": by,
        "groups": [_group_out(g) for g in groups], "cohorts": cohorts,
        "min_cell": employment.MIN_CELL,
    }


class GraduateRowIn(Schema):
    """One graduate at one tracking point; values as in the Excel template (Chinese words or
    the English codes: employed, half_year, local, …)."""

    model_config = ConfigDict(extra="forbid")

    school: Cell = None
    major: Cell = None
    cohort: Cell = None
    point: Cell = None
    identity_number: Cell = None
    destination: Cell = None
    in_field: Cell = None
    location: Cell = None
    contract: Cell = None
    pay: Cell = None
    satisfaction: Cell = None
    employer_satisfaction: Cell = None


class GraduatesIn(Schema):
    rows: list[GraduateRowIn] = Field(max_length=API_MAX_ROWS)
    partial: bool = False  # import the good rows even when others have problems
    dry_run: bool = False  # check only


class RowErrorOut(Schema):
    row: int  # 1 for the first row sent
    column: str
    reason: str


class GraduatesOut(Schema):
    written: int
    replaced: int
    refused: int
    errors: list[RowErrorOut]
    data_import: int | None = None


class Refusal(Schema):
    detail: list[str]


@router.post("/data/graduates",
             response={200: GraduatesOut, 400: GraduatesOut, 403: Refusal, 409: Refusal})
def import_graduates(request, payload: GraduatesIn):
    """Import graduate rows with the checks of the Excel import. Without `partial`, nothing
    is written unless every row is good; each school's cohort at a tracking point replaces
    the records it has there. 200 when rows were written (or a dry run found no problem),
    400 with every problem otherwise; 409 when another import got there first."""
    try:
        importer_schools(request.user)
    except SurveyRefused as refusal:
        return Status(403, {"detail": [str(refusal)]})
    try:
        check, data_import = graduates_rows_import(
            rows=[row.model_dump() for row in payload.rows], by=request.user,
            today=timezone.localdate(), partial=payload.partial, dry_run=payload.dry_run)
    except SurveyRefused as refusal:
        return Status(409, {"detail": [str(refusal)]})
    written = data_import.rows_written if data_import else 0
    body = {
        "written": written,
        "replaced": sum(group.existing for group in check.groups) if data_import else 0,
        "refused": check.rows_refused,
        "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in check.errors],
        "data_import": data_import.pk if data_import else None,
    }
    ok = written or (payload.dry_run and not check.errors and check.good)
    return Status(200 if ok else 400, body)

