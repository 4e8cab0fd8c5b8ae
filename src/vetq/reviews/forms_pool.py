"""Forms of the expert pool pages. They check that an entry is well formed; the services in
`pool.py` decide what the rules allow, and their refusals come back onto the named field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetq.institutions.models import Enterprise, Industry, Institution, Region

from . import pool, ratings
from .pool_excel import split_list

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Institution) -> str:
        return f"{obj.name}（{obj.code}）"


def _institution_field(label) -> InstitutionChoiceField:
    return InstitutionChoiceField(
        label=label, required=False, queryset=Institution.objects.order_by("code"),
        widget=forms.Select(attrs=SELECT),
    )


def _enterprise_field(label) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label, required=False, queryset=Enterprise.objects.order_by("name"),
        widget=forms.Select(attrs=SELECT),
    )


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                           **kwargs)


class MajorGroupsField(forms.CharField):
    """Two-digit major group codes typed as "46、51" (、 , ; or spaces between)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Major groups"))
        kwargs.setdefault("help_text", _("Two-digit codes of the major catalogue (专业大类), "
                                         "separated by 、 or commas, e.g. 46、51."))
        kwargs.setdefault("widget", forms.TextInput(attrs={**TEXT, "maxlength": 200}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return pool.major_groups_check(split_list(text))
        except pool.PoolRefused as refusal:
            raise forms.ValidationError(refusal.message, code="major_group") from refusal

    def prepare_value(self, value):
        return "、".join(value) if isinstance(value, list | tuple) else value


def _specialties_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Specialties (industries)"), required=False,
        queryset=Industry.objects.order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class ProfileForm(forms.Form):
    """What an expert maintains itself: title, contacts, specialties, major groups."""

    title = forms.CharField(label=_("Professional title"), max_length=60, required=False,
                            widget=forms.TextInput(attrs=TEXT))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={**TEXT, "inputmode": "tel"}))
    email = forms.EmailField(label=_("E-mail"), required=False,
                             widget=forms.EmailInput(attrs=TEXT))
    specialties = _specialties_field()
    major_groups = MajorGroupsField()

    @classmethod
    def initial_of(cls, expert) -> dict:
        """The expert's values; its region left blank when it is the employer's, so that a
        new employer brings its own region."""
        employer = expert.employer
        region = expert.region_id
        if employer is not None and employer.region_id == region:
            region = None
        return {
            "code": expert.code, "name": expert.name, "title": expert.title,
            "phone": expert.phone, "email": expert.email,
            "employer_institution": expert.employer_institution_id,
            "employer_enterprise": expert.employer_enterprise_id, "region": region,
            "specialties": [i.pk for i in expert.specialties.all()],
            "major_groups": expert.major_groups,
        }


class ExpertForm(ProfileForm):
    """The bureau's form for a whole expert record."""

    code = forms.CharField(label=_("Expert code"), max_length=20,
                           widget=forms.TextInput(attrs={**TEXT, "autocapitalize": "characters"}),
                           help_text=_("A stable code such as E0042; draws publish codes, not "
                                       "names."))
    name = forms.CharField(label=_("Name"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    employer_institution = _institution_field(_("Employer: school"))
    employer_enterprise = _enterprise_field(_("Employer: enterprise"))
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(),
        widget=forms.Select(attrs=SELECT), empty_label=_("The employer's region"),
    )

    field_order = ["code", "name", "title", "employer_institution", "employer_enterprise",
                   "region", "phone", "email", "specialties", "major_groups"]

    def clean(self):
        data = super().clean()
        school, enterprise = data.get("employer_institution"), data.get("employer_enterprise")
        if school and enterprise:
            self.add_error("employer_enterprise",
                           _("Name one employer: a school or an enterprise, not both."))
        elif not school and not enterprise and not self.has_error("employer_institution"):
            self.add_error("employer_institution",
                           _("Name the employer: a school or an enterprise."))
        return data


class EmploymentForm(forms.Form):
    """A job the expert holds or held; no end date means it still holds it."""

    institution = _institution_field(_("School"))
    enterprise = _enterprise_field(_("Enterprise"))
    position = forms.CharField(label=_("Position"), max_length=60, required=False,
                               widget=forms.TextInput(attrs=TEXT))
    started = _date_field(_("From"), required=False)
    ended = _date_field(_("To"), required=False, help_text=_("Empty: still there."))

    def clean(self):
        data = super().clean()
        if data.get("institution") and data.get("enterprise"):
            self.add_error("enterprise", _("Name one employer: a school or an enterprise, not "
                                           "both."))
        elif not data.get("institution") and not data.get("enterprise"):
            self.add_error("institution", _("Name the employer: a school or an enterprise."))
        started, ended = data.get("started"), data.get("ended")
        if ended and ended > timezone.localdate():
            self.add_error("ended", _("The end date cannot be in the future."))
        elif started and ended and started > ended:
            self.add_error("started", _("The start date must not be after the end date."))
        return data


class EmploymentEndForm(forms.Form):
    ended = _date_field(_("Left on"))


class DeclarationForm(forms.Form):
    """A declared conflict (申报回避) with one school, enterprise or person, and why."""

    institution = _institution_field(_("School"))
    enterprise = _enterprise_field(_("Enterprise"))
    person = forms.CharField(label=_("Person"), max_length=60, required=False,
                             widget=forms.TextInput(attrs=TEXT),
                             help_text=_("The name as it would appear on an application."))
    reason = forms.CharField(label=_("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={**TEXT, "rows": 2}))

    def clean(self):
        data = super().clean()
        named = [data.get("institution"), data.get("enterprise"), data.get("person")]
        if not any(named):
            self.add_error("institution",
                           _("Name the school, enterprise or person you conflict with."))
        elif sum(1 for value in named if value) > 1:
            self.add_error("institution", _("Name one school, enterprise or person per "
                                            "declaration."))
        return data


class LinkUserForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs=TEXT),
        help_text=_("An existing account, or a new one; a new account sets its password "
                    "through “forgot password” with the expert's e-mail."),
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False,
                             widget=forms.TextInput(attrs=TEXT))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )


SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(ratings.RATING_MIN, ratings.RATING_MAX + 1)]


class RatingForm(forms.Form):
    """One expert's rating on the panel ratings page; a blank score leaves it unrated."""

    score = forms.ChoiceField(label=_("Rating"), choices=SCORE_CHOICES, required=False,
                              widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False,
                              widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
