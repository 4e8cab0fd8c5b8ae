"""The grant pages' forms: approval with its amounts, payments, reversals, recoveries and the
bureau's tranche plan. Amounts are typed as text and become Decimal yuan with two places;
the services decide what the rules allow, the forms only what a well-formed entry is."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TrancheCondition

TEXT = {"class": "form-control"}
DATE = {"class": "form-control", "type": "date"}
AMOUNT_PATTERN = re.compile(r"^\d{1,13}(\.\d{1,2})?$")
REASON_MAX = 2000
PLAN_ROWS_MAX = 20
PLAN_KEYS = ("amount", "due_date", "condition")


class AmountField(forms.Field):
    """Yuan as people type them: digits, thousands separators allowed, at most two decimals,
    more than zero. Gives a Decimal with two places."""

    default_error_messages = {
        "invalid": _("Enter an amount in yuan, such as 100000 or 12,345.67 (at most two "
                     "decimals)."),
        "positive": _("The amount must be more than zero."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={**TEXT, "inputmode": "decimal",
                                                           "maxlength": 24}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        text = text.replace(",", "").replace("，", "").replace(" ", "")
        if not text:
            return None
        if not AMOUNT_PATTERN.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = Decimal(text).quantize(Decimal("0.01"))
        if amount <= 0:
            raise ValidationError(self.error_messages["positive"], code="positive")
        return amount

    def prepare_value(self, value):
        return f"{value:.2f}" if isinstance(value, Decimal) else value


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                           **kwargs)


def _not_in_future(value):
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    return value


class PaymentForm(forms.Form):
    """One payment on a tranche (R29): amount, voucher number, date and the paying account."""

    amount = AmountField(label=_("Amount (yuan)"))
    voucher_no = forms.CharField(label=_("Voucher number"), max_length=60,
                                 widget=forms.TextInput(attrs=TEXT))
    paid_on = _date_field(_("Date paid"))
    payer_account = forms.CharField(label=_("Payer account"), max_length=100,
                                    widget=forms.TextInput(attrs=TEXT))

    def clean_paid_on(self):
        return _not_in_future(self.cleaned_data.get("paid_on"))


class ReversalForm(forms.Form):
    """The reason a payment is reversed, and the date of the reversing entry."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    on = _date_field(_("Date"), required=False)

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on")) or timezone.localdate()


class RecoveryForm(forms.Form):
    """Money taken back from the school (收回): amount, reason, voucher and date."""

    amount = AmountField(label=_("Amount (yuan)"))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    voucher_no = forms.CharField(label=_("Voucher number"), max_length=60,
                                 widget=forms.TextInput(attrs=TEXT))
    on = _date_field(_("Date"))

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"))


class TrancheRowForm(forms.Form):
    """One row of a tranche plan."""

    amount = AmountField(label=_("Amount (yuan)"))
    due_date = _date_field(_("Due date"))
    condition = forms.ChoiceField(label=_("Condition"), choices=TrancheCondition.choices)


@dataclass(frozen=True)
class PlanInput:
    """A posted tranche plan: the rows for `tranche_plan_set`, the rows as typed (to show
    again), and the error messages."""

    rows: list[dict]
    typed: list[dict]
    errors: list[str]


def plan_rows(data) -> PlanInput:
    """The plan rows of a POST (lists `amount`, `due_date`, `condition`), skipping rows left
    empty."""
    columns = [data.getlist(name)[:PLAN_ROWS_MAX] for name in PLAN_KEYS]
    rows: list[dict] = []
    typed: list[dict] = []
    errors: list[str] = []
    for number, values in enumerate(zip(*columns, strict=False), 1):
        row = dict(zip(PLAN_KEYS, values, strict=True))
        if not (row["amount"].strip() or row["due_date"].strip()):
            continue
        typed.append(row)
        form = TrancheRowForm(row)
        if form.is_valid():
            rows.append(form.cleaned_data)
            continue
        for field, messages in form.errors.items():
            errors.extend(str(_("Row %(row)s, %(field)s: %(message)s")
                              % {"row": number, "field": form.fields[field].label, "message": m})
                          for m in messages)
    if not typed:
        errors.append(str(_("A plan needs at least one tranche.")))
    return PlanInput(rows, typed, errors)


class ApprovalForm(forms.Form):
    """The bureau's approval of an application in publicity: whether the city commissions it,
    the amount for a range rule (R7, R15), and what a county-level city pays its own school
    (R28; at least the municipal rate, which the service checks)."""

    commissioned = forms.BooleanField(
        label=_("Commissioned by the city: the city pays"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    amount = AmountField(label=_("Amount set at determination (yuan)"))
    county_amount = AmountField(label=_("Amount the county-level city pays (yuan)"),
                                required=False)
    comment = forms.CharField(label=_("Comment"), max_length=REASON_MAX, required=False,
                              widget=forms.Textarea(attrs={**TEXT, "rows": 2}))

    def __init__(self, *args, ranged: bool, county: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not ranged:
            del self.fields["amount"]
        if not county:
            del self.fields["county_amount"]

    def clean(self):
        data = super().clean()
        if "county_amount" not in self.fields:
            return data
        if data.get("commissioned"):
            data["county_amount"] = None
        elif data.get("county_amount") is None and "county_amount" not in self.errors:
            self.add_error("county_amount", _("Enter what the county-level city pays, or mark "
                                              "the project as commissioned by the city."))
        return data
