"""An application's form: the copy taken from the policy file, and checks of answers against it.

The copy (`form_snapshot`) holds the category's fields, the program's budget items and the
attachment slots; an application is always read and checked against its own copy.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def form_snapshot(category) -> dict:
    program = category.program
    applications = program.policy.get("applications", {})
    own = category.form or {}
    return {
        "policy_sha256": program.policy_sha256,
        "category": {
            "code": category.code,
            "majors": own.get("majors", "optional"),
            "enterprises": own.get("enterprises", "optional"),
            "per_school_cap": own.get("per_school_cap"),
        },
        "fields": own.get("fields", []),
        "budget_items": applications.get("budget_items", []),
        "attachments": [*applications.get("attachments", []), *own.get("attachments", [])],
    }


def label(item: dict, key: str = "label") -> str:
    """An item's label in the active language (the policy file holds both)."""
    english = item.get(f"{key}_en")
    if english and not (get_language() or "zh").startswith("zh"):
        return english
    return item.get(key) or item.get("name") or item.get("code", "")


def choice_label(item: dict) -> str:
    return label(item, "name")


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_answers(form: dict, raw: dict) -> tuple[dict, dict[str, str]]:
    """Check raw answers against the form's fields. Returns (clean answers, errors by key).

    Required-ness is not checked here (a draft may be incomplete); types, choices, lengths
    and member levels are.
    """
    clean: dict = {}
    errors: dict[str, str] = {}
    for field in form.get("fields", []):
        key, kind = field["key"], field["type"]
        value = raw.get(key)
        if _blank(value):
            continue
        if kind in {"text", "textarea"}:
            text = str(value).strip()
            limit = field.get("max_length") or (20000 if kind == "textarea" else 200)
            if len(text) > limit:
                errors[key] = _("At most %(limit)s characters.") % {"limit": limit}
            else:
                clean[key] = text
        elif kind == "integer":
            try:
                number = int(str(value).strip())
            except ValueError:
                errors[key] = _("Enter a whole number.")
                continue
            if number < 0:
                errors[key] = _("Enter a whole number.")
            else:
                clean[key] = number
        elif kind == "choice":
            codes = {c["code"] for c in field["choices"]}
            if value not in codes:
                errors[key] = _("Choose one of the listed options.")
            else:
                clean[key] = value
        elif kind == "multichoice":
            values = value if isinstance(value, list) else [value]
            codes = [c["code"] for c in field["choices"]]
            if any(v not in codes for v in values):
                errors[key] = _("Choose from the listed options.")
            else:
                clean[key] = [c for c in codes if c in values]
        elif kind == "members":
            levels = {lv["code"] for lv in field["levels"]}
            members = []
            for row in value if isinstance(value, list) else []:
                name = str(row.get("name", "")).strip()
                level = row.get("level")
                if not name:
                    continue
                if level not in levels:
                    errors[key] = _("Choose a level for every member.")
                    break
                members.append({"level": level, "name": name[:100]})
            else:
                if members:
                    clean[key] = members
    return clean, errors


def clean_budget(form: dict, raw: list[dict]) -> tuple[list[dict], list[str]]:
    """Budget lines by item: amount from the grant, co-funding from the school and partners
    (R30), each a non-negative amount in yuan with at most two decimals."""
    items = {b["code"] for b in form.get("budget_items", [])}
    clean, errors = [], []
    for row in raw:
        item = row.get("item")
        if item not in items:
            errors.append(_("Unknown budget item."))
            continue
        line = {"item": item}
        for part in ("amount", "school", "partner"):
            text = str(row.get(part) or "0").strip().replace(",", "")
            try:
                value = Decimal(text)
            except InvalidOperation:
                errors.append(_("“%(value)s” is not an amount.") % {"value": text})
                break
            if value < 0 or value != value.quantize(Decimal("0.01")) or not value.is_finite():
                errors.append(_("“%(value)s” is not an amount.") % {"value": text})
                break
            line[part] = str(value.quantize(Decimal("0.01")))
        else:
            if any(Decimal(line[p]) for p in ("amount", "school", "partner")):
                clean.append(line)
    return clean, errors


def missing_answers(application) -> tuple[list[str], list[str]]:
    """Labels of required fields and attachment slots the application has not filled."""
    form = application.form
    fields: list[str] = []
    for name, value in (
        (_("project title"), application.title),
        (_("lead person"), application.lead_name),
        (_("goals"), application.goals),
    ):
        if _blank(value.strip() if isinstance(value, str) else value):
            fields.append(str(name))
    if not application.milestones:
        fields.append(_("yearly milestones"))
    if not any(Decimal(line.get("amount", "0")) > 0 for line in application.budget):
        fields.append(_("budget plan"))
    category = form.get("category", {})
    if category.get("majors") == "required" and not application.majors.exists():
        fields.append(_("majors"))
    if category.get("enterprises") == "required" and not application.enterprises.exists():
        fields.append(_("partner enterprises"))
    for field in form.get("fields", []):
        if field.get("required") and _blank(application.answers.get(field["key"])):
            fields.append(label(field))
    present = set(application.attachments.values_list("slot", flat=True))
    attachments = [
        label(slot, "name") for slot in form.get("attachments", [])
        if slot.get("required") and slot["code"] not in present
    ]
    return fields, attachments
