"""Writing and verifying the audit trail."""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEntry

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def jsonable(value):
    """The value as it will be stored in a JSON column (so hashing before and after storage agrees)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _canonical(entry_fields: dict) -> bytes:
    return json.dumps(entry_fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry, prev_hash: str) -> str:
    created = entry.created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = {
        "id": entry.pk,
        "created_at": created,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "org_path": entry.org_path,
        "before": entry.before,
        "after": entry.after,
        "ip_address": entry.ip_address,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(fields)).hexdigest()


def audit_log(*, actor, action: str, obj=None, object_type: str = "", object_id="", object_repr: str = "",
              org_path: str = "", before=None, after=None, ip_address: str = "") -> AuditEntry:
    """Append one chained audit row. Call inside the transaction that makes the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
        org_path = org_path or getattr(obj, "org_path", "") or getattr(obj, "path", "")
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            id=head.last_entry_id + 1,
            created_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_name=(getattr(actor, "username", "") or ("system" if actor is None else str(actor)))[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id or "")[:64],
            object_repr=(object_repr or "")[:255],
            org_path=org_path or "",
            before=jsonable(before),
            after=jsonable(after),
            ip_address=ip_address or "",
            prev_hash=head.last_hash,
        )
        entry.entry_hash = compute_hash(entry, head.last_hash)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(id=1).update(
            last_entry_id=entry.pk, last_hash=entry.entry_hash, entry_count=head.entry_count + 1
        )
    return entry


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, in before/after form."""
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if jsonable(before.get(k)) != jsonable(after.get(k))]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain: every row's hash, every link, ids without gaps, and the head."""
    result = VerifyResult()
    prev_hash = GENESIS
    expected_id = 1
    last_id = 0
    qs = AuditEntry.objects.order_by("id")
    start = 0
    while True:
        rows = list(qs.filter(id__gt=start)[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.pk != expected_id:
                result.problems.append(f"记录 #{expected_id}–#{entry.pk - 1} 缺失（被删除）")
            if entry.prev_hash != prev_hash:
                result.problems.append(f"记录 #{entry.pk} 的前序哈希与上一条不符（链被破坏）")
            recomputed = compute_hash(entry, entry.prev_hash)
            if recomputed != entry.entry_hash:
                result.problems.append(f"记录 #{entry.pk} 的内容与其哈希不符（被篡改）")
            prev_hash = entry.entry_hash
            expected_id = entry.pk + 1
            last_id = entry.pk
            result.checked += 1
        start = rows[-1].pk
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None:
        if result.checked:
            result.problems.append("审计链头缺失")
    else:
        if head.last_entry_id != last_id or head.last_hash != prev_hash:
            result.problems.append(
                f"审计链头指向记录 #{head.last_entry_id}，但最后一条记录是 #{last_id}（末尾记录被删除或篡改）"
            )
        if head.entry_count != result.checked:
            result.problems.append(f"审计链头记载 {head.entry_count} 条记录，实际 {result.checked} 条")
    return result
