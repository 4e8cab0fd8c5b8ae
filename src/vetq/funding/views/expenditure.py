"""A grant's expenditure page (R29, R30): plan against actual spending per budget item, with
items over the tolerance flagged, for everyone who may see the grant; the school's own users
also report each year's spending and co-funding here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vetq.accounts import scoping
from vetq.applications.forms_spec import choice_label

from ..expenditure import (
    AMOUNTS,
    ExpenditureRefused,
    budget_items,
    construction_years,
    expenditure_report,
    plan_vs_actual,
    reports_for,
)
from ..exports import payer_name
from ..models import Expenditure

FIELDS = (*AMOUNTS, "note")


def _grant(request, pk: int):
    return get_object_or_404(
        scoping.grants_for(request.user).select_related(
            "application", "program", "category", "institution__region", "payer_region",
        ),
        pk=pk,
    )


def _year_forms(grant, posted_year: int | None, posted: dict | None) -> list[dict]:
    """One form per construction year, each with a line per budget item, filled from the
    rows reported so far (or, for the year just refused, from what was posted)."""
    reported = {(row.year, row.item): row for row in Expenditure.objects.filter(grant=grant)}
    forms = []
    for year in construction_years(grant):
        lines = []
        for item in budget_items(grant):
            row = reported.get((year, item["code"]))
            if year == posted_year and posted is not None:
                values = {part: posted.get(f"{item['code']}-{part}", "") for part in FIELDS}
            elif row is not None:
                values = {part: getattr(row, part) for part in FIELDS}
            else:
                values = dict.fromkeys(FIELDS, "")
            lines.append({"code": item["code"], "label": choice_label(item), **values})
        forms.append({"year": year, "lines": lines,
                      "reported": any((year, item["code"]) in reported
                                      for item in budget_items(grant))})
    return forms


def _open_year(request, grant, posted_year: int | None) -> int:
    years = construction_years(grant)
    if posted_year in years:
        return posted_year
    try:
        wanted = int(request.GET.get("year", ""))
    except ValueError:
        wanted = timezone.localdate().year
    return min(max(wanted, years[0]), years[-1])


def _page(request, grant, *, refusal: list[str] | None = None, posted_year: int | None = None,
          posted: dict | None = None, status: int = 200):
    can_report = reports_for(request.user, grant)
    context = {
        "grant": grant,
        "payer": payer_name(grant),
        "comparison": plan_vs_actual(grant),
        "can_report": can_report,
        "year_forms": _year_forms(grant, posted_year, posted) if can_report else [],
        "open_year": _open_year(request, grant, posted_year),
        "refusal": refusal or [],
    }
    return render(request, "funding/expenditure.html", context, status=status)


def _posted_lines(grant, year: int, data) -> list[dict]:
    """The lines the form sent. An item left wholly blank is not reported, unless the year
    already has a row for it: clearing a reported line sets it to zero."""
    reported = set(Expenditure.objects.filter(grant=grant, year=year)
                   .values_list("item", flat=True))
    lines = []
    for item in budget_items(grant):
        values = {part: data.get(f"{item['code']}-{part}", "").strip() for part in FIELDS}
        if any(values.values()) or item["code"] in reported:
            lines.append({"item": item["code"], **values})
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def expenditure(request, pk: int):
    """Plan against actual per budget item; POST: the school reports one year's lines."""
    grant = _grant(request, pk)
    if request.method == "GET":
        return _page(request, grant)
    if not reports_for(request.user, grant):
        raise PermissionDenied
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        return _page(request, grant, refusal=[_("Choose a year of the construction period.")],
                     status=400)
    try:
        expenditure_report(grant=grant, year=year, lines=_posted_lines(grant, year, request.POST),
                           by=request.user)
    except ExpenditureRefused as refusal:
        return _page(request, grant, refusal=refusal.messages, posted_year=year,
                     posted=request.POST, status=400)
    messages.success(request, _("The expenditure report for %(year)s is saved.") % {"year": year})
    return redirect(f"{reverse('funding:expenditure', args=[grant.pk])}?year={year}#year-{year}")


urlpatterns = [
    path("grants/<int:pk>/expenditure/", expenditure, name="expenditure"),
]
