"""Money: Decimal yuan to the fen, written as people in the bureau write it."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from vetq.core.money import format_money, format_wanyuan, format_yuan, to_yuan

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (100000, "100,000"),
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("100000000.00"), "100,000,000"),
        ("0.01", "0.01"),
        (0, "0"),
        (Decimal("-2500"), "-2,500"),
        (None, ""),
    ],
)
def test_format_yuan_groups_thousands_and_drops_zero_fen(value, text):
    assert format_yuan(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (100000, "10"),
        (63000000, "6,300"),  # the full targets at municipal rates
        (100000000, "10,000"),  # R27: the 1亿 budget
        (125000, "12.5"),
        (Decimal("12345.67"), "1.2346"),
        (Decimal("0.5"), "0.0001"),
        (Decimal("-0.4"), "0"),
        (0, "0"),
        (None, ""),
    ],
)
def test_format_wanyuan_writes_ten_thousands_with_at_most_four_places(value, text):
    assert format_wanyuan(value) == text


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (100000, "zh-hans", "10万元"),
        (63000000, "zh-hans", "6,300万元"),
        (100000000, "zh-hans", "1亿元"),
        (150000000, "zh-hans", "1.5亿元"),
        (100010000, "zh-hans", "1.0001亿元"),
        (Decimal("100000000.50"), "zh-hans", "10,000.0001万元"),
        (10000, "zh-hans", "1万元"),
        (Decimal("9999.99"), "zh-hans", "9,999.99元"),
        (5000, "zh-hans", "5,000元"),
        (100000, "en", "100,000 yuan"),
        (Decimal("1234.5"), "en", "1,234.50 yuan"),
        (None, "en", ""),
    ],
)
def test_format_money_in_chinese_and_english(value, language, text):
    assert format_money(value, language) == text


def test_money_template_filter_follows_active_language():
    template = Template("{% load vetq %}{{ amount|money }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"amount": Decimal("200000")})) == "20万元"
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("200000")})) == "200,000 yuan"


@pytest.mark.parametrize(
    ("value", "yuan"),
    [
        ("0.005", Decimal("0.01")),
        ("0.004", Decimal("0.00")),
        ("-0.005", Decimal("-0.01")),
        ("1234.565", Decimal("1234.57")),
        (Decimal("100000"), Decimal("100000.00")),
        (7, Decimal("7.00")),
        (" 12 ", Decimal("12.00")),
    ],
)
def test_to_yuan_rounds_half_a_fen_up(value, yuan):
    assert to_yuan(value) == yuan
    assert to_yuan(value).as_tuple().exponent == -2


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "1e40", [1]])
def test_to_yuan_of_something_not_an_amount_is_refused(value):
    with pytest.raises(ValueError) as exc:
        to_yuan(value)
    assert str(exc.value) == f"not an amount: {value!r}"


def test_to_yuan_of_true_is_refused():
    with pytest.raises(TypeError) as exc:
        to_yuan(True)
    assert str(exc.value) == "money must not be a bool"


@given(value=st.floats())
def test_money_refuses_floats(value):
    for convert in (to_yuan, format_yuan, format_wanyuan, lambda v: format_money(v, "en")):
        with pytest.raises(TypeError) as exc:
            convert(value)
        assert str(exc.value) == "money must not be a float"


@given(fen=st.integers(min_value=-(10**13), max_value=10**13))
def test_to_yuan_of_whole_fen_is_exact(fen):
    amount = Decimal(fen) / 100
    assert to_yuan(amount) == amount
    assert to_yuan(str(amount)) == amount
