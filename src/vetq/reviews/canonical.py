"""Canonical JSON, digests, seeds and seeded randomness for verifiable draws (fair-review.md §2).

Every function here is specified byte for byte in docs/review-algorithm.md, so that anyone can
re-run a published draw in another language. Pure: no Django, no database, no clock.
"""

import hashlib
import json
import re
import unicodedata
from fractions import Fraction

# Integers beyond ±(2^53 − 1) lose precision in JavaScript and other IEEE-double JSON readers.
MAX_SAFE_INTEGER = 2**53 - 1

# The characters with the Unicode White_Space property (Unicode 15).
_WHITE_SPACE = (
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_WHITE_SPACE_RUN = re.compile(f"[{_WHITE_SPACE}]+")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class CanonicalError(ValueError):
    """The value cannot be written as canonical JSON (a float, a non-string key, …)."""


def _check(value, path: str) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalError(f"{path}: integer {value} is outside ±(2^53 − 1)")
        return
    if isinstance(value, float):
        raise CanonicalError(
            f"{path}: {value!r} is a float; canonical JSON allows only integers "
            f"(write decimals as strings)"
        )
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CanonicalError(f"{path}: string is not valid Unicode ({exc.reason})") from exc
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"{path}: key {key!r} is not a string")
            _check(key, f"{path}.{key}")
            _check(item, f"{path}.{key}")
        return
    raise CanonicalError(f"{path}: a {type(value).__name__} is not a JSON value")


def canonical_json(value) -> bytes:
    """The one UTF-8 byte string of ``value``: keys sorted by code point, no spaces, no
    floats, non-ASCII characters kept as they are, only ``"`` ``\\`` and U+0000–U+001F
    escaped. Refuses what JSON cannot carry exactly (CanonicalError)."""
    _check(value, "$")
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return text.encode("utf-8")


def digest(value) -> str:
    """SHA-256 (lowercase hex) of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def public_value_normalised(value: str) -> str:
    """The public value as it enters the seed: NFC, white space trimmed and each inner run of
    white space made one ASCII space (so "03 12  17" typed twice gives the same seed)."""
    text = unicodedata.normalize("NFC", value)
    return _WHITE_SPACE_RUN.sub(" ", text).strip(" ")


def seed_bytes(inputs_digest: str, public_value: str, algorithm_version: str) -> bytes:
    """digest (64 lowercase hex) ‖ "|" ‖ normalised public value (UTF-8) ‖ "|" ‖ version."""
    if not isinstance(inputs_digest, str) or not _DIGEST.match(inputs_digest):
        raise ValueError("the inputs digest must be 64 lowercase hexadecimal digits")
    value = public_value_normalised(public_value)
    if not value:
        raise ValueError("the public value is empty")
    if not algorithm_version.isascii() or "|" in algorithm_version or not algorithm_version:
        raise ValueError("the algorithm version must be non-empty ASCII without '|'")
    return b"|".join((inputs_digest.encode("ascii"), value.encode("utf-8"),
                      algorithm_version.encode("ascii")))


def seed_for(inputs_digest: str, public_value: str, algorithm_version: str) -> str:
    """The draw's seed: SHA-256 (lowercase hex) of :func:`seed_bytes`."""
    return hashlib.sha256(seed_bytes(inputs_digest, public_value, algorithm_version)).hexdigest()


class Stream:
    """Deterministic uniform numbers from a seed and a label (counter-mode SHA-256).

    Draw i (i = 0, 1, 2, …) is m_i = the first 8 bytes of SHA-256(seed ‖ "|" ‖ label ‖ "|" ‖
    decimal i), read big-endian and shifted right by 11 bits: an integer in [0, 2^53).
    ``random()`` returns m_i / 2^53 (exact in a double); ``below(p)`` decides m_i / 2^53 < p
    in integers, so a rational probability is honoured exactly.
    """

    def __init__(self, seed: str, label: str):
        self._prefix = seed.encode("utf-8") + b"|" + label.encode("utf-8") + b"|"
        self._counter = 0

    def bits53(self) -> int:
        block = hashlib.sha256(self._prefix + str(self._counter).encode("ascii")).digest()
        self._counter += 1
        return int.from_bytes(block[:8], "big") >> 11

    def random(self) -> float:
        """A number in [0, 1)."""
        return self.bits53() / 2**53

    def below(self, probability: Fraction) -> bool:
        """True with exactly ``probability`` (a Fraction in [0, 1]); consumes one draw."""
        probability = Fraction(probability)
        return self.bits53() * probability.denominator < probability.numerator << 53


def hash_order(seed: str, label: str, ids: list[str]) -> list[str]:
    """``ids`` sorted by SHA-256(seed ‖ "|" ‖ label ‖ "|" ‖ id) compared as bytes (then by id):
    a seeded shuffle anyone can recompute one id at a time."""
    prefix = seed.encode("utf-8") + b"|" + label.encode("utf-8") + b"|"
    for item in ids:
        if not isinstance(item, str):
            raise TypeError(f"hash_order sorts strings, not {type(item).__name__}")
    return sorted(ids, key=lambda item: (hashlib.sha256(prefix + item.encode("utf-8")).digest(), item))
