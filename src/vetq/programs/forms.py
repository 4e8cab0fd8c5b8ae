"""Forms of the call pages. They only read input; every write goes through calls.py.

Deadlines are typed as local times (datetime-local inputs) in the site's time zone,
Asia/Shanghai; Django turns them into aware datetimes.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .calls import default_quota
from .models import CallCategory, Category, Program

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _deadline(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_LOCAL
        ),
    )


def _count(label, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=1, required=required,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )


class DeadlinesForm(forms.Form):
    submission_deadline = _deadline(_("Submission deadline"))
    recommendation_deadline = _deadline(_("Region recommendation deadline"))
    formal_check_deadline = _deadline(_("Formal check deadline"))

    def deadlines(self) -> dict:
        """The cleaned deadlines as keyword arguments of call_create / call_extend."""
        return {name: self.cleaned_data[name] for name in DeadlinesForm.base_fields}


class CallForm(DeadlinesForm):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(
        label=_("Title"), max_length=150, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    notice = forms.CharField(
        label=_("Notice text"), required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 8}),
    )
    field_order = ["year", "title", "notice"]

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in program.years]


class CategoryRowForm(forms.Form):
    """One category in the new call's table: open or not, its quota and caps."""

    open = forms.BooleanField(
        label=_("Open"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    quota = _count(_("Quota"))
    per_school_cap = _count(_("Applications per school"))
    per_region_cap = _count(_("Recommendations per region"))

    def __init__(self, *args, category: Category, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{category.name}: {field.label}"

    def clean(self):
        data = super().clean()
        if data.get("open") and data.get("quota") is None and "quota" not in self.errors:
            self.add_error("quota", _("Type a quota for an open category."))
        return data


def category_rows(categories, *, year: int, approved: dict[int, int], data=None) -> list:
    """A row form for each category, prefilled with its default quota for the year (the
    target left spread over the years left) and the policy's per-school cap. A category
    whose target is met or that has none starts closed."""
    rows = []
    for category in categories:
        quota = default_quota(category, year, approved_so_far=approved.get(category.pk, 0))
        initial = {
            "open": bool(quota),
            "quota": quota or None,
            "per_school_cap": category.form.get("per_school_cap"),
        }
        rows.append(
            CategoryRowForm(data, prefix=f"cat-{category.code}", initial=initial, category=category)
        )
    return rows


def quotas_of(rows: list[CategoryRowForm]) -> dict:
    """The open rows as keyword arguments of call_create (quotas and caps by category code)."""
    opened = [row for row in rows if row.cleaned_data["open"]]
    return {
        "quotas": {row.category.code: row.cleaned_data["quota"] for row in opened},
        "per_school_caps": {row.category.code: row.cleaned_data["per_school_cap"] for row in opened},
        "per_region_caps": {row.category.code: row.cleaned_data["per_region_cap"] for row in opened},
    }


class QuotaForm(forms.Form):
    """A category's quota and caps in an existing call. Its inputs sit in the category's
    table row and join the form by its id (the HTML `form` attribute)."""

    quota = _count(_("Quota"), required=True)
    per_school_cap = _count(_("Applications per school"))
    per_region_cap = _count(_("Recommendations per region"))

    def __init__(self, *args, call_category: CallCategory, **kwargs):
        self.form_id = f"quota-{call_category.pk}"
        kwargs.setdefault("initial", {
            "quota": call_category.quota,
            "per_school_cap": call_category.per_school_cap,
            "per_region_cap": call_category.per_region_cap,
        })
        super().__init__(*args, prefix=f"cc{call_category.pk}", **kwargs)
        self.call_category = call_category
        for field in self.fields.values():
            field.widget.attrs["form"] = self.form_id
            field.widget.attrs["aria-label"] = f"{call_category.category.name}: {field.label}"


class ReasonForm(forms.Form):
    """Closing a call early: why. Its ids differ from the extend form's on the same page."""

    id_prefix = "close"
    reason = forms.CharField(
        label=_("Reason"), max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ExtendForm(DeadlinesForm, ReasonForm):
    id_prefix = "extend"
    field_order = [*DeadlinesForm.base_fields, "reason"]


class CallAttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File (PDF, Word or Excel)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".pdf,.doc,.docx,.xls,.xlsx"}
        ),
    )
