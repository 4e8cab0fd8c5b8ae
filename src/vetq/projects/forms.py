"""The project page's form: the bureau's one extension of the construction period. The form
checks only that the entry is well formed; `services.project_extend` decides what the rules
allow."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vetq.funding.forms import DATE, REASON_MAX, TEXT


class ExtensionForm(forms.Form):
    to = forms.DateField(label=_("Extend construction to"),
                         widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason for the extension"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
