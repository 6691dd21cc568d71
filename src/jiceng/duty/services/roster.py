"""The roster (值班表): shifts of named cadres at a desk. One person is never on two shifts at once."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.notices.services import Subject, notification_send
from jiceng.people.models import Cadre

from .. import permissions
from ..models import DutyDesk, DutyShift, ShiftStatus

MAX_SHIFT = dt.timedelta(hours=24)


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def lock_cadre(cadre: Cadre) -> None:
    """The cadre's row is the lock two rosters drawn up at once for the same person meet on (rule 4)."""
    Cadre.objects.unscoped(AUTHORISED).order_by("pk").select_for_update(of=("self",)).filter(pk=cadre.pk).first()


def first_clash(cadre: Cadre, starts_at, ends_at) -> DutyShift | None:
    """The person's first shift, at any desk, that overlaps [starts_at, ends_at)."""
    return (DutyShift.objects.unscoped("a person's shifts at every desk, to refuse an overlap")
            .filter(cadre=cadre, starts_at__lt=ends_at, ends_at__gt=starts_at).select_related("desk")
            .order_by("starts_at").first())


def shift_create(*, actor, desk: DutyDesk, cadre: Cadre | None, starts_at, ends_at, now=None) -> DutyShift:
    """Put a cadre of the desk's village or community (or of a unit above it) on the roster. A shift that
    overlaps another shift of the same person, at any desk, is refused naming the start."""
    if not permissions.can_manage(actor, desk.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if cadre is None:
        errors.add("cadre", _("请选择值班人"))
    elif not (cadre.org_path.startswith(desk.org_path) or desk.org_path.startswith(cadre.org_path)):
        errors.add("cadre", _("“%(n)s”不是本村（社区）或上级的干部") % {"n": cadre.name})
    if not starts_at:
        errors.add("starts_at", _("请填写开始时间"))
    if not ends_at:
        errors.add("ends_at", _("请填写结束时间"))
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors.add("ends_at", _("结束时间应晚于开始时间"))
        elif ends_at - starts_at > MAX_SHIFT:
            errors.add("ends_at", _("一个班次不能超过 24 小时"))
    if not desk.is_active:
        errors.add("desk", _("该值班台已停用"))
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic():
        lock_cadre(cadre)
        clash = first_clash(cadre, starts_at, ends_at)
        if clash is not None:
            raise JicengError(_("与%(n)s已有的班次重叠：%(d)s %(s)s–%(e)s") % {
                "n": cadre.name, "d": clash.desk.name, "s": _fmt(clash.starts_at),
                "e": timezone.localtime(clash.ends_at).strftime("%H:%M")}, field="starts_at", code="overlap")
        shift = DutyShift.objects.create(desk=desk, org_path=desk.org_path, cadre=cadre, starts_at=starts_at,
                                         ends_at=ends_at, created_by=actor, created_at=now)
        audit_log(actor=actor, action="duty.shift.created", obj=shift,
                  object_repr=f"{desk.name} · {cadre.name} {_fmt(starts_at)}",
                  after={"cadre": cadre.pk, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()})
        if cadre.user_id:
            notification_send(user_ids=[cadre.user_id], now=now,
                              message=_("值班安排：%(d)s，%(s)s 至 %(e)s") % {
                                  "d": desk.name, "s": _fmt(starts_at), "e": _fmt(ends_at)},
                              subject=Subject("duty.shift", shift.pk, "/duty/mine/"))
    return shift


def shift_delete(*, actor, shift: DutyShift) -> None:
    """Take a shift off the roster before anyone checked in (a roster correction), recorded in the audit."""
    if not permissions.can_manage(actor, shift.org_path):
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = DutyShift.objects.unscoped(AUTHORISED).select_for_update().get(pk=shift.pk)
        if locked.status != ShiftStatus.SCHEDULED or locked.visitors.exists():
            raise JicengError(_("已签到或已记缺勤的班次不能删除"), field="status", code="bad_transition")
        audit_log(actor=actor, action="duty.shift.deleted", obj=locked,
                  before={"cadre": locked.cadre_id, "starts_at": locked.starts_at.isoformat()})
        locked.delete()
