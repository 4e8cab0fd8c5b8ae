"""How the survey pages show statistics: floats rounded for reading, "—" where a figure is
undefined (no candidates, a constant vector, an industry without output)."""

from django import template

register = template.Library()

DASH = "—"


@register.filter
def percent(value, digits=1):
    """0.4444 → '44.4%'; None → '—'."""
    if value is None or value == "":
        return DASH
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def signed_percent(value, digits=1):
    """A deviation: −0.12 → '−12.0%', 0.2 → '+20.0%'; None → '—'."""
    if value is None or value == "":
        return DASH
    number = float(value) * 100
    text = f"{abs(number):.{int(digits)}f}%"
    if round(number, int(digits)) == 0:
        return text
    return ("+" if number > 0 else "−") + text


@register.filter
def points(value, digits=1):
    """A gap between two shares in percentage points: −0.06 → '−6.0'; None → '—'."""
    if value is None or value == "":
        return DASH
    number = float(value) * 100
    text = f"{abs(number):.{int(digits)}f}"
    if round(number, int(digits)) == 0:
        return text
    return ("+" if number > 0 else "−") + text


@register.filter
def index(value, digits=3):
    """An index between −1 and 1: 0.94 → '0.940'; None → '—'."""
    if value is None or value == "":
        return DASH
    return f"{float(value):.{int(digits)}f}".replace("-", "−")


@register.filter
def amount(value, digits=0):
    """Students or an industry figure: 1234.5 → '1,235' (or '1,234.50' with 2 digits)."""
    if value is None or value == "":
        return DASH
    return f"{float(value):,.{int(digits)}f}"
