"""The grant pages: the list in the user's scope with the payer and the money on each grant,
one grant with its tranches and ledger and the forms its user may use, and the bureau's
approval of an application in publicity into a grant. Grants are looked up through
`scoping.grants_for` (outside it: 404); writes go through `funding.grants`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState
from vetq.institutions.enums import RegionKind
from vetq.institutions.models import Region
from vetq.programs import subsidy
from vetq.programs.models import Category, SubsidyKind

from .. import queries
from ..budget import BudgetExceeded, budget_figures
from ..forms import ApprovalForm, PaymentForm, RecoveryForm, ReversalForm
from ..grants import GrantRefused, application_approve, grant_amounts
from ..ledger import grant_balances, tranche_payable_amount
from ..models import EntryKind, GrantState, TrancheCondition

PAGE_SIZE = 50
TRANCHE_STATES = {
    "withheld": gettext_lazy("Withheld"),
    "paid": gettext_lazy("Paid"),
    "payable": gettext_lazy("Payable now"),
    "waiting": gettext_lazy("Waiting for its condition"),
    "stopped": gettext_lazy("Not payable: the grant is not active"),
}


def require_perm(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def grant_get(request, pk: int):
    """The grant `pk` if the user may read it (404 otherwise), with what its page shows."""
    return get_object_or_404(
        scoping.grants_for(request.user).select_related(
            "application", "category", "institution__region", "payer_region", "subsidy_rule",
            "created_by",
        ),
        pk=pk,
    )


def _filter_choices(grants) -> dict:
    return {
        "payers": Region.objects.filter(kind=RegionKind.COUNTY_CITY),
        "categories": Category.objects.filter(active=True).order_by("order", "code"),
        "regions": Region.objects.all(),
        "years": queries.grant_years(grants),
        "states": GrantState.choices,
    }


@require_GET
@login_required
def grant_list(request):
    """Grants in the user's scope with payer, promised, paid and recovered; filterable by
    payer, category, region, year, state, and what is due or overdue for payment."""
    require_perm(request.user, "funding.view")
    grants = scoping.grants_for(request.user)
    filters = queries.GrantFilters.from_query(request.GET)
    listed = queries.grants_listed(grants, filters, timezone.localdate())
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "city": subsidy.CITY}
    if request.htmx:
        return render(request, "funding/_grant_results.html", context)
    return render(request, "funding/grant_list.html", {**context, **_filter_choices(grants)})


def _tranche_state(tranche, grant) -> str:
    if not tranche.live:
        return "withheld"
    if tranche.paid >= tranche.amount:
        return "paid"
    if tranche.payable > 0:
        return "payable"
    return "waiting" if grant.state == GrantState.ACTIVE else "stopped"


def _plan_initial(tranches) -> list[dict]:
    return [{"amount": f"{t.amount:.2f}", "due_date": t.due_date.isoformat(),
             "condition": t.condition} for t in tranches if t.live]


def grant_page(request, grant, *, refusal: list[str] | None = None, bound: dict | None = None,
               status: int = 200):
    """The grant page. `bound` carries a refused form back to its place: `pay` with
    `pay_tranche`, `reverse` with `reverse_entry`, `recovery`, or `plan` (rows as typed)."""
    user, bound, today = request.user, bound or {}, timezone.localdate()
    may_pay = scoping.pays_for(user, grant)
    may_plan = user.has_perm("funding.plan") and grant.state == GrantState.ACTIVE
    tranches = queries.grant_tranches(grant)
    for tranche in tranches:
        tranche.payable = tranche_payable_amount(tranche, today)
        tranche.status = _tranche_state(tranche, grant)
        tranche.status_label = TRANCHE_STATES[tranche.status]
        if may_pay and tranche.status == "payable":
            tranche.pay_form = (bound["pay"] if bound.get("pay_tranche") == tranche.pk else
                                PaymentForm(initial={"amount": tranche.payable, "paid_on": today},
                                            auto_id=f"pay{tranche.pk}-%s"))
    entries = queries.grant_entries(grant)
    for entry in entries:
        entry.reversal = getattr(entry, "reversed_by", None)
        if may_pay and entry.kind == EntryKind.PAYMENT and entry.reversal is None:
            entry.reverse_form = (bound["reverse"] if bound.get("reverse_entry") == entry.pk
                                  else ReversalForm(auto_id=f"rev{entry.pk}-%s"))
    recovery_form = None
    if may_pay or scoping.has_role(user, Role.BUREAU_ADMIN):
        recovery_form = bound.get("recovery") or RecoveryForm(initial={"on": today})
    context = {
        "grant": grant,
        "balances": grant_balances(grant),
        "tranches": tranches,
        "entries": entries,
        "may_pay": may_pay,
        "recovery_form": recovery_form,
        "plan_rows": (bound.get("plan") or _plan_initial(tranches)) if may_plan else None,
        "plan_locked": any(t.live and t.paid != 0 for t in tranches),
        "conditions": TrancheCondition.choices,
        "refusal": refusal or [],
        "bound": bound,
    }
    return render(request, "funding/grant_detail.html", context, status=status)


@require_GET
@login_required
def grant_detail(request, pk: int):
    """One grant: its facts and payer, balances, tranches, ledger and the user's forms."""
    return grant_page(request, grant_get(request, pk))


