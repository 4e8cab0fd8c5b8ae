"""Survey metrics in the JSON API (read only), scoped as the pages are: the alignment index of
the city, a region or a school (the single numbers and the per-industry rows behind them), and
the exam and skill-test rates. Anyone with a role that reads survey figures reads the city's;
a region or school outside the caller's reach is not found (404)."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from .alignment_queries import AlignmentData, Scope, ScopeAlignment, survey_rules
from .exam_metrics import Rates
from .exam_queries import ExamData
from .views_alignment import reach

router = Router(tags=["surveys"])
DIGITS = 6


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


class IndustryOut(Schema):
    industry: str
    name: str
    pillar: bool
    students: float
    amount: float
    enrolment_share: float
    industry_share: float
    gap: float
    deviation: float | None
    status: str


class UnmappedOut(Schema):
    catalogue_code: str
    name: str
    students: int


class AlignmentOut(Schema):
    year: int
    scope: str
    code: str | None
    name: str
    measure: str
    enrolment_measure: str
    industry_basis: str
    students: int
    unmapped_students: int
    unmapped: list[UnmappedOut]
    problem: str | None
    similarity: float | None
    pearson: float | None
    total_deviation: float | None
    coverage: float | None
    pillar_coverage: float | None
    local_industries: int | None
    local_served: int | None
    pillar_industries: int | None
    pillar_served: int | None
    local_target: float
    pillar_target: float
    meets_local_target: bool | None
    meets_pillar_target: bool | None
    industries: list[IndustryOut]


def alignment_out(result: ScopeAlignment) -> dict:
    a = result.alignment
    return {
        "year": result.year, "scope": str(result.scope), "code": result.code,
        "name": result.name, "measure": result.measure,
        "enrolment_measure": result.enrolment_measure, "industry_basis": str(result.basis),
        "students": result.students, "unmapped_students": result.unmapped_students,
        "unmapped": [vars(m) for m in result.unmapped],
        "problem": str(result.problem) if result.problem else None,
        "similarity": _round(a.similarity) if a else None,
        "pearson": _round(a.pearson) if a else None,
        "total_deviation": _round(a.total_deviation) if a else None,
        "coverage": _round(a.coverage) if a else None,
        "pillar_coverage": _round(a.pillar_coverage) if a else None,
        "local_industries": a.local_industries if a else None,
        "local_served": a.local_served if a else None,
        "pillar_industries": a.pillar_industries if a else None,
        "pillar_served": a.pillar_served if a else None,
        "local_target": result.local_target, "pillar_target": result.pillar_target,
        "meets_local_target": result.meets_local_target,
        "meets_pillar_target": result.meets_pillar_target,
        "industries": [{
            "industry": row.industry, "name": row.label, "pillar": row.pillar,
            "students": _round(row.students), "amount": _round(row.amount),
            "enrolment_share": _round(row.enrolment_share),
            "industry_share": _round(row.industry_share), "gap": _round(row.gap),
            "deviation": _round(row.deviation), "status": str(row.status),
        } for row in (a.rows if a else ())],
    }


def _reach(request):
    try:
        return reach(request.user)
    except PermissionDenied:
        raise HttpError(403, "This account does not read survey figures.") from None


@router.get("/surveys/alignment", response=AlignmentOut)
def get_alignment(request, year: int | None = None,
                  scope: Literal["city", "region", "school"] = "city", code: str = "",
                  measure: Literal["output_value", "employment"] | None = None):
    """The alignment of the city, a region or a school (by code) in a year (default: the
    newest with enrolment and industry figures), against output value or employment (default:
    the policy's first measure); shares, gaps and deviations as fractions (0.25 = 25%)."""
    allowed = _reach(request)
    rules = survey_rules()
    data = AlignmentData(None if year is None else [year], rules=rules)
    if year is None:
        if not data.years:
            raise Http404
        year = data.years[-1]
    scope = Scope(scope)
    if scope != Scope.CITY:
        try:
            pk = data.region_pk(code) if scope == Scope.REGION else data.school_pk(code)
        except LookupError:
            raise Http404 from None
        if pk not in (allowed.regions if scope == Scope.REGION else allowed.schools):
            raise Http404
    return alignment_out(data.scope(year, measure or rules.industry_measures[0], scope, code))


class RatesOut(Schema):
    key: str | None
    label: str
    note: str
    candidates: int
    passed: int
    excellent: int
    pass_rate: float | None
    excellent_rate: float | None
    city_pass_rate: float | None
    city_excellent_rate: float | None


class ExamRatesOut(Schema):
    year: int
    kind: str | None
    city: RatesOut
    institution: RatesOut | None
    regions: list[RatesOut]
    schools: list[RatesOut]
    major_groups: list[RatesOut]
    kinds: list[RatesOut]


def rates_out(rates: Rates) -> dict:
    return {
        "key": None if rates.key is None else str(rates.key), "label": rates.label,
        "note": rates.note, "candidates": rates.candidates, "passed": rates.passed,
        "excellent": rates.excellent, "pass_rate": _round(rates.pass_rate),
        "excellent_rate": _round(rates.excellent_rate),
        "city_pass_rate": _round(rates.city_pass_rate),
        "city_excellent_rate": _round(rates.city_excellent_rate),
    }


@router.get("/surveys/exams", response=ExamRatesOut)
def get_exams(request, year: int | None = None,
              kind: Literal["academic", "skill"] | None = None, school: str = ""):
    """Pass and excellent rates in a year (default: the newest), of one kind of exam or both:
    the city's, by region and school (those the caller may read), by major group and by kind;
    with `school`, that school's major groups and kinds beside the city's of the same group."""
    allowed = _reach(request)
    data = ExamData(None if year is None else [year], kind=kind)
    if year is None:
        if not data.years:
            raise Http404
        year = data.years[-1]
    focus = None
    if school:
        focus = next((pk for pk, (code, _n, _r) in data.schools.items() if code == school), None)
        if focus is None or focus not in allowed.schools:
            raise Http404
    rates = data.rates_for(year, schools=allowed.schools, regions=allowed.regions,
                           institution=focus)
    return {
        "year": rates.year, "kind": rates.kind, "city": rates_out(rates.city),
        "institution": rates_out(rates.institution) if rates.institution else None,
        "regions": [rates_out(r) for r in rates.regions],
        "schools": [rates_out(r) for r in rates.schools],
        "major_groups": [rates_out(r) for r in rates.groups],
        "kinds": [rates_out(r) for r in rates.kinds],
    }
