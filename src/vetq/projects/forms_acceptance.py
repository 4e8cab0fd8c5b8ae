"""The bureau's acceptance forms: the rating with its score and the school's reports, and the
decision on a recovery. The forms check only that an entry is well-formed; the rules (score
bands, what may be recovered) are the services' (`projects.acceptance`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Rating

TEXT = {"class": "form-control"}
AREA = {"class": "form-control", "rows": 3}
TEXT_MAX = 20_000


class AcceptanceForm(forms.Form):
    score = forms.CharField(label=_("Acceptance score (0–100)"), max_length=12,
                            widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"}))
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))
    summary = forms.CharField(label=_("Summary report"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs=AREA))
    self_assessment = forms.CharField(label=_("Self-assessment"), required=False,
                                      max_length=TEXT_MAX, widget=forms.Textarea(attrs=AREA))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs=AREA))


class RecoveryDecisionForm(forms.Form):
    amount = forms.CharField(label=_("Amount to recover (yuan)"), max_length=24,
                             widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"}))
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs=AREA))
    voucher_no = forms.CharField(label=_("Voucher number"), required=False, max_length=60,
                                 widget=forms.TextInput(attrs=TEXT))
    on = forms.DateField(label=_("Date"), required=False,
                         widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"))

    def clean_on(self):
        value = self.cleaned_data.get("on")
        if value is not None and value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        return value
