"""Graduates' identity numbers (居民身份证号码, GB 11643-1999) turned into pseudonyms (R33).

An identity number is checked (18 characters, a real date of birth, the ISO 7064 MOD 11-2
check character) and replaced by a keyed HMAC-SHA-256 of its normal form: the same person
gets the same pseudonym in every cohort, tracking point and school, so records link across
years, while nobody without the key (settings.VETQ_PSEUDONYM_KEY) can go back from the
pseudonym to the number or test a guessed number. The number itself is never stored,
logged or shown: messages show it masked (`identity_mask`).
"""

import hmac
import re
from datetime import date
from operator import mul

from django.conf import settings
from django.utils.translation import gettext as _

# Weights of the first 17 digits and the check character for each remainder (GB 11643).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
SHAPE = re.compile(r"[0-9]{17}[0-9X]")
EARLIEST_BIRTH_YEAR = 1900
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(ord("０"), ord("９") + 1)}
_FULL_WIDTH.update({ord("Ｘ"): "X", ord("ｘ"): "X"})
_SEPARATORS = re.compile(r"[\s\-‐－]+")


def identity_normalise(value: str) -> str:
    """The number as typed, in its normal form: full-width digits made ordinary, spaces and
    hyphens taken out, a lower-case x made upper-case."""
    if len(value) == 18 and value.isascii() and value.isalnum():
        return value.upper()
    return _SEPARATORS.sub("", value.translate(_FULL_WIDTH)).upper()


def check_character(first17: str) -> str:
    """The check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    return CHECK_CHARACTERS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def identity_problem(number: str, *, today: date | None = None) -> str | None:
    """Why a normalised identity number cannot be right, or None when it can."""
    if not SHAPE.fullmatch(number):
        return _("An identity number is 18 characters: 17 digits and a digit or X.")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("The date of birth inside the identity number is not a real date.")
    if born.year < EARLIEST_BIRTH_YEAR or born > (today or date.today()):
        return _("The date of birth inside the identity number is not possible.")
    if check_character(number[:17]) != number[17]:
        return _("The identity number's last character does not match the others "
                 "(check digit); it has probably been mistyped.")
    return None


def identity_mask(value: str) -> str:
    """A number as it may be shown: the first four and last four characters of 18, or
    nothing legible of a shorter value (3201**********1234)."""
    value = str(value)
    if len(value) >= 12:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return "*" * len(value)


def pseudonym_key() -> bytes:
    return str(settings.VETQ_PSEUDONYM_KEY).encode()


def pseudonym(number: str, key: bytes | None = None) -> str:
    """The 64-hex-character pseudonym of a normalised, valid identity number."""
    return hmac.digest(key if key is not None else pseudonym_key(), number.encode(),
                       "sha256").hex()
