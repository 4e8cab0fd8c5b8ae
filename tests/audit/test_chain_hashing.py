"""The hash chain's pure functions."""

import hashlib

import pytest

from vetq.audit.chain import GENESIS, canonical_json, entry_hash

pytestmark = pytest.mark.unit


def test_canonical_json_sorts_keys_keeps_chinese_and_has_no_spaces():
    assert canonical_json({"b": [1, 2], "a": "无锡"}) == '{"a":"无锡","b":[1,2]}'


def test_entry_hash_is_sha256_of_previous_hash_and_fields():
    expected = hashlib.sha256(f'{GENESIS}\n{{"a":1,"b":"x"}}'.encode()).hexdigest()
    assert entry_hash(GENESIS, {"b": "x", "a": 1}) == expected


def test_entry_hash_changes_with_previous_hash_and_with_fields():
    first = entry_hash(GENESIS, {"action": "x"})
    assert entry_hash("1" * 64, {"action": "x"}) != first
    assert entry_hash(GENESIS, {"action": "y"}) != first
    assert GENESIS == "0" * 64
