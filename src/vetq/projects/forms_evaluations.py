"""The performance evaluation forms: beginning an evaluation (of a project, or of a school's
year), and the scores of the evaluation's indicators as posted. The forms check only that an
entry is well formed; `projects.evaluations` decides what the rules allow (who evaluates
what, each score within its points, all scored before submitting)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .evaluations import CONCLUSION_MAX, EVIDENCE_MAX

SCORE_MAX_LENGTH = 12


class EvaluationStartForm(forms.Form):
    """A school's year to evaluate; `institutions` are those the user may evaluate."""

    institution = forms.ModelChoiceField(
        label=_("School"), queryset=None, to_field_name="code",
        widget=forms.Select(attrs={"class": "form-select"}))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int,
                                  widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, institutions, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["year"].choices = [(year, year) for year in years]


class ProjectEvaluationStartForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year evaluated"), coerce=int,
                                  widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]


def scores_post(post, codes: list[str]) -> dict[str, tuple[str, str]]:
    """The scores and evidence the form posted (`score-<code>`, `evidence-<code>`), as typed."""
    return {code: (post.get(f"score-{code}", "")[:SCORE_MAX_LENGTH],
                   post.get(f"evidence-{code}", "")[:EVIDENCE_MAX + 1])
            for code in codes}


def files_post(files, codes: list[str]) -> dict:
    """The evidence files the form uploaded (`file-<code>`)."""
    return {code: files[f"file-{code}"] for code in codes if files.get(f"file-{code}")}


def conclusion_post(post) -> str:
    return post.get("conclusion", "")[:CONCLUSION_MAX + 1]
