from django import forms
from django.utils.translation import gettext_lazy as _

from .narratives import SUGGESTED, TEXT_MAX, TITLE_MAX, positions


class NarrativeForm(forms.Form):
    """A narrative section: its heading (a suggested one or its own), its text (one paragraph
    a line) and where it goes in the report."""

    code = forms.ChoiceField(label=_("Suggested heading"), required=False,
                             widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=_("Heading"), max_length=TITLE_MAX,
                            widget=forms.TextInput(attrs={"class": "form-control"}))
    text = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX,
        help_text=_("Each line becomes a paragraph of the report."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 14}))
    order = forms.TypedChoiceField(label=_("Position in the report"), coerce=int,
                                   widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, scope: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", _("— a heading of its own —"))] + [
            (s.code, s.title) for s in SUGGESTED]
        self.fields["order"].choices = positions(scope)


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for taking the report off the portal"), max_length=500, required=False,
        widget=forms.TextInput(attrs={"class": "form-control",
                                      "placeholder": _("Reason (optional)")}))
