"""The hash chain of the audit log, as pure functions (no database)."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """One byte-exact JSON text per value: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's fields in canonical JSON."""
    payload = prev_hash + "\n" + canonical_json(dict(fields))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
