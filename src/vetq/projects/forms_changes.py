"""The change request forms: the school's request (the new lead person, goals or budget by
item, with its reason) and the bureau's decision. The forms check only that an entry is well
formed; `projects.changes` decides what the rules allow (a real difference, the budget's
totals, the project's state)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vetq.applications.forms_spec import choice_label

from .changes import LEAD_MAX, PARTS, TEXT_MAX

TEXT = {"class": "form-control"}
AREA = {"class": "form-control", "rows": 4}
AMOUNT_MAX_LENGTH = 24


class ChangeRequestForm(forms.Form):
    """What every request has (a reason) and the field of a lead or goals change; the budget
    lines come from `budget_post`."""

    lead_name = forms.CharField(label=_("New lead person"), required=False, max_length=LEAD_MAX,
                                widget=forms.TextInput(attrs=TEXT))
    goals = forms.CharField(label=_("New goals"), required=False, max_length=TEXT_MAX,
                            widget=forms.Textarea(attrs={**AREA, "rows": 6}))
    reason = forms.CharField(label=_("Reason for the change"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs=AREA))


def budget_post(post, items: list[dict]) -> list[dict]:
    """The budget lines the page posted (`budget-<item>-<part>`), one per budget item of the
    project, as typed (unchecked)."""
    return [{"item": item["code"],
             **{part: post.get(f"budget-{item['code']}-{part}", "")[:AMOUNT_MAX_LENGTH]
                for part in PARTS}}
            for item in items]


def budget_inputs(items: list[dict], lines: list[dict]) -> list[dict]:
    """One editable row per budget item with the amounts typed or planned."""
    by_item = {line.get("item"): line for line in lines or []}
    return [{"code": item["code"], "label": choice_label(item),
             **{part: by_item.get(item["code"], {}).get(part, "") for part in PARTS}}
            for item in items]


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", pgettext_lazy("change", "Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (required to reject)"), required=False,
                              max_length=TEXT_MAX, widget=forms.Textarea(attrs={**AREA,
                                                                                 "rows": 3}))
