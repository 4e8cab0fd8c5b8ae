"""The employment pages (R33): the dashboard of the metrics and a school's (or the bureau's)
list of graduate records. Thin: the figures come from employment_queries, the charts'
JSON from employment_charts, the import pages from views_graduates."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vetq.accounts import scoping
from vetq.institutions.models import Institution

from . import views_graduates
from .data_queries import demo_figures_present
from .employment import MIN_CELL, Metrics
from .employment_charts import dashboard_charts, trend_chart
from .employment_queries import (
    MAJOR_GROUPS,
    Breakdown,
    ScopeNotFound,
    cohort_trend,
    cohorts_recorded,
    default_scope,
    major_group_label,
    may_view,
    scope_resolve,
    visible_schools,
)
from .forms_employment import DashboardForm, RecordFilterForm
from .models import TrackingPoint
from .templatetags.employment_figures import DASH, monthly_pay, rate

DEFAULT_POINT = TrackingPoint.HALF_YEAR  # the 计分卡 reads employment half a year on
DIMENSIONS_OF_SCOPE = {
    "city": ("school", "region", "major_group", "major"),
    "region": ("school", "major_group", "major"),
    "school": ("major_group", "major"),
    "major_group": ("school", "region", "major"),
}
RECORDS_PER_PAGE = 50


def _headline(total: Metrics, city: Metrics) -> list[dict]:
    """The scope's main figures, each with the city's beside it."""
    figures = [
        ("employment_rate", _("Employment rate"), rate),
        ("in_field_rate", _("In-field rate"), rate),
        ("contract_rate", _("Labour contract rate"), rate),
        ("local_share", _("Working in the city"), rate),
        ("pay_median", _("Median monthly pay (yuan)"), monthly_pay),
        ("further_study_rate", _("Further study"), rate),
        ("satisfied_share", _("Satisfied with the school"), rate),
        ("employer_satisfied_share", _("Employers satisfied"), rate),
    ]
    shown = [{"key": key, "label": label, "value": show(getattr(total, key)),
              "city": show(getattr(city, key))} for key, label, show in figures]
    # A figure nobody recorded at this point (employers are asked later) is left out.
    return [figure for figure in shown if (figure["value"], figure["city"]) != (DASH, DASH)]


def _scope_choices(user) -> list[tuple[str, str]]:
    """The scopes the user may open: the city, its regions, its schools, the major groups."""
    choices = [("city", _("The whole city"))]
    choices += [(f"region:{r.code}", r.name) for r in scoping.regions_for(user)]
    visible = visible_schools(user)
    schools = Institution.objects.order_by("region__order", "code")
    if visible is not None:
        schools = schools.filter(pk__in=visible)
    choices += [(f"school:{s.code}", s.name) for s in schools.only("code", "name")]
    choices += [(f"major_group:{code}", major_group_label(code)) for code in MAJOR_GROUPS]
    return choices


def _dimensions(user, kind: str) -> tuple[str, ...]:
    dimensions = DIMENSIONS_OF_SCOPE[kind]
    if not scoping.regions_for(user).exists():
        dimensions = tuple(d for d in dimensions if d != "region")
    return dimensions


@require_GET
@login_required
def employment_dashboard(request):
    """The employment metrics of a cohort at a tracking point, for the city, a region, a
    school or a major group, broken down by school, region, major group or major, each with
    the city's figure beside it, and the trend over cohorts. A school sees its own school's
    figures and the city's; a region officer its region's and its schools'; the bureau all."""
    user = request.user
    if not may_view(user):
        raise PermissionDenied
    try:
        scope = scope_resolve(user, request.GET.get("scope") or default_scope(user))
    except ScopeNotFound:
        raise Http404 from None
    point = request.GET.get("point") or DEFAULT_POINT
    if point not in TrackingPoint.values:
        point = DEFAULT_POINT
    cohorts = cohorts_recorded(point)
    dimensions = _dimensions(user, scope.kind)
    form = DashboardForm(request.GET or None, cohorts=cohorts, dimensions=dimensions)
    cohort = form.value("cohort", cohorts[0] if cohorts else None)
    by = form.value("by", dimensions[0])
    context = {
        "form": form, "scope": scope, "scopes": _scope_choices(user), "point": point,
        "point_label": TrackingPoint(point).label, "cohort": cohort, "by": by,
        "min_cell": MIN_CELL, "can_import": _may_import(user),
        "demo_data": demo_figures_present(),
    }
    if cohort is not None:
        breakdown = Breakdown(user=user, scope=scope, cohort=cohort, point=point)
        groups = breakdown.by(by)
        scoped, city = cohort_trend(scope=scope, point=point)
        context.update({
            "total": breakdown.total, "city": breakdown.city, "groups": groups,
            "headline": _headline(breakdown.total.metrics, breakdown.city.metrics),
            "charts": dashboard_charts(groups, breakdown.city.metrics, breakdown.total),
            "trend": trend_chart(scoped, city, label=scope.label, whole=scope.kind == "city"),
        })
    return render(request, "surveys/employment/dashboard.html", context)


def _may_import(user) -> bool:
    return scoping.has_role(user, "bureau_admin") or scoping.has_role(user, "school_user")


@require_GET
@login_required
def graduate_records(request):
    """The graduate records one by one, pseudonyms shortened: the bureau's all, a school's
    its own. A school asking for another school's records gets a 404."""
    user = request.user
    if not _may_import(user):
        raise PermissionDenied
    records = scoping.graduate_records_for(user)
    form = RecordFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("school"):
        school = Institution.objects.filter(code=filters["school"]).first()
        visible = visible_schools(user)
        if school is None or (visible is not None and school.pk not in visible):
            raise Http404
        records = records.filter(institution=school)
    for name, lookup in (("cohort", "cohort"), ("point", "point"),
                         ("destination", "destination"), ("major", "major__catalogue_code")):
        if filters.get(name) not in (None, ""):
            records = records.filter(**{lookup: filters[name]})
    records = records.select_related("institution", "major").order_by(
        "-cohort", "institution__code", "major__catalogue_code", "point", "pk")
    page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "surveys/employment/records.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "show_school": scoping.has_role(user, "bureau_admin"),
    })


urlpatterns = [
    path("employment/", employment_dashboard, name="employment"),
    path("graduates/records/", graduate_records, name="graduate_records"),
    *views_graduates.urlpatterns,
]
