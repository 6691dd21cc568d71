"""Reads of the audit trail, scoped to what the user may see."""
from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

from jiceng.accounts.permissions import can_view_audit
from jiceng.accounts.scope import scope_for
from jiceng.core.errors import PermissionDeniedError
from jiceng.core.filters import filter_by

from .models import AuditEntry

ENTRY_FILTERS = {"action": "action__startswith", "actor": "actor_name", "object_type": "object_type",
                 "object_id": "object_id"}


def audit_entry_list(*, user, action: str = "", actor: str = "", object_type: str = "", object_id: str = ""):
    if not can_view_audit(user):
        raise PermissionDeniedError()
    scope = scope_for(user, purpose="audit")
    qs = AuditEntry.objects.all()
    if not scope.everything:
        if not scope.paths:
            return qs.none()
        # Entries about units in scope, plus system-wide entries (no unit) for street-level auditors.
        qs = qs.filter(reduce(or_, (Q(org_path__startswith=p) for p in scope.paths)))
    qs = filter_by(qs, ENTRY_FILTERS, action=action, actor=actor, object_type=object_type, object_id=object_id)
    return qs.order_by("-id")


def home_recent(request, _obj=None) -> dict | None:
    """The desk's latest audit entries (a home panel), for those who may read the trail."""
    if not can_view_audit(request.user):
        return None
    return {"recent_audit": list(audit_entry_list(user=request.user)[:8])}
