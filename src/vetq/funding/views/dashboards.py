"""The budget pages (R27): the dashboard with its charts and payment lists, the forecast with
its what-if county share, and the bureau's yearly allocations. Thin: the figures come from
funding.dashboards, the projection from funding.forecast."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from vetq.accounts.scoping import grants_for
from vetq.core.money import WAN
from vetq.programs.models import Program
from vetq.programs.queries import current_program

from .. import dashboards as figures
from ..budget import municipal_grants
from ..forecast import share_from_percent
from ..models import BudgetAllocation

DASHBOARD = "funding.dashboard"
ALLOCATE = "funding.plan"
PERCENT = Decimal("0.1")


def _program() -> Program:
    program = current_program()
    if program is None:
        raise Http404
    return program


def _wan(amount: Decimal) -> str:
    """An amount in 万元 for a chart axis, as a string (JSON has no decimals)."""
    return str((amount / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def chart_data(rows: list[figures.Row]) -> dict:
    """A stacked bar per row: paid (net of recoveries) under committed-but-unpaid, whose
    sum is the committed amount; recoveries as a bar of their own."""
    return {
        "labels": [row.label for row in rows],
        "unit": _("10,000 yuan"),
        "series": [
            {"name": _("Paid, net of recoveries"), "stack": "committed",
             "data": [_wan(row.net_paid) for row in rows]},
            {"name": _("Committed, not yet paid"), "stack": "committed",
             "data": [_wan(row.unpaid) for row in rows]},
            {"name": _("Recovered"), "data": [_wan(row.recovered) for row in rows]},
        ],
    }


@require_GET
@login_required
@permission_required(DASHBOARD, raise_exception=True)
def dashboard(request):
    """Committed, paid, recovered and free money by year, category, region and payer; the
    tranches due and overdue; each school's grants. A county-level city's finance officer
    sees its own payer's money only."""
    program = _program()
    scope = figures.dashboard_scope(request.user)
    today = timezone.localdate()
    grants = scope.grants(program)
    counted = municipal_grants(program) if scope.whole else grants
    charts = [("year", _("By year of approval"), figures.by_year(program, counted))]
    if scope.whole:
        charts.append(("payer", _("By payer"), figures.by_payer(program, grants)))
    charts.append(("category", _("By category"), figures.by_category(counted)))
    if scope.whole:
        charts.append(("region", _("By region of the school"), figures.by_region(counted)))
    # The payment lists link to the grants; department viewers read the figures only.
    can_open = request.user.has_perm("funding.view")
    listed = grants_for(request.user, grants) if can_open else grants
    return render(request, "funding/dashboard.html", {
        "program": program,
        "scope": scope,
        "today": today,
        "headline": figures.headline(program, scope),
        "charts": [{"key": key, "title": title, "rows": rows, "data": chart_data(rows),
                    "allocations": key == "year" and any(r.budget is not None for r in rows)}
                   for key, title, rows in charts],
        "due": list(figures.tranches_due(listed, today)),
        "overdue": list(figures.tranches_overdue(listed, today)),
        "can_open": can_open,
        "schools": figures.by_school(grants),
        "can_allocate": request.user.has_perm(ALLOCATE),
    })


class ShareForm(forms.Form):
    county_share = forms.DecimalField(
        label=gettext_lazy("Share of projects paid by county-level cities (%)"), required=False,
        min_value=0, max_value=100, max_digits=5, decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1", "min": "0",
                                        "max": "100"}),
    )


@require_GET
@login_required
@permission_required(DASHBOARD, raise_exception=True)
def forecast(request):
    """The municipal money the projects still to come will need, against the money free;
    the county share is the share so far unless the what-if field sets one."""
    program = _program()
    so_far = figures.county_share(program)
    form = ShareForm(request.GET if "county_share" in request.GET else None)
    so_far_percent = (so_far * 100).quantize(PERCENT, rounding=ROUND_HALF_UP)
    form.fields["county_share"].widget.attrs["placeholder"] = str(so_far_percent)
    share = so_far
    if form.is_bound and form.is_valid() and form.cleaned_data["county_share"] is not None:
        share = share_from_percent(form.cleaned_data["county_share"])
    result = figures.program_forecast(program, share=share)
    context = {
        "program": program,
        "form": form,
        "result": result,
        "share_percent": (share * 100).quantize(PERCENT, rounding=ROUND_HALF_UP),
        "so_far_percent": so_far_percent,
        "what_if": share != so_far,
        "year": figures.forecast_year(program),
    }
    # A history restore wants the whole page back, not the fragment.
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "funding/_forecast_result.html" if fragment else "funding/forecast.html"
    return render(request, template, context)


class AllocationForm(forms.Form):
    """One optional amount per year of the program; empty means no allocation that year."""

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        for year in years:
            self.fields[str(year)] = forms.DecimalField(
                label=str(year), required=False, min_value=0, max_digits=15, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm num",
                                                "step": "0.01", "min": "0"}),
            )

    def amounts(self) -> dict[int, Decimal | None]:
        return {int(name): value for name, value in self.cleaned_data.items()}


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ALLOCATE, raise_exception=True)
def allocations(request):
    """The bureau sets optional yearly allocations of the program budget (R27): approvals of
    a year may then commit no more than its allocation."""
    program = _program()
    current = dict(BudgetAllocation.objects.filter(program=program).values_list("year", "amount"))
    form = AllocationForm(request.POST if request.method == "POST" else None,
                          years=program.years, initial={str(y): a for y, a in current.items()})
    if form.is_bound and form.is_valid():
        try:
            figures.allocations_set(program=program, amounts=form.amounts(), by=request.user)
        except figures.AllocationRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The yearly allocations are saved."))
            return redirect("funding:allocations")
    rows = {row.key: row for row in figures.by_year(program, municipal_grants(program))}
    return render(request, "funding/allocations.html", {
        "program": program,
        "form": form,
        "rows": [(form[str(year)], rows[year]) for year in program.years],
        "allocated": sum(current.values(), Decimal(0)),
    })


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("forecast/", forecast, name="forecast"),
    path("allocations/", allocations, name="allocations"),
]
