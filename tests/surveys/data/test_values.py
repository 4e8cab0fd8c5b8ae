"""Reading one cell as the number meant (surveys/imports_values.py): no database."""

from decimal import Decimal

import pytest
from django.utils import translation

from vetq.surveys.imports_values import (
    ValueRefused,
    amount_parse,
    count_parse,
    percent_parse,
)

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("text", "expected"), [
    ("120", 120), ("1,350", 1350), ("1，350", 1350), ("12.0", 12), (" 7 ", 7), ("0", 0)])
def test_count_parse_reads_whole_numbers(text, expected):
    assert count_parse(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("85%", "A number of people or things is expected here, not a percentage (“85%”)."),
    ("85％", "A number of people or things is expected here, not a percentage (“85％”)."),
    ("-3", "Cannot be negative."),
    ("－3", "Cannot be negative."),
    ("12.5", "A whole number is expected (“12.5”)."),
    ("abc", "“abc” is not a number."),
    ("1,35", "“1,35” is not a number."),
    ("NaN", "“NaN” is not a number."),
    ("99999999999", "“99999999999” is too large."),
])
def test_count_parse_refuses_what_is_not_a_count(text, message):
    with pytest.raises(ValueRefused) as refusal:
        count_parse(text)
    assert str(refusal.value) == message


@pytest.mark.parametrize(("text", "expected"), [
    ("6800.5", Decimal("6800.50")), ("12,500,000.456", Decimal("12500000.46")),
    ("0.005", Decimal("0.01")), ("３．５", Decimal("3.50"))])
def test_amount_parse_keeps_two_decimals_rounding_half_up(text, expected):
    assert amount_parse(text) == expected


def test_amount_parse_refuses_percentages_and_negatives():
    with pytest.raises(ValueRefused) as refusal:
        amount_parse("5%")
    assert str(refusal.value) == "An amount is expected here, not a percentage (“5%”)."
    with pytest.raises(ValueRefused):
        amount_parse("-0.01")


@pytest.mark.parametrize(("text", "expected"), [
    ("85%", Decimal("85.00")), ("85", Decimal("85.00")), ("0.85", Decimal("85.00")),
    ("100%", Decimal("100.00")), ("1", Decimal("100.00")), ("1%", Decimal("1.00")),
    ("0.5%", Decimal("0.50")), ("0", Decimal("0.00")), ("33.333", Decimal("33.33")),
])
def test_percent_parse_reads_a_share_written_any_way(text, expected):
    assert percent_parse(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("120%", "A share cannot be more than 100% (“120%”)."),
    ("101", "A share cannot be more than 100% (“101”)."),
    ("-5%", "Cannot be negative."),
])
def test_percent_parse_refuses_shares_that_do_not_add_up(text, message):
    with pytest.raises(ValueRefused) as refusal:
        percent_parse(text)
    assert str(refusal.value) == message
