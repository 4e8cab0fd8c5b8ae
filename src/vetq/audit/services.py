"""Writing to and checking the audit log."""

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from .chain import GENESIS, canonical_json, entry_hash
from .models import AuditEntry, AuditHead


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "ip_address": entry.ip_address,
    }


def _clean_ip(value: str | None) -> str | None:
    """The address as the database will give it back, so the hash is taken over that form.

    Django writes IPv6 addresses compressed and lower-case (``2001:DB8::1`` → ``2001:db8::1``);
    hashing the raw text would make the entry fail verification once read back. Something that
    is not an address at all is dropped rather than refused: an audit write must not fail.
    """
    if not value:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return AuditEntry._meta.get_field("ip_address").get_prep_value(value)


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(canonical_json(value))


def audit_log(
    *,
    action: str,
    actor=None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Runs in the caller's transaction, or its own.

    The chain head is locked while the entry is written, so two writers cannot both
    link to the same predecessor.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor.get_username()
    else:
        actor = None
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS, "count": 0}
        )
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor,
            actor_name=actor_name,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id != "" else "",
            object_repr=str(object_repr)[:200],
            before=_jsonable(before),
            after=_jsonable(after),
            ip_address=_clean_ip(ip_address),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(head.last_hash, _hashed_fields(entry))
        entry.save()
        AuditHead.objects.filter(pk=head.pk).update(last_hash=entry.hash, count=head.count + 1)
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def audit_verify() -> ChainReport:
    """Recompute every link in order; report the first entry whose hash or link is wrong."""
    prev = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.pk, "its previous-hash does not match the entry before it")
        if entry_hash(prev, _hashed_fields(entry)) != entry.hash:
            return ChainReport(checked, entry.pk, "its contents do not match its hash")
        prev = entry.hash
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if checked:
            return ChainReport(checked, None, "the chain head is missing")
        return ChainReport(checked)
    if head.last_hash != prev or head.count != checked:
        return ChainReport(
            checked, None, "the chain head does not match the last entry: entries were removed"
        )
    return ChainReport(checked)
