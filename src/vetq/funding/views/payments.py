"""Money on a grant (R29): the paying finance officer records payments and reverses mistakes,
the bureau or the payer records recoveries (收回), the bureau changes the tranche plan.

Each view finds the grant through `scoping.grants_for` (404 outside), checks the role (403),
calls the ledger or grants service and goes back to the grant; a refusal re-renders the grant
page with the reason and nothing written. There is no edit or delete of a ledger row."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.money import format_money

from ..forms import PaymentForm, RecoveryForm, ReversalForm, plan_rows
from ..grants import GrantRefused, tranche_plan_set
from ..ledger import LedgerRefused, entry_reverse, payment_record, recovery_record
from ..models import LedgerEntry, Tranche
from .grants import grant_get, grant_page, require_perm

FORM_REFUSED = gettext_lazy("Nothing was recorded: please check the form below.")


def _money(amount) -> str:
    return format_money(amount, get_language() or "zh-hans")


def _require_payer(user, grant) -> None:
    if not scoping.pays_for(user, grant):
        raise PermissionDenied


def _done(request, grant, message: str):
    messages.success(request, message)
    return redirect("funding:grant_detail", pk=grant.pk)


@require_POST
@login_required
def payment_record_view(request, pk: int):
    """The paying finance officer records a payment on a payable tranche."""
    tranche = get_object_or_404(Tranche.objects.filter(grant__in=scoping.grants_for(request.user)),
                                pk=pk)
    grant = grant_get(request, tranche.grant_id)
    _require_payer(request.user, grant)
    form = PaymentForm(request.POST, auto_id=f"pay{tranche.pk}-%s")
    bound = {"pay": form, "pay_tranche": tranche.pk}
    if not form.is_valid():
        return grant_page(request, grant, refusal=[str(FORM_REFUSED)], bound=bound)
    data = form.cleaned_data
    try:
        payment_record(tranche=tranche, amount=data["amount"], voucher_no=data["voucher_no"],
                       paid_on=data["paid_on"], payer_account=data["payer_account"],
                       by=request.user)
    except LedgerRefused as refusal:
        return grant_page(request, grant, refusal=[str(refusal)], bound=bound)
    return _done(request, grant, _("Payment of %(amount)s recorded on tranche %(seq)s.")
                 % {"amount": _money(data["amount"]), "seq": tranche.seq})


@require_POST
@login_required
def entry_reverse_view(request, pk: int):
    """The paying finance officer corrects a payment by a reversing entry, with a reason."""
    entry = get_object_or_404(
        LedgerEntry.objects.filter(grant__in=scoping.grants_for(request.user)), pk=pk)
    grant = grant_get(request, entry.grant_id)
    _require_payer(request.user, grant)
    form = ReversalForm(request.POST, auto_id=f"rev{entry.pk}-%s")
    bound = {"reverse": form, "reverse_entry": entry.pk}
    if not form.is_valid():
        return grant_page(request, grant, refusal=[str(FORM_REFUSED)], bound=bound)
    try:
        entry_reverse(entry=entry, reason=form.cleaned_data["reason"], by=request.user,
                      on=form.cleaned_data["on"])
    except LedgerRefused as refusal:
        return grant_page(request, grant, refusal=[str(refusal)], bound=bound)
    return _done(request, grant, _("The payment with voucher %(voucher)s is reversed.")
                 % {"voucher": entry.voucher_no})


@require_POST
@login_required
def recovery_record_view(request, pk: int):
    """The bureau or the paying finance officer records money taken back from the school."""
    grant = grant_get(request, pk)
    if not (scoping.pays_for(request.user, grant)
            or scoping.has_role(request.user, Role.BUREAU_ADMIN)):
        raise PermissionDenied
    form = RecoveryForm(request.POST)
    bound = {"recovery": form}
    if not form.is_valid():
        return grant_page(request, grant, refusal=[str(FORM_REFUSED)], bound=bound)
    data = form.cleaned_data
    try:
        recovery_record(grant=grant, amount=data["amount"], reason=data["reason"],
                        voucher_no=data["voucher_no"], on=data["on"], by=request.user)
    except LedgerRefused as refusal:
        return grant_page(request, grant, refusal=[str(refusal)], bound=bound)
    return _done(request, grant, _("Recovery of %(amount)s recorded.")
                 % {"amount": _money(data["amount"])})


@require_POST
@login_required
def plan_set_view(request, pk: int):
    """The bureau replaces the grant's unpaid tranche plan; it must add up to the grant."""
    grant = grant_get(request, pk)
    require_perm(request.user, "funding.plan")
    plan = plan_rows(request.POST)
    bound = {"plan": plan.typed}
    if plan.errors:
        return grant_page(request, grant, refusal=plan.errors, bound=bound)
    try:
        tranche_plan_set(grant=grant, by=request.user, tranches=plan.rows)
    except GrantRefused as refusal:
        return grant_page(request, grant, refusal=[str(refusal)], bound=bound)
    return _done(request, grant, _("The tranche plan is saved."))


urlpatterns = [
    path("tranches/<int:pk>/pay/", payment_record_view, name="payment_record"),
    path("entries/<int:pk>/reverse/", entry_reverse_view, name="entry_reverse"),
    path("grants/<int:pk>/recover/", recovery_record_view, name="recovery_record"),
    path("grants/<int:pk>/plan/", plan_set_view, name="plan_set"),
]