def _approval_terms(application) -> dict:
    """What the approval page shows: the rule, who pays, and the municipal rate that is a
    county-level city's floor (None for a range rule, whose amount is set here)."""
    category = application.call_category.category
    rule_row = category.current_rule
    program = application.call_category.call.program
    payer = program.payer_for(application.institution.region)
    ranged = rule_row is not None and rule_row.kind == SubsidyKind.RANGE
    floor = None
    if rule_row is not None and not ranged:
        try:
            floor = grant_amounts(application=application, amount=None, commissioned=False,
                                  county_amount=None)[2]
        except GrantRefused:
            floor = None
    return {"rule": rule_row, "ranged": ranged, "county": payer != subsidy.CITY,
            "floor": floor, "figures": budget_figures(program)}


@require_http_methods(["GET", "POST"])
@login_required
def approve(request, application_pk: int):
    """The bureau approves an application in publicity into a grant (R1–R18, R27, R28).
    A refusal (target reached, budget overrun, amount outside the rule, county rate below
    the municipal one) is shown on the page and nothing is changed."""
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    application = get_object_or_404(
        scoping.applications_for(request.user).select_related(
            "call_category__call__program", "call_category__category", "institution__region"),
        pk=application_pk,
    )
    if application.state != ApplicationState.IN_PUBLICITY:
        messages.warning(request, _("Only an application in publicity can be approved; this "
                                    "one is %(state)s.") % {"state": application.get_state_display()})
        return redirect("applications:detail", pk=application.pk)
    terms = _approval_terms(application)
    form = ApprovalForm(request.POST if request.method == "POST" else None,
                        ranged=terms["ranged"], county=terms["county"],
                        initial={"commissioned": application.commissioned,
                                 "county_amount": terms["floor"]})
    refusal: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = application_approve(
                application=application, by=request.user, amount=data.get("amount"),
                commissioned=data["commissioned"], county_amount=data.get("county_amount"),
                comment=data["comment"],
            )
        except (GrantRefused, BudgetExceeded) as exc:
            refusal = [str(exc)]
        except Refused as exc:
            refusal = exc.messages()
        else:
            messages.success(request, _("Approved: %(title)s. Its grant and tranches are "
                                        "created.") % {"title": application.title})
            return redirect("funding:grant_detail", pk=grant.pk)
    return render(request, "funding/approve.html",
                  {"application": application, "form": form, "refusal": refusal, **terms})


urlpatterns = [
    path("grants/", grant_list, name="grant_list"),
    path("grants/<int:pk>/", grant_detail, name="grant_detail"),
    path("approve/<int:application_pk>/", approve, name="approve"),
]
