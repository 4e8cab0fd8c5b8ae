"""The application's pages as forms: the fixed fields as Django forms, and the parts the
form copy defines (team, milestones, budget, category answers) read from and shown as rows.

`post_values` turns a POST into the data `editing.application_update` takes;
`application_values` gives the same shape from a saved application, so the edit page
renders either one. `answers_shown` and `budget_table` are the read-only views of them.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .editing import MAX_ROWS, TEAM_KEYS, TEXT_LIMITS
from .forms_spec import choice_label, label

TEXT = {"class": "form-control"}


class ApplicationCreateForm(forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=TEXT_LIMITS["title"],
                            widget=forms.TextInput(attrs=TEXT))
    institution = forms.TypedChoiceField(label=_("School"), coerce=int, required=False,
                                         widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.institutions = {i.pk: i for i in institutions}
        self.fields["institution"].choices = [(i.pk, i.name) for i in institutions]
        if len(self.institutions) > 1:
            self.fields["institution"].required = True
        else:
            self.fields["institution"].widget = forms.HiddenInput()

    def clean_institution(self):
        chosen = self.cleaned_data.get("institution")
        if len(self.institutions) == 1:
            return next(iter(self.institutions.values()))
        return self.institutions.get(chosen)


class ApplicationForm(forms.Form):
    """The fixed fields every application has. `commissioned` is the bureau's, not here."""

    title = forms.CharField(label=_("Project title"), max_length=TEXT_LIMITS["title"],
                            widget=forms.TextInput(attrs=TEXT))
    lead_name = forms.CharField(label=_("Lead person"), max_length=TEXT_LIMITS["lead_name"],
                                required=False, widget=forms.TextInput(attrs=TEXT))
    lead_title = forms.CharField(label=_("Lead person's title"), required=False,
                                 max_length=TEXT_LIMITS["lead_title"],
                                 widget=forms.TextInput(attrs=TEXT))
    lead_phone = forms.CharField(label=_("Lead person's phone"), required=False,
                                 max_length=TEXT_LIMITS["lead_phone"],
                                 widget=forms.TextInput(attrs=TEXT))
    goals = forms.CharField(label=_("Goals"), required=False, max_length=TEXT_LIMITS["goals"],
                            widget=forms.Textarea(attrs={**TEXT, "rows": 5}))


class AttachmentForm(forms.Form):
    slot = forms.ChoiceField(label=_("Kind of attachment"),
                             widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label=_("File (PDF, Word, Excel or image)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s["code"], label(s, "name")) for s in slots]


def _rows(post, prefix: str, keys) -> list[dict]:
    columns = [post.getlist(f"{prefix}-{key}")[:MAX_ROWS] for key in keys]
    return [dict(zip(keys, values, strict=True))
            for values in zip(*columns, strict=False)]


def post_values(post, form: dict) -> dict:
    """The edit page's POST as the data `application_update` takes (unchecked)."""
    answers: dict = {}
    for field in form.get("fields", []):
        name = f"answer-{field['key']}"
        if field["type"] == "multichoice":
            answers[field["key"]] = post.getlist(name)
        elif field["type"] == "members":
            answers[field["key"]] = _rows(post, name, ("level", "name"))
        else:
            answers[field["key"]] = post.get(name, "")
    values = {
        "team": _rows(post, "team", TEAM_KEYS),
        "milestones": _rows(post, "milestone", ("year", "text")),
        "budget": [
            {"item": item["code"], **{part: post.get(f"budget-{item['code']}-{part}", "")
                                      for part in ("amount", "school", "partner")}}
            for item in form.get("budget_items", [])
        ],
        "answers": answers,
        "industries": post.getlist("industries"),
        "new_enterprise": {"name": post.get("new_enterprise_name", ""),
                           "credit_code": post.get("new_enterprise_credit_code", "")},
    }
    need = form.get("category", {})
    for name in ("majors", "enterprises"):
        if need.get(name) != "none":
            values[name] = post.getlist(name)
    return values


def application_values(application) -> dict:
    """The saved application in the shape of `post_values`."""
    return {
        "team": application.team,
        "milestones": application.milestones,
        "budget": application.budget,
        "answers": application.answers,
        "majors": [m.pk for m in application.majors.all()],
        "industries": [i.pk for i in application.industries.all()],
        "enterprises": [e.pk for e in application.enterprises.all()],
        "new_enterprise": {"name": "", "credit_code": ""},
    }


def _selected(values) -> set[str]:
    return {str(v) for v in values or []}


def answer_widgets(form: dict, answers: dict) -> list[dict]:
    """Each category-specific field of the form copy, with its value, for the edit page."""
    widgets = []
    for field in form.get("fields", []):
        value = answers.get(field["key"])
        chosen = _selected(value if isinstance(value, list) else [value])
        widgets.append({
            "key": field["key"], "type": field["type"], "label": label(field),
            "help": label(field, "help") if field.get("help") else "",
            "required": field.get("required", False), "max_length": field.get("max_length"),
            "value": "" if value is None or isinstance(value, list) else value,
            "choices": [{"code": c["code"], "label": choice_label(c), "selected": c["code"] in chosen}
                        for c in field.get("choices", [])],
            "levels": [{"code": lv["code"], "label": choice_label(lv)}
                       for lv in field.get("levels", [])],
            "members": value if field["type"] == "members" and isinstance(value, list) else [],
        })
    return widgets


def budget_rows(form: dict, budget: list[dict]) -> list[dict]:
    """One editable row per budget item of the form copy, with the entered amounts."""
    by_item = {row.get("item"): row for row in budget or []}
    return [{"code": item["code"], "label": choice_label(item),
             **{part: by_item.get(item["code"], {}).get(part, "")
                for part in ("amount", "school", "partner")}}
            for item in form.get("budget_items", [])]


def answers_shown(application) -> list[dict]:
    """The category answers with the labels of the application's own form copy."""
    shown = []
    for field in application.form.get("fields", []):
        value = application.answers.get(field["key"])
        names = {c["code"]: choice_label(c) for c in field.get("choices", [])}
        levels = {lv["code"]: choice_label(lv) for lv in field.get("levels", [])}
        if field["type"] == "choice":
            value = names.get(value, value)
        elif field["type"] == "multichoice":
            value = [names.get(code, code) for code in value or []]
        elif field["type"] == "members":
            value = [{"level": levels.get(m["level"], m["level"]), "name": m["name"]}
                     for m in value or []]
        shown.append({"label": label(field), "type": field["type"], "value": value})
    return shown


def budget_table(application) -> dict:
    """The budget plan by item with the totals of the grant and of the co-funding (R30)."""
    names = {item["code"]: choice_label(item) for item in application.form.get("budget_items", [])}
    rows, totals = [], dict.fromkeys(("amount", "school", "partner"), Decimal(0))
    for line in application.budget:
        amounts = {part: Decimal(line.get(part) or 0) for part in totals}
        for part, value in amounts.items():
            totals[part] += value
        rows.append({"label": names.get(line["item"], line["item"]), **amounts,
                     "total": sum(amounts.values())})
    return {"rows": rows, "totals": totals, "total": sum(totals.values()),
            "co_funding": totals["school"] + totals["partner"]}
