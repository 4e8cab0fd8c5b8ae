"""How the employment pages show their figures: "—" where a figure is not published."""

from decimal import Decimal

from django import template

register = template.Library()

DASH = "—"


@register.filter
def rate(value) -> str:
    """0.9523 → '95.2%'; None → '—'."""
    if value is None or value == "":
        return DASH
    return f"{Decimal(value) * 100:.1f}%"


@register.filter
def score(value) -> str:
    """A mean answer on the 4-point scale: 3.214 → '3.21'; None → '—'."""
    if value is None or value == "":
        return DASH
    return f"{Decimal(value):.2f}"


@register.filter
def monthly_pay(value) -> str:
    """4525.5 → '4,526'; None → '—' (whole yuan: a monthly pay is read to the yuan)."""
    if value is None or value == "":
        return DASH
    return f"{Decimal(value):,.0f}"


@register.filter
def pseudonym_short(value: str) -> str:
    """The first 10 characters of a pseudonym: enough to tell records apart on a page."""
    return f"{value[:10]}…" if value else DASH
