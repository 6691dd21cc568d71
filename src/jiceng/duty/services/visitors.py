"""Visitors received at the desk (来访登记). A matter (办事) is filed as a report from the desk and a dispute
(矛盾纠纷) recorded as mediated, both through the reports module's services, in the visitor's transaction:
the visitor row and what it created stand or fall together."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, PermissionDeniedError
from jiceng.reports.services import dispute_record, report_submit

from .. import permissions
from ..models import DutyDesk, DutyShift, ShiftStatus, Visitor, VisitorKind


def visitor_record(*, actor, desk: DutyDesk, name: str, purpose: str, kind: str = VisitorKind.CONSULT,
                   phone: str = "", outcome: str = "", category_id=None, dispute_kind: str = "", parties: str = "",
                   dispute_outcome: str = "mediating", agreement: str = "", now=None) -> Visitor:
    """Record a visitor: who, what for, the outcome. ``matter`` needs a report category (``category``);
    ``dispute`` needs its parties (``parties``) and type (``dispute_kind``)."""
    if not permissions.can_record(actor, desk.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    name, purpose, phone = (name or "").strip(), (purpose or "").strip(), (phone or "").strip()
    outcome = (outcome or "").strip()
    if not name:
        errors.add("name", _("请填写来访人姓名"))
    if not purpose:
        errors.add("purpose", _("请填写来访事由"))
    if phone and (len(phone) > 20 or not all(c.isdigit() or c in "-+ " for c in phone)):
        errors.add("phone", _("联系电话只能包含数字和“-”"))
    if kind not in VisitorKind.values:
        errors.add("kind", _("请选择来访类型"))
    if kind == VisitorKind.MATTER and not category_id:
        errors.add("category", _("办事请选择诉求类别，将转入诉求办理"))
    if kind == VisitorKind.DISPUTE:
        if not (parties or "").strip():
            errors.add("parties", _("调解纠纷请填写当事人"))
        if not dispute_kind:
            errors.add("dispute_kind", _("请选择纠纷类型"))
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic():
        cadre = permissions.cadre_of(actor)
        # The recorder's own shift at this desk that they checked in to and that covers the moment, if any.
        shift = (DutyShift.objects.within(desk.org_path)
                 .filter(desk=desk, cadre=cadre, status__in=(ShiftStatus.ON_DUTY, ShiftStatus.DONE),
                         checked_in_at__lte=now, starts_at__lte=now + dt.timedelta(hours=1), ends_at__gte=now)
                 .order_by("starts_at").first() if cadre is not None else None)
        visitor = Visitor.objects.create(desk=desk, shift=shift, org_path=desk.org_path, at=now, name=name[:50],
                                         phone=phone, purpose=purpose[:500], kind=kind, outcome=outcome[:500],
                                         recorded_by=actor)
        if kind == VisitorKind.MATTER:
            visitor.report = report_submit(actor=actor, channel="desk", category_id=category_id, description=purpose,
                                           org_unit=desk.org_unit, reporter_name=name, reporter_phone=phone,
                                           address=desk.address, now=now)
        elif kind == VisitorKind.DISPUTE:
            visitor.dispute = dispute_record(
                actor=actor, org_unit=desk.org_unit, kind=dispute_kind, parties=parties, description=purpose,
                mediator=cadre.name if cadre else (getattr(actor, "display_name", "") or actor.username),
                occurred_on=timezone.localdate(now), outcome=dispute_outcome or "mediating",
                agreement=agreement or outcome)
        if visitor.report_id or visitor.dispute_id:
            visitor.save(update_fields=["report", "dispute"])
        audit_log(actor=actor, action="duty.visitor.recorded", obj=visitor, object_repr=f"{desk.name} · {name}",
                  after={"kind": kind, "report": visitor.report_id, "dispute": visitor.dispute_id})
    return visitor
