"""Money is Decimal yuan with two places, never float.

Chinese officials write large amounts in 万元 (ten thousand yuan); `format_wanyuan`
does that, `format_yuan` writes whole yuan with thousands separators.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

CENT = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)
WAN_PLACES = Decimal("0.0001")


class MoneyField(models.DecimalField):
    """Yuan with two decimal places; up to a trillion yuan."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_digits") == 15:
            del kwargs["max_digits"]
        if kwargs.get("decimal_places") == 2:
            del kwargs["decimal_places"]
        return name, path, args, kwargs


def to_yuan(value: Decimal | int | str) -> Decimal:
    """An exact value in yuan with two places, half a fen rounding up; floats are refused."""
    if isinstance(value, float | bool):
        raise TypeError(f"money must not be a {type(value).__name__}")
    try:
        amount = Decimal(value)
        if not amount.is_finite():
            raise ValueError
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def _group(amount: Decimal) -> str:
    text = f"{amount:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return text


def format_yuan(value: Decimal | int | None) -> str:
    """100000 → '100,000'; 1234.5 → '1,234.50'."""
    if value is None:
        return ""
    return _group(to_yuan(value))


def format_wanyuan(value: Decimal | int | None) -> str:
    """100000 → '10'; 63000000 → '6,300'; 125000 → '12.5' (万元, at most 4 places)."""
    if value is None:
        return ""
    amount = (to_yuan(value) / WAN).quantize(WAN_PLACES, rounding=ROUND_HALF_UP)
    if amount == 0:
        return "0"  # not "-0" for a negative amount below half a yuan
    return f"{amount:,.4f}".rstrip("0").rstrip(".")


def format_money(value: Decimal | int | None, language: str) -> str:
    """An amount as people write it: '10万元' in Chinese, '100,000 yuan' in English.

    Chinese writes whole multiples of 万元 from 1亿 up in 亿元 (1亿元, 1.5亿元), other amounts
    of ten thousand yuan or more in 万元, smaller ones in 元.
    """
    if value is None:
        return ""
    amount = to_yuan(value)
    if language.startswith("zh"):
        if abs(amount) >= YI and amount % WAN == 0:
            text = f"{amount / YI:,.4f}".rstrip("0").rstrip(".")
            return f"{text}亿元"
        if abs(amount) >= WAN:
            return f"{format_wanyuan(amount)}万元"
        return f"{format_yuan(amount)}元"
    return f"{format_yuan(amount)} yuan"
