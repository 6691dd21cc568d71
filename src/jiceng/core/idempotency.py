"""Idempotency keys on posting API calls (the ``Idempotency-Key`` header)."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import JicengError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


class DuplicateRequest(JicengError):
    status = 409

    def __init__(self, record: IdempotencyRecord | None):
        if record is not None and record.response is not None:
            message = _("该请求已处理过（幂等键重复），未重复执行；原结果见 original")
        else:
            message = _("同一幂等键的请求正在处理或已处理，未重复执行")
        super().__init__(message, field=HEADER, code="duplicate")
        self.original = record.response if record is not None else None

    def as_dict(self) -> dict:
        d = super().as_dict()
        d["original"] = self.original
        return d


def require_key(request) -> str:
    """The request's Idempotency-Key, checked before anything else is looked at."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        raise JicengError(_("缺少 Idempotency-Key 请求头：每次提交请带一个唯一编号，重试时使用同一编号"),
                          field=HEADER, code="idempotency_key_required")
    if len(key) > 100 or "\x00" in key:
        raise JicengError(_("Idempotency-Key 不能超过 100 个字符"), field=HEADER)
    return key


def run_once(request, operation: str, call, *, serialise):
    """Run ``call()`` once per (user, Idempotency-Key). ``serialise(result)`` gives the JSON stored
    and returned; a replay raises ``DuplicateRequest`` carrying it."""
    key = require_key(request)
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=user, key=key, operation=operation[:200])
    except IntegrityError:
        raise DuplicateRequest(IdempotencyRecord.objects.filter(user=user, key=key).first()) from None
    try:
        result = call()
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    body = serialise(result)
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=200, response=body)
    return body
