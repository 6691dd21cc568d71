"""Reading the outbox: a user's inbox."""
from __future__ import annotations

from .models import Notification


def inbox(*, user, limit: int = 20, subject_prefix: str = ""):
    """The user's latest messages (only their own), optionally those about one module's records."""
    qs = Notification.objects.filter(user=user)
    if subject_prefix:
        qs = qs.filter(subject__startswith=subject_prefix)
    return qs.order_by("-created_at", "-id")[:limit]
