"""Tasks that come from elsewhere (转办任务): a problem report escalated to a unit, a monitoring visit due, a
rectification measure. Each goes on the site's ad-hoc list for the month, issued at once, and names its source."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED

from .. import permissions
from ..models import EvidenceKind, TaskList, TaskListKind, TaskListStatus
from .rules import site_of
from .tasks import task_add

SOURCES = {
    "reports.report": _("问题诉求"),
    "monitoring.scheduled_visit": _("监测走访"),
    "cadre.measure": _("整改措施"),
}


def _source(actor, source_type: str, source_id) -> tuple[str, str]:
    """The source's place and a title for the task, if the actor may see it; else a clear refusal."""
    try:
        pk = int(source_id)
    except (TypeError, ValueError):
        raise JicengError(_("来源编号应为数字"), field="source_id") from None
    found = None
    if source_type == "reports.report":
        from jiceng.reports.models import Report

        r = Report.objects.unscoped("fetched by key; the next line checks it is in the actor's area").filter(
            pk=pk).first()
        if r is not None and permissions.can_view(actor, r.org_path):
            found = (r.org_path, _("办理诉求：%(d)s") % {"d": r.description[:60]})
    elif source_type == "monitoring.scheduled_visit":
        from jiceng.monitoring.models import ScheduledVisit

        v = ScheduledVisit.objects.filter(pk=pk).select_related("case__household").first()
        if v is not None and permissions.can_view(actor, v.case.org_path):
            found = (v.case.org_path, _("监测走访：%(h)s（应于 %(d)s 前）") % {"h": v.case.household.number,
                                                                        "d": v.due_on.isoformat()})
    elif source_type == "cadre.measure":
        from ..models import RectificationMeasure

        m = RectificationMeasure.objects.filter(pk=pk).select_related("plan").first()
        if m is not None and permissions.can_view(actor, m.plan.org_path):
            found = (m.plan.org_path, _("整改措施：%(t)s") % {"t": m.text[:80]})
    else:
        raise JicengError(_("不能从“%(s)s”转办任务") % {"s": source_type}, field="source_type")
    if not found:
        raise JicengError(_("找不到该%(k)s，或不在您的范围内") % {"k": SOURCES[source_type]}, field="source_id")
    return found


def task_from_source(*, actor, source_type: str, source_id, org_unit, owner, due_at, title: str = "",
                     evidence: str = EvidenceKind.TEXT, weight=1, now=None):
    """Turn a report, a visit or a measure into a task for a unit and its owner, on the month's ad-hoc list."""
    path, default_title = _source(actor, source_type, source_id)
    site = site_of(path)
    if not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    now = now or timezone.now()
    month = timezone.localdate(now).replace(day=1)
    title = (title or "").strip() or default_title
    with transaction.atomic():
        tl = TaskList.objects.unscoped(AUTHORISED).select_for_update().filter(
            org_path=site.path, kind=TaskListKind.AD_HOC, month=month, title__endswith="转办任务").first()
        if tl is None:
            tl = TaskList.objects.create(org_unit=site, org_path=site.path, kind=TaskListKind.AD_HOC, month=month,
                                         title=_("%(y)d年%(m)d月转办任务") % {"y": month.year, "m": month.month},
                                         status=TaskListStatus.ISSUED, created_by=actor, created_at=now,
                                         issued_by=actor, issued_at=now)
        return task_add(actor=actor, task_list=tl, title=title, org_unit=org_unit, owner=owner, due_at=due_at,
                        evidence=evidence, weight=weight, source_type=source_type, source_id=source_id, now=now)


def measure_to_task(*, actor, measure, now=None):
    """A rectification measure handed to its owner as a task due at the end of its deadline day."""
    due = timezone.make_aware(dt.datetime.combine(measure.deadline, dt.time(18, 0)))
    return task_from_source(actor=actor, source_type="cadre.measure", source_id=measure.pk,
                            org_unit=measure.plan.org_unit, owner=measure.owner, due_at=due, now=now)
