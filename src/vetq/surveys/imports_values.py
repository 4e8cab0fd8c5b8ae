"""Reading one cell of yearly data as the number its author meant (pure).

Cells arrive as text already normalised by core/excel.py (full-width digits made ordinary,
4132.0 read as "4132"). Each kind of column decides what it accepts:

- a count (students, teachers, candidates) is a whole number, never negative, never a
  percentage: "85%" is refused, not read as 85 or 0.85;
- an amount (万元, square metres, Mbps) is a number with at most two decimals kept (more are
  rounded half up), never negative, never a percentage;
- a percentage accepts "85%", "85" and "0.85" alike: a number up to 1 without a % sign is a
  fraction (what Excel stores for a cell formatted as a percentage), above 1 it is percent;
  it cannot be above 100 %.

Thousands separators ("12,345"), full-width punctuation (％ ． ，) and spaces are accepted.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_COUNT = 2_000_000_000
MAX_AMOUNT = Decimal("99999999999999.99")  # 16 digits, 2 decimals (the model's fields)
_PUNCTUATION = str.maketrans({"％": "%", "．": ".", "，": ",", "－": "-", "—": "-", "−": "-",
                              "\u3000": " "})
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


class ValueRefused(ValueError):
    """The cell does not hold what its column expects; the message says why."""


def _clean(text: str) -> tuple[str, bool]:
    """The text without spaces and thousands separators, and whether it ended in %."""
    text = text.translate(_PUNCTUATION).replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text, percent


def _number(text: str, original: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueRefused(_("“%(value)s” is not a number.") % {"value": original})
    return value


def count_parse(text: str) -> int:
    """A whole number of people or things, at least 0."""
    cleaned, percent = _clean(text)
    if percent:
        raise ValueRefused(_("A number of people or things is expected here, not a percentage "
                             "(“%(value)s”).") % {"value": text})
    value = _number(cleaned, text)
    if value < 0:
        raise ValueRefused(_("Cannot be negative."))
    if value != value.to_integral_value():
        raise ValueRefused(_("A whole number is expected (“%(value)s”).") % {"value": text})
    if value > MAX_COUNT:
        raise ValueRefused(_("“%(value)s” is too large.") % {"value": text})
    return int(value)


def amount_parse(text: str) -> Decimal:
    """A quantity with at most two decimals (more are rounded half up), at least 0."""
    cleaned, percent = _clean(text)
    if percent:
        raise ValueRefused(_("An amount is expected here, not a percentage (“%(value)s”).")
                           % {"value": text})
    value = _number(cleaned, text)
    if value < 0:
        raise ValueRefused(_("Cannot be negative."))
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if value > MAX_AMOUNT:
        raise ValueRefused(_("“%(value)s” is too large.") % {"value": text})
    return value


def percent_parse(text: str) -> Decimal:
    """A share in percent (0–100, two decimals): "85%", "85" and "0.85" all give 85."""
    cleaned, percent = _clean(text)
    value = _number(cleaned, text)
    if value < 0:
        raise ValueRefused(_("Cannot be negative."))
    if not percent and value <= 1:
        value *= HUNDRED
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if value > HUNDRED:
        raise ValueRefused(_("A share cannot be more than 100%% (“%(value)s”).")
                           % {"value": text})
    return value
