"""Forms of the employment pages: the graduate upload and the filters of the dashboard and of
the record list. A filter that does not validate falls back to its default rather than
failing the page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Destination, TrackingPoint

DIMENSION_LABELS = {
    "school": _("By school"),
    "region": _("By region"),
    "major_group": _("By major group"),
    "major": _("By major"),
}


class GraduateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )


AUTOSUBMIT = {"data-autosubmit": ""}


def _select(**attrs) -> forms.Select:
    return forms.Select(attrs={"class": "form-select form-select-sm", **attrs})


class DashboardForm(forms.Form):
    """Cohort, tracking point and breakdown of the dashboard; the scope is read separately
    (an unknown or out-of-reach scope is a 404, not a form error)."""

    cohort = forms.TypedChoiceField(label=_("Graduation year"), coerce=int, required=False,
                                    widget=_select(**AUTOSUBMIT))
    point = forms.ChoiceField(label=_("Tracking point"), choices=TrackingPoint.choices,
                              required=False, widget=_select(**AUTOSUBMIT))
    by = forms.ChoiceField(label=_("Breakdown"), required=False,
                           widget=_select(**AUTOSUBMIT))

    def __init__(self, data, *, cohorts: list[int], dimensions: tuple[str, ...]):
        super().__init__(data)
        self.fields["cohort"].choices = [(c, str(c)) for c in cohorts]
        self.fields["by"].choices = [(d, DIMENSION_LABELS[d]) for d in dimensions]

    def value(self, name: str, default):
        """The field's valid value, or `default` (one bad field leaves the others alone)."""
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class RecordFilterForm(forms.Form):
    cohort = forms.IntegerField(label=_("Graduation year"), required=False, min_value=2000,
                                max_value=2100,
                                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))
    point = forms.ChoiceField(label=_("Tracking point"), required=False,
                              choices=[("", _("All"))] + TrackingPoint.choices, widget=_select())
    destination = forms.ChoiceField(label=_("Destination"), required=False,
                                    choices=[("", _("All"))] + Destination.choices,
                                    widget=_select())
    major = forms.CharField(label=_("Catalogue code"), required=False, max_length=12,
                            widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
    school = forms.CharField(label=_("School code"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

