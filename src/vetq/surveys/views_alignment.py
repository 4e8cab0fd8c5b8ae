"""The alignment pages (R32): the overview (the city's figures against the targets, their trend,
each region and school) and the detail of the city, a region or a school (the single numbers
AND the per-industry gaps behind them, with the trend). Thin: the figures come from
surveys.alignment_queries; scoping from accounts.scoping (a school reads its own school and
the city; a region officer its region and its schools; the bureau and department viewers
everything). Anything outside the user's reach is not found (404)."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from vetq.accounts.scoping import institution_filter, institutions_for, regions_for

from .alignment import Status
from .alignment_queries import (
    AlignmentData,
    Basis,
    Scope,
    ScopeAlignment,
    alignment_years,
    survey_rules,
)
from .chart_data import index_value, line_chart, percent_value
from .data_queries import demo_figures_present

MEASURE_LABELS = {
    "output_value": gettext_lazy("Output value"),
    "employment": pgettext_lazy("measure", "Employment"),
}
ENROLMENT_LABELS = {
    "enrolled": gettext_lazy("new students"),
    "students": gettext_lazy("students on roll"),
    "graduates": gettext_lazy("graduates"),
}
SHARE_LABELS = {
    "output_value": gettext_lazy("Share of output value"),
    "employment": gettext_lazy("Share of employment"),
}
STATUS_LABELS = {
    Status.UNDER: gettext_lazy("Under-served"),
    Status.BALANCED: gettext_lazy("Balanced"),
    Status.OVER: gettext_lazy("Over-served"),
    Status.NOT_LOCAL: gettext_lazy("No local output"),
    Status.ABSENT: pgettext_lazy("industry", "Absent"),
}
SCOPE_LABELS = {
    Scope.CITY: pgettext_lazy("scope", "City"),
    Scope.REGION: pgettext_lazy("scope", "Region"),
    Scope.SCHOOL: pgettext_lazy("scope", "School"),
}

# One sentence per formula, the same words as docs/surveys.md (a test checks).
FORMULAS = {
    "shares": gettext_lazy(
        "A major's students count towards each industry it serves by the bureau's weights "
        "(its weight ÷ the sum of the major's weights); majors not in the mapping are left "
        "out of the shares and listed apart."),
    "similarity": gettext_lazy(
        "Similarity S = 1 − ½ Σ |p − q| is the part of the students already spread like the "
        "economy: 1 means every industry's share of students equals its share of output (or "
        "employment), 0 that the two have nothing in common."),
    "deviation": gettext_lazy(
        "The structural deviation of an industry is its share of students ÷ its share of "
        "output (or employment) − 1: 0 is in step, −50% means half the students its weight "
        "calls for, +50% half as many again; it is undefined where the industry has no local "
        "output."),
    "total_deviation": gettext_lazy(
        "The total deviation is the average size of the structural deviations of the "
        "industries with local output (or employment): 0 means every industry gets exactly its "
        "share of students."),
    "pearson": gettext_lazy(
        "The Pearson correlation of the two sets of shares runs from −1 to 1: near 1, the "
        "industries with a larger share of output (or employment) also have a larger share of "
        "students; it is not given when either set is the same for every industry."),
    "coverage": gettext_lazy(
        "The coverage of local industries is the number of industries with local output (or "
        "employment) that at least one student is counted towards ÷ the number of such "
        "industries; the coverage of pillar industries is the same for the pillar industries."),
    "status": gettext_lazy(
        "An industry is under-served when its share of students falls short of its share of "
        "output (or employment) by more than the policy's tolerance, over-served when it "
        "exceeds it by more."),
}

BASIS_TEXT = {
    Basis.CITY: gettext_lazy("the whole city's industry figures"),
    Basis.REGIONS_SUM: gettext_lazy("the sum of the regions' industry figures (no whole-city "
                                    "figures that year)"),
    Basis.REGION: gettext_lazy("the industry figures of %(region)s"),
    Basis.CITY_FOR_REGION: gettext_lazy("the city's industry figures (%(region)s has none of "
                                        "its own that year)"),
    Basis.NONE: gettext_lazy("no industry figures"),
}


def basis_text(result: ScopeAlignment) -> str:
    region = result.region_name or result.name
    return str(BASIS_TEXT[result.basis]) % {"region": result.basis_region or region}


@dataclass(frozen=True)
class Reach:
    """What the user may open: every region and school, or some (primary keys)."""

    regions: set[int]
    schools: set[int]


def reach(user) -> Reach:
    """The regions and schools whose alignment the user may read; refuses users with no role
    that reads survey figures (an expert, for instance)."""
    if institution_filter(user) is None:
        raise PermissionDenied
    return Reach(regions=set(regions_for(user).values_list("pk", flat=True)),
                 schools=set(institutions_for(user).values_list("pk", flat=True)))


def choices(request, data: AlignmentData, rules) -> tuple[int | None, str, list[int]]:
    """The year (the newest with enrolment and industry figures, unless asked) and the
    industry measure (the policy's first, unless asked) of a page."""
    years = sorted(set(alignment_years()) | set(data.years), reverse=True)
    default = data.years[-1] if data.years else (years[0] if years else None)
    try:
        year = int(request.GET.get("year") or default or 0) or None
    except ValueError:
        year = default
    if year is not None and year not in years:
        year = default
    measure = request.GET.get("measure", "")
    if measure not in rules.industry_measures:
        measure = rules.industry_measures[0]
    return year, measure, years


def trend_chart(points: list[ScopeAlignment], city: list[ScopeAlignment] | None = None) -> dict:
    """Similarity, Pearson and the two coverages over the years (and the city's similarity
    beside a region's or school's)."""
    def values(results, figure):
        return [index_value(figure(r.alignment)) if r.alignment else None for r in results]

    series = [
        {"name": _("Similarity"), "data": values(points, lambda a: a.similarity)},
        {"name": _("Pearson correlation"), "data": values(points, lambda a: a.pearson)},
        {"name": _("Coverage of local industries"), "data": values(points, lambda a: a.coverage)},
        {"name": _("Coverage of pillar industries"),
         "data": values(points, lambda a: a.pillar_coverage)},
    ]
    if city is not None:
        series.append({"name": _("Similarity, whole city"), "dashed": True,
                       "data": values(city, lambda a: a.similarity)})
    series = [s for s in series if any(value is not None for value in s["data"])]
    return line_chart([str(r.year) for r in points], series, unit="", min_value=-1 if any(
        r.alignment and r.alignment.pearson is not None and r.alignment.pearson < 0
        for r in points) else 0, max_value=1)


def gap_chart(result: ScopeAlignment) -> dict:
    """Each industry's share of students beside its share of output (or employment)."""
    rows = [row for row in result.alignment.rows if row.served or row.local]
    return {
        "type": "bar", "horizontal": True, "unit": "%",
        "labels": [row.label for row in rows],
        "series": [
            {"name": _("Share of students"),
             "data": [percent_value(row.enrolment_share) for row in rows]},
            {"name": str(SHARE_LABELS[result.measure]),
             "data": [percent_value(row.industry_share) for row in rows]},
        ],
    }


def _common(request, rules, data, year, measure, years) -> dict:
    return {
        "rules": rules, "year": year, "years": years, "measure": measure,
        "measures": [(m, MEASURE_LABELS[m]) for m in rules.industry_measures],
        "measure_label": MEASURE_LABELS[measure],
        "enrolment_label": ENROLMENT_LABELS[data.enrolment_measure],
        "formulas": FORMULAS, "demo_data": demo_figures_present(),
        "pillars_defined": bool(data.pillars),
        "tolerance_points": f"{float(rules.balanced_within) * 100:.1f}",
    }


@require_GET
@login_required
def overview(request):
    """The city's alignment in a year against the targets, its trend, and each region and
    school the user may read (a school: its own)."""
    allowed = reach(request.user)
    rules = survey_rules()
    data = AlignmentData(rules=rules)
    year, measure, years = choices(request, data, rules)
    context = _common(request, rules, data, year, measure, years)
    if year is not None:
        city = data.city(year, measure)
        trend = data.trend(measure, Scope.CITY)
        context.update({
            "city": city,
            "basis": basis_text(city),
            "regions": data.regions_of(year, measure, allowed.regions),
            "schools": data.schools_of(year, measure, allowed.schools),
            "trend": trend,
            "trend_chart": trend_chart(trend),
        })
    return render(request, "surveys/alignment/overview.html", context)


@require_GET
@login_required
def detail(request, scope: str, code: str | None = None):
    """One scope in one year: the single numbers beside the city's, the per-industry shares,
    gaps and deviations (sorted from the most under-served), unmapped majors, the trend."""
    allowed = reach(request.user)
    rules = survey_rules()
    data = AlignmentData(rules=rules)
    scope = Scope(scope)
    if scope == Scope.REGION:
        try:
            pk = data.region_pk(code)
        except LookupError:
            raise Http404 from None
        if pk not in allowed.regions:
            raise Http404
    elif scope == Scope.SCHOOL:
        try:
            pk = data.school_pk(code)
        except LookupError:
            raise Http404 from None
        if pk not in allowed.schools:
            raise Http404
    year, measure, years = choices(request, data, rules)
    context = _common(request, rules, data, year, measure, years)
    context.update({"scope": scope, "code": code, "scope_label": SCOPE_LABELS[scope]})
    if year is None:
        context["result"] = None
        return render(request, "surveys/alignment/detail.html", context)
    result = data.scope(year, measure, scope, code)
    city = data.city(year, measure) if scope != Scope.CITY else None
    trend = data.trend(measure, scope, code)
    context.update({
        "result": result,
        "city": city,
        "basis": basis_text(result),
        "trend": trend,
        "trend_chart": trend_chart(trend, data.trend(measure, Scope.CITY) if city else None),
        "gap_chart": gap_chart(result) if result.alignment else None,
        "rows": [(row, STATUS_LABELS[row.status]) for row in result.alignment.by_gap]
        if result.alignment else [],
    })
    return render(request, "surveys/alignment/detail.html", context)


urlpatterns = [
    path("alignment/", overview, name="alignment"),
    path("alignment/city/", detail, {"scope": "city"}, name="alignment_city"),
    path("alignment/region/<slug:code>/", detail, {"scope": "region"}, name="alignment_region"),
    path("alignment/school/<str:code>/", detail, {"scope": "school"}, name="alignment_school"),
]
