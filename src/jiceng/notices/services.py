"""Putting messages in the outbox. Every module's reminders and notices come through here (rule: one outbox)."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .models import Notification


@dataclass(frozen=True)
class Subject:
    """What a message is about: ``kind`` (``reports.report``), the row's id, and the page to open."""

    kind: str
    id: int | None = None
    link: str = ""


def notification_send(*, users=(), user_ids=(), phones=(), message: str, subject: Subject | None = None,
                      now=None) -> int:
    """One message to each user (their inbox; by object or id) and each phone (an SMS sender delivers it);
    returns how many were put in the outbox."""
    now = now or timezone.now()
    about = {"subject": subject.kind, "subject_id": subject.id, "link": subject.link} if subject else {}
    rows = [Notification(user=u, message=message[:300], created_at=now, **about) for u in users if u is not None]
    rows += [Notification(user_id=i, message=message[:300], created_at=now, **about) for i in user_ids if i]
    rows += [Notification(phone=p, channel="sms", message=message[:300], created_at=now, **about) for p in phones if p]
    Notification.objects.bulk_create(rows)
    return len(rows)
