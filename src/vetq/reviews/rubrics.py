"""The rubric (评分表) a category is scored with, and the review rules of a program, read from
the program's validated policy (`[[rubrics]]`, `[review]`). Plain dicts, as stored in JSON
(Decimals are strings there); a panel keeps its own copy (`Panel.rubric`, `Panel.rules`)
taken when it was set up, so a later policy change never alters a running review."""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import get_language

from vetq.applications.forms_spec import label
from vetq.programs.policy.review_schema import DEFAULT_RUBRIC, ReviewSection

_DEFAULT_RULES = ReviewSection().model_dump(mode="json")


def _category(category):
    """A Category, given a Category or a CallCategory."""
    return getattr(category, "category", category)


def rubric_for(category) -> dict:
    """The rubric of `category` (a Category or CallCategory): the one its policy entry names
    under `rubric`, else the program's first rubric, else the built-in default."""
    category = _category(category)
    policy = category.program.policy or {}
    rubrics = policy.get("rubrics") or [DEFAULT_RUBRIC.model_dump(mode="json")]
    code = next((entry.get("rubric") for entry in policy.get("categories", [])
                 if entry.get("code") == category.code), None)
    chosen = next((r for r in rubrics if r.get("code") == code), rubrics[0]) if code else rubrics[0]
    return {
        **chosen,
        "criteria": [dict(criterion) for criterion in chosen.get("criteria", [])],
    }


def review_rules(program) -> dict:
    """The program's `[review]` rules, every key present (defaults filled in)."""
    return {**_DEFAULT_RULES, **((program.policy or {}).get("review") or {})}


def panel_rubric(panel) -> dict:
    """The rubric a panel's reviews are scored with: its own copy, else its category's."""
    return panel.rubric or rubric_for(panel.call_category.category)


def panel_rules(panel) -> dict:
    """The review rules a panel runs under: its own copy over the defaults."""
    if panel.rules:
        return {**_DEFAULT_RULES, **panel.rules}
    return review_rules(panel.call_category.category.program)


def criterion(rubric: Mapping, code: str) -> dict | None:
    """The criterion `code` of the rubric, or None."""
    return next((dict(c) for c in rubric.get("criteria", []) if c.get("code") == code), None)


def criterion_codes(rubric: Mapping) -> list[str]:
    return [c["code"] for c in rubric.get("criteria", [])]


def criterion_label(criterion: Mapping) -> str:
    """The criterion's name in the active language."""
    return label(criterion, "name")


def criterion_help(criterion: Mapping) -> str:
    """The criterion's guidance in the active language (may be empty)."""
    english = criterion.get("help_en")
    if english and not (get_language() or "zh").startswith("zh"):
        return english
    return criterion.get("help", "")


def rubric_label(rubric: Mapping) -> str:
    return label(rubric, "name")


def total_weight(rubric: Mapping) -> str:
    """The sum of the weights, as the policy wrote them (for the form's heading)."""
    return str(sum((Decimal(str(c["weight"])) for c in rubric.get("criteria", [])), Decimal(0)))
