"""The exams dashboard (R20): pass and excellent rates of the academic proficiency tests and
skill spot tests by region, school, major group and year, each with the city's rate beside.
Thin: the figures come from surveys.exam_queries; a school reads its own school and the city,
a region officer its region and its schools, the bureau and department viewers everything."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from vetq.accounts.scoping import own_institutions

from .chart_data import bar_chart, line_chart, percent_value
from .data_queries import demo_figures_present
from .exam_metrics import Rates
from .exam_queries import ExamData, exam_years
from .models import ExamKind
from .views_alignment import reach

# One sentence per formula, the same words as docs/surveys.md (a test checks).
EXAM_FORMULAS = {
    "rates": gettext_lazy(
        "The pass rate is the candidates who passed ÷ all candidates; the excellent rate is the "
        "candidates rated excellent ÷ all candidates."),
    "pooled": gettext_lazy(
        "The rate of a region, a major group or the whole city counts every candidate once "
        "(all its passes ÷ all its candidates), so a large school weighs more than a small "
        "one; the city average beside each row is the rate of all the city's candidates."),
    "groups": gettext_lazy(
        "A major group is the first two digits of the national catalogue code; results entered "
        "for a whole school, without a major, form a group of their own."),
}


def rates_chart(rows: list[Rates], city: Rates, *, horizontal: bool = False) -> dict:
    """Pass and excellent rates per row, the city's averages as reference lines."""
    return bar_chart(
        [row.label for row in rows],
        [{"name": _("Pass rate"), "data": [percent_value(row.pass_rate) for row in rows]},
         {"name": _("Excellent rate"),
          "data": [percent_value(row.excellent_rate) for row in rows]}],
        horizontal=horizontal,
        marks=[m for m in (
            {"name": _("City pass rate"), "value": percent_value(city.pass_rate), "series": 0},
            {"name": _("City excellent rate"), "value": percent_value(city.excellent_rate),
             "series": 1},
        ) if m["value"] is not None],
    )


def beside_chart(rows: list[Rates]) -> dict:
    """A school's rates per major group beside the city's rates of the same group."""
    return bar_chart(
        [row.label for row in rows],
        [{"name": _("Pass rate"), "data": [percent_value(row.pass_rate) for row in rows]},
         {"name": _("City pass rate"),
          "data": [percent_value(row.city_pass_rate) for row in rows]},
         {"name": _("Excellent rate"),
          "data": [percent_value(row.excellent_rate) for row in rows]},
         {"name": _("City excellent rate"),
          "data": [percent_value(row.city_excellent_rate) for row in rows]}],
        horizontal=True,
    )


def trend_chart(points, own_label: str) -> dict:
    series = [
        {"name": _("City pass rate"), "data": [percent_value(p.city.pass_rate) for p in points]},
        {"name": _("City excellent rate"),
         "data": [percent_value(p.city.excellent_rate) for p in points]},
    ]
    if points and points[0].own is not None:
        series = [
            {"name": _("%(name)s pass rate") % {"name": own_label},
             "data": [percent_value(p.own.pass_rate) for p in points]},
            {"name": _("%(name)s excellent rate") % {"name": own_label},
             "data": [percent_value(p.own.excellent_rate) for p in points]},
        ] + [dict(s, dashed=True) for s in series]
    return line_chart([str(p.year) for p in points], series, unit="%", min_value=0,
                      max_value=100)


@require_GET
@login_required
def dashboard(request):
    """One year's rates (both kinds of exam, or one): the city's, by region, by school, by major
    group and by kind, each beside the city's; the trend over the years. `school` narrows the
    major groups and the trend to one school (a school user always sees its own)."""
    allowed = reach(request.user)
    kind = request.GET.get("kind") or None
    if kind not in ExamKind.values:
        kind = None
    data = ExamData(kind=kind)
    years = sorted(set(exam_years()) | set(data.years), reverse=True)
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0)) or None
    except ValueError:
        year = years[0] if years else None
    if year is not None and year not in years:
        year = years[0] if years else None
    own = own_institutions(request.user)
    school_code = request.GET.get("school", "")
    focus = None
    if school_code:
        focus = next((pk for pk, (code, _n, _r) in data.schools.items() if code == school_code),
                     None)
        if focus is None or focus not in allowed.schools:
            raise Http404
    elif len(own) == 1 and not allowed.regions:
        focus = own[0].pk
    region_focus = None
    if focus is None and len(allowed.regions) == 1 and len(allowed.schools) < len(data.schools):
        region_focus = next(iter(allowed.regions))
    context = {
        "years": years, "year": year, "kind": kind or "", "kinds": ExamKind.choices,
        "formulas": EXAM_FORMULAS, "demo_data": demo_figures_present(),
        "schools_reachable": [(code, name) for pk, (code, name, _r) in data.schools.items()
                              if pk in allowed.schools and pk in {r.school for r in data.rows}],
        "school": school_code,
    }
    if year is not None:
        rates = data.rates_for(year, schools=allowed.schools, regions=allowed.regions,
                               institution=focus)
        if focus is not None:
            own_label = data.schools[focus][1]
        elif region_focus is not None:
            own_label = data.regions[region_focus][1]
        else:
            own_label = ""
        trend = data.trend(school=focus, region=region_focus)
        context.update({
            "rates": rates,
            "focus": rates.institution,
            "trend": trend,
            "own_label": own_label,
            "trend_chart": trend_chart(trend, own_label),
            "region_chart": rates_chart(rates.regions, rates.city) if rates.regions else None,
            "school_chart": rates_chart(rates.schools, rates.city, horizontal=True)
            if rates.schools else None,
            "group_chart": (beside_chart(rates.groups) if focus is not None
                            else rates_chart(rates.groups, rates.city, horizontal=True))
            if rates.groups else None,
        })
    return render(request, "surveys/exams/dashboard.html", context)


urlpatterns = [
    path("exams/", dashboard, name="exams"),
]
