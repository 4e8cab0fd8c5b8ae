"""Identity numbers (GB 11643): the check digit, normalisation, masking and the keyed
pseudonym that replaces them."""

from datetime import date

import hypothesis
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from vetq.surveys.pseudonyms import (
    check_character,
    identity_mask,
    identity_normalise,
    identity_problem,
    pseudonym,
)

pytestmark = pytest.mark.unit

TODAY = date(2025, 3, 1)
# The worked example of GB 11643-1999 (its check character is X) and a computed one.
STANDARD_EXAMPLE = "11010519491231002X"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_standards_example_has_check_character_x():
    assert check_character(STANDARD_EXAMPLE[:17]) == "X"
    assert identity_problem(STANDARD_EXAMPLE, today=TODAY) is None


def test_check_character_by_hand():
    # 3·7 + 2·9 + 0·10 + 2·5 + 1·8 + 1·4 + 1·2 + 9·1 + 9·6 + 8·3 + 0·7 + 3·9 + 1·10 + 2·5
    # + 0·8 + 0·4 + 1·2 = 199; 199 mod 11 = 1, and the character for 1 is "0".
    assert check_character("32021119980312001") == "0"
    # 1·7 + 1·9 + 0 + 1·5 + 0 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 + 0 + 0
    # + 2·2 = 167; 167 mod 11 = 2: "X".
    assert check_character("11010519491231002") == "X"


def test_a_mistyped_character_breaks_the_check():
    good = "320211199803120010"
    assert identity_problem(good, today=TODAY) is None
    mistake = ("The identity number's last character does not match the others (check digit); "
               "it has probably been mistyped.")
    assert identity_problem(good[:17] + "1", today=TODAY) == mistake
    assert identity_problem(good[:15] + "10" + good[17], today=TODAY) == mistake  # 01 → 10


@pytest.mark.parametrize(("number", "reason"), [
    ("3202111998031200", "An identity number is 18 characters: 17 digits and a digit or X."),
    ("32021119980312001A", "An identity number is 18 characters: 17 digits and a digit or X."),
    ("320211199802300019", "The date of birth inside the identity number is not a real date."),
    ("320211203001010017", "The date of birth inside the identity number is not possible."),
    ("320211189901010013", "The date of birth inside the identity number is not possible."),
])
def test_malformed_numbers_are_refused_with_a_reason(number, reason):
    assert identity_problem(number, today=TODAY) == reason


def test_normalisation_of_full_width_spaces_and_lower_x():
    assert identity_normalise("１１０１０５ １９４９１２３１ ００２ｘ") == STANDARD_EXAMPLE
    assert identity_normalise("110105-19491231-002x") == STANDARD_EXAMPLE
    assert identity_normalise(STANDARD_EXAMPLE.lower()) == STANDARD_EXAMPLE


def test_mask_keeps_four_characters_at_each_end():
    assert identity_mask("320102199001011234") == "3201**********1234"
    assert identity_mask("85%") == "***"


def test_pseudonym_is_64_hex_characters_keyed_and_stable():
    first = pseudonym(STANDARD_EXAMPLE, b"key-one")
    assert len(first) == 64 and set(first) <= set("0123456789abcdef")
    assert pseudonym(STANDARD_EXAMPLE, b"key-one") == first
    assert pseudonym(STANDARD_EXAMPLE, b"key-two") != first
    assert STANDARD_EXAMPLE not in first


def test_pseudonym_uses_the_configured_key(settings):
    settings.VETQ_PSEUDONYM_KEY = "configured"
    assert pseudonym(STANDARD_EXAMPLE) == pseudonym(STANDARD_EXAMPLE, b"configured")


@hypothesis.settings(deadline=None)  # a busy shared machine must not fail a pure test
@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16),
       st.integers(1, 9))
def test_any_single_mistyped_digit_is_caught(first17, position, shift):
    changed = first17[:position] + str((int(first17[position]) + shift) % 10) + first17[position + 1:]
    assert check_character(changed) != check_character(first17)
