"""The check round forms: opening a round, the school's self-assessment and rectification
report with their evidence files, setting up the expert panel, and the bureau's result and
re-check. The forms check only that an entry is well formed; `checks` and `check_results`
decide what the rules allow."""

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from vetq.programs.models import CallCategory

from .models import CheckKind, CheckResult, Project, ProjectState

TEXT = {"class": "form-control"}
AREA = {"class": "form-control", "rows": 6}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
TEXT_MAX = 20_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none when not required); each is checked by content when stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs=TEXT))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CohortChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ngettext("%(call)s · %(category)s (%(count)s project under construction)",
                        "%(call)s · %(category)s (%(count)s projects under construction)",
                        obj.active) % {
            "call": obj.call.title, "category": obj.category.name, "count": obj.active}


class ProjectChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.institution.name}）"


def cohorts_with_projects():
    """Call categories with projects under construction, newest call first."""
    active = Count("applications__project", distinct=True,
                   filter=Q(applications__project__state=ProjectState.ACTIVE))
    return (CallCategory.objects.select_related("call", "category").annotate(active=active)
            .filter(active__gt=0).order_by("-call__year", "category__order"))


class CheckRoundForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("check", "Kind"), choices=CheckKind.choices,
                             widget=forms.Select(attrs=SELECT))
    call_category = CohortChoice(label=_("Cohort (call and category)"),
                                 queryset=CallCategory.objects.none(),
                                 widget=forms.Select(attrs=SELECT))
    projects = ProjectChoice(
        label=_("Projects"), required=False, queryset=Project.objects.none(),
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 8}),
        help_text=_("Empty: every project of the cohort under construction."))
    self_assessment_due = forms.DateField(
        label=_("Self-assessments due"), required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text=_("Empty: the policy's period from today."))
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           widget=forms.TextInput(attrs=TEXT),
                           help_text=_("Empty: the cohort and the kind of check."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call_category"].queryset = cohorts_with_projects()
        self.fields["projects"].queryset = (Project.objects.filter(state=ProjectState.ACTIVE)
                                            .select_related("institution")
                                            .order_by("title", "pk"))


class SelfAssessmentForm(forms.Form):
    text = forms.CharField(label=_("Self-assessment"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs=AREA),
                           help_text=_("What was built against the goals and the yearly "
                                       "milestones, and how the money was used."))
    self_score = forms.CharField(label=_("Self-assessed score (0–100)"), required=False,
                                 max_length=12,
                                 widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"}))
    summary = forms.CharField(label=_("Summary report"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs=AREA),
                              help_text=_("Required at acceptance: the summary report of the "
                                          "whole construction period."))
    files = MultipleFileField(label=_("Evidence files"),
                              help_text=_("PDF, Word, Excel or images; added to those filed "
                                          "before."))


class RectificationForm(forms.Form):
    report = forms.CharField(label=_("Rectification report"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs=AREA),
                             help_text=_("What was put right, item by item, against the "
                                         "experts' comments."))
    files = MultipleFileField(label=_("Evidence files"))


class CheckPanelForm(forms.Form):
    review_deadline = forms.DateTimeField(
        label=_("Review deadline"), required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"},
                                   format=DATETIME_FORMAT),
        help_text=_("Empty: the policy's review period from today (a draw later pushes an "
                    "earlier deadline back)."))


RESULTS = {
    CheckKind.MIDTERM: [(r.value, r.label) for r in
                        (CheckResult.PASS, CheckResult.RECTIFY, CheckResult.FAIL)],
    CheckKind.ACCEPTANCE: [(r.value, r.label) for r in
                           (CheckResult.EXCELLENT, CheckResult.PASS, CheckResult.FAIL)],
}


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=pgettext_lazy("check", "Result"), choices=(),
                               widget=forms.Select(attrs=SELECT))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={**TEXT, "rows": 2}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = RESULTS[kind]


class RecheckForm(forms.Form):
    result = forms.ChoiceField(label=_("Re-check result"),
                               choices=[(r.value, r.label) for r in
                                        (CheckResult.PASS, CheckResult.FAIL)],
                               widget=forms.Select(attrs=SELECT))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
                              help_text=_("Required when the re-check fails."))
