import hashlib
from fractions import Fraction

import pytest

from vetq.reviews.canonical import (
    CanonicalError,
    Stream,
    canonical_json,
    digest,
    hash_order,
    public_value_normalised,
    seed_bytes,
    seed_for,
)

pytestmark = pytest.mark.unit

SEED = "ab" * 32


def test_canonical_json_sorts_keys_keeps_chinese_and_escapes_minimally():
    value = {"名称": "评审", "b": [1, True, None], "a": {"y": 'x\n"\\\u0001', "x": -5}}

    text = canonical_json(value)

    assert text == '{"a":{"x":-5,"y":"x\\n\\"\\\\\\u0001"},"b":[1,true,null],"名称":"评审"}'.encode()


def test_canonical_json_is_independent_of_insertion_order():
    assert canonical_json({"b": 1, "a": 2}) == canonical_json({"a": 2, "b": 1}) == b'{"a":2,"b":1}'


def test_canonical_json_sorts_keys_by_code_point():
    assert canonical_json({"é": 1, "z": 2, "Z": 3, "专": 4}) == '{"Z":3,"z":2,"é":1,"专":4}'.encode()


def test_canonical_json_writes_tuples_as_arrays():
    assert canonical_json({"pair": ("E1", 3)}) == b'{"pair":["E1",3]}'


@pytest.mark.parametrize("value, fragment", [
    ({"score": 0.5}, "$.score: 0.5 is a float"),
    ([1, 2.0], "$[1]: 2.0 is a float"),
    ({1: "x"}, "key 1 is not a string"),
    ({"n": 2**53}, "outside ±(2^53 − 1)"),
    ({"d": {1, 2}}, "a set is not a JSON value"),
    ({"s": "\ud800"}, "not valid Unicode"),
    ({"nan": float("nan")}, "is a float"),
])
def test_canonical_json_refuses_what_json_cannot_carry_exactly(value, fragment):
    with pytest.raises(CanonicalError, match=None) as caught:
        canonical_json(value)
    assert fragment in str(caught.value)


def test_digest_is_sha256_of_the_canonical_bytes():
    value = {"名称": "评审", "b": [1, True, None], "a": {"y": 'x\n"', "x": -5}}

    assert digest(value) == hashlib.sha256(canonical_json(value)).hexdigest()
    assert digest(value) == "fb59561c9199aca0d45458b21bcf4323b6abf38985541e43d41638028d096945"


def test_digest_changes_with_one_character():
    assert digest({"title": "评审一"}) != digest({"title": "评审二"})


def test_seed_bytes_are_digest_value_and_version_joined_by_bars():
    assert seed_bytes("0" * 64, " 3 8\u3000 1 ", "vetq-draw-1") == ("0" * 64 + "|3 8 1|vetq-draw-1").encode()


def test_seed_for_is_sha256_of_the_seed_bytes():
    seed = seed_for("0" * 64, "3 8 1", "vetq-draw-1")

    assert seed == hashlib.sha256(("0" * 64 + "|3 8 1|vetq-draw-1").encode()).hexdigest()
    assert seed == "6c573e1b47ca9049cb8b4db00f2cb64875436615c8f17fc9ed5aaade5a096e65"


def test_public_value_normalisation_trims_collapses_and_composes():
    assert public_value_normalised("\t 03  12\n17 \u3000") == "03 12 17"
    assert public_value_normalised("Cafe\u0301") == "Café"  # NFC: e + combining acute → é
    assert seed_for("0" * 64, "03 12 17", "v1") == seed_for("0" * 64, " 03\u00a012  17 ", "v1")


@pytest.mark.parametrize("digest_text, value, version, message", [
    ("0" * 63, "1", "v1", "64 lowercase hexadecimal"),
    ("A" * 64, "1", "v1", "64 lowercase hexadecimal"),
    ("0" * 64, " \u3000 ", "v1", "public value is empty"),
    ("0" * 64, "1", "v|1", "without '|'"),
    ("0" * 64, "1", "版本", "ASCII"),
])
def test_seed_for_refuses_malformed_parts(digest_text, value, version, message):
    with pytest.raises(ValueError, match=message):
        seed_for(digest_text, value, version)


def test_stream_is_counter_mode_sha256():
    stream = Stream(SEED, "rounding")
    expected = [
        int.from_bytes(hashlib.sha256(f"{SEED}|rounding|{i}".encode()).digest()[:8], "big") >> 11
        for i in range(3)
    ]

    assert [stream.bits53() for _ in range(3)] == expected


def test_stream_random_is_the_53_bit_draw_over_two_to_the_53():
    first = Stream(SEED, "x").bits53()

    value = Stream(SEED, "x").random()

    assert value == first / 2**53
    assert 0 <= value < 1


def test_stream_differs_by_label_and_seed():
    assert Stream(SEED, "a").bits53() != Stream(SEED, "b").bits53()
    assert Stream(SEED, "a").bits53() != Stream("cd" * 32, "a").bits53()


def test_stream_below_is_exact_at_zero_and_one_and_compares_in_integers():
    stream = Stream(SEED, "edge")
    assert not any(stream.below(Fraction(0)) for _ in range(50))
    assert all(stream.below(Fraction(1)) for _ in range(50))
    m = Stream(SEED, "p").bits53()
    assert Stream(SEED, "p").below(Fraction(m + 1, 2**53)) is True
    assert Stream(SEED, "p").below(Fraction(m, 2**53)) is False


def test_stream_below_has_the_asked_frequency():
    stream = Stream(SEED, "freq")

    hits = sum(stream.below(Fraction(1, 3)) for _ in range(6000))

    assert abs(hits / 6000 - 1 / 3) < 0.02


def test_hash_order_sorts_by_sha256_of_seed_label_and_id():
    ids = ["E1", "E2", "E3", "E4", "专家5"]

    order = hash_order(SEED, "pool", ids)

    assert order == sorted(ids, key=lambda i: hashlib.sha256(f"{SEED}|pool|{i}".encode()).digest())
    assert hash_order(SEED, "pool", ["E1", "E2", "E3", "E4"]) == ["E3", "E4", "E2", "E1"]
    assert hash_order(SEED, "pool", list(reversed(ids))) == order


def test_hash_order_refuses_non_string_ids():
    with pytest.raises(TypeError):
        hash_order(SEED, "pool", [1, 2])
