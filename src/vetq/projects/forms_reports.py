"""The progress report forms: the school's report (progress text, one row per milestone of the
year, the spending per budget item of the project), an evidence file, and the bureau's
decision. The forms check only that an entry is well formed; `projects.reports` decides what
the rules allow and turns amounts into yuan."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .reports import FIGURE_MAX, NOTE_MAX, TEXT_MAX

TEXT = {"class": "form-control"}
AMOUNT = {"class": "form-control", "inputmode": "decimal", "maxlength": 24}


class ReportForm(forms.Form):
    """The report of one construction year, with fields made for its milestones
    (`m<i>-reached`, `m<i>-figure`, `m<i>-note`) and budget items (`item-<code>`)."""

    text = forms.CharField(
        label=_("Progress in the year"), required=False, max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 8}),
        help_text=_("What was built, taught and achieved against the year's milestones."))
    spending = forms.CharField(
        label=_("Spent in the period (yuan)"), required=False, max_length=24,
        widget=forms.TextInput(attrs=AMOUNT),
        help_text=_("Leave blank to take the sum of the budget items."))

    def __init__(self, *args, milestones: list[dict], items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones, self.items = milestones, items
        for index, _milestone in enumerate(milestones):
            self.fields[f"m{index}-reached"] = forms.BooleanField(
                label=_("Reached"), required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
            self.fields[f"m{index}-figure"] = forms.CharField(
                label=_("Figure reached"), required=False, max_length=FIGURE_MAX,
                widget=forms.TextInput(attrs=TEXT))
            self.fields[f"m{index}-note"] = forms.CharField(
                label=_("Note"), required=False, max_length=NOTE_MAX,
                widget=forms.TextInput(attrs=TEXT))
        for item in items:
            self.fields[f"item-{item['code']}"] = forms.CharField(
                label=item["label"], required=False, max_length=24,
                widget=forms.TextInput(attrs=AMOUNT))

    @classmethod
    def initial_of(cls, report) -> dict:
        """The form's values from what the report holds."""
        initial = {"text": report.text,
                   "spending": "" if report.spending is None else str(report.spending)}
        for index, row in enumerate(report.indicators):
            initial.update({f"m{index}-reached": row.get("reached", False),
                            f"m{index}-figure": row.get("figure", ""),
                            f"m{index}-note": row.get("note", "")})
        for line in report.spending_items:
            initial[f"item-{line['item']}"] = line["amount"]
        return initial

    def milestone_rows(self) -> list[dict]:
        return [{"number": index + 1, "text": milestone.get("text", ""),
                 "reached": self[f"m{index}-reached"], "figure": self[f"m{index}-figure"],
                 "note": self[f"m{index}-note"]}
                for index, milestone in enumerate(self.milestones)]

    def item_rows(self) -> list:
        return [self[f"item-{item['code']}"] for item in self.items]

    def service_arguments(self) -> dict:
        """What `reports.report_save` takes, from the cleaned data."""
        data = self.cleaned_data
        return {
            "text": data["text"],
            "spending": data["spending"],
            "indicators": [{"reached": data[f"m{i}-reached"], "figure": data[f"m{i}-figure"],
                            "note": data[f"m{i}-note"]} for i in range(len(self.milestones))],
            "spending_items": [{"item": item["code"], "amount": data[f"item-{item['code']}"]}
                               for item in self.items if data[f"item-{item['code']}"].strip()],
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file (PDF, Word, Excel or image)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment to the school"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
