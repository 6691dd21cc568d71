"""Task lists (任务清单): issue, report with evidence, accept or return, grade into performance points, and the
reminders and overdue marks the task queue writes as stored facts."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.images import clean_photo
from jiceng.core.modules import checks_run
from jiceng.core.scope import AUTHORISED
from jiceng.notices.services import Subject, notification_send
from jiceng.orgs.models import OrgUnit
from jiceng.people.models import Cadre

from .. import permissions
from ..models import (
    EvidenceKind, Grade, PerformanceKind, ReportResult, Task, TaskList, TaskListKind, TaskListStatus, TaskReport,
    TaskStatus, Timeliness,
)
from .performance import performance_post
from .rules import rules_for, site_of

OPEN_STATUSES = (TaskStatus.ISSUED, TaskStatus.REPORTED, TaskStatus.RETURNED)
MAX_FILE_BYTES = 20 * 1024 * 1024


def _locked(model, pk):
    return model.objects.unscoped(AUTHORISED).select_for_update().get(pk=pk)


# --------------------------------------------------------------------------- lists

def task_list_create(*, actor, org_unit: OrgUnit, title: str, kind: str = TaskListKind.MONTHLY, month=None,
                     now=None) -> TaskList:
    """A new list, a draft until issued. A monthly list names its month."""
    if not permissions.can_manage(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    title = (title or "").strip()
    if not title:
        errors.add("title", _("请填写清单名称"))
    if kind not in TaskListKind.values:
        errors.add("kind", _("清单类型不正确"))
    if kind == TaskListKind.MONTHLY and not month:
        errors.add("month", _("月度清单请选择月份"))
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic():
        tl = TaskList.objects.create(org_unit=org_unit, org_path=org_unit.path, title=title[:100], kind=kind,
                                     month=month.replace(day=1) if month else None, created_by=actor, created_at=now)
        audit_log(actor=actor, action="cadre.task_list.created", obj=tl)
    return tl


def task_add(*, actor, task_list: TaskList, title: str, org_unit: OrgUnit | None, owner: Cadre | None,
             due_at, co_owners=(), description: str = "", evidence: str = EvidenceKind.NONE, weight=1,
             source_type: str = "", source_id="", now=None) -> Task:
    """Add a task to a list. A task needs an owner in the responsible unit's tree and a due moment."""
    if not permissions.can_manage(actor, task_list.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    title = (title or "").strip()
    if not title:
        errors.add("title", _("请填写任务内容"))
    if org_unit is None:
        errors.add("org_unit", _("请选择责任单位"))
    elif not org_unit.path.startswith(task_list.org_path):
        errors.add("org_unit", _("责任单位“%(u)s”不在本清单下发范围内") % {"u": org_unit.name})
    if owner is None:
        errors.add("owner", _("请指定责任人"))
    elif org_unit is not None and not owner.org_path.startswith(org_unit.path) \
            and not org_unit.path.startswith(owner.org_path):
        errors.add("owner", _("责任人“%(n)s”不属于责任单位“%(u)s”") % {"n": owner.name, "u": org_unit.name})
    if not due_at:
        errors.add("due_at", _("请填写完成时限"))
    if evidence not in EvidenceKind.values:
        errors.add("evidence", _("佐证要求不正确"))
    try:
        weight = int(weight)
        if not 1 <= weight <= 10:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("weight", _("分值倍数应为 1 到 10 的整数"))
    co = [c for c in co_owners if c is not None and (owner is None or c.pk != owner.pk)]
    for c in co:
        if not c.org_path.startswith(task_list.org_path):
            errors.add("co_owners", _("配合人“%(n)s”不在本清单下发范围内") % {"n": c.name})
    errors.raise_if_any()
    now = now or timezone.now()
    # A duty that may not be pushed down to villages (a negative list) refuses the task, naming the item.
    checks_run("push_down", actor=actor, unit=org_unit, subject=f"{title} {description or ''}",
               source_type="cadre.task", field="title", now=now)
    with transaction.atomic():
        tl = _locked(TaskList, task_list.pk)
        status = TaskStatus.ISSUED if tl.status == TaskListStatus.ISSUED else TaskStatus.DRAFT
        task = Task.objects.create(task_list=tl, title=title[:200], description=description or "", org_unit=org_unit,
                                   org_path=org_unit.path, owner=owner, due_at=due_at, evidence=evidence, weight=weight,
                                   status=status, source_type=source_type, source_id=str(source_id or ""),
                                   created_at=now)
        if co:
            task.co_owners.set(co)
        audit_log(actor=actor, action="cadre.task.created", obj=task, object_repr=f"{tl.title} · {task.title}",
                  after={"owner": owner.pk, "due_at": due_at.isoformat(), "weight": weight, "evidence": evidence})
        if status == TaskStatus.ISSUED:
            _notify_owners([task], _("新任务：%(t)s，完成时限 %(d)s"), actor=actor)
    return task


def _notify_owners(tasks, template: str, *, actor=None) -> None:
    for task in tasks:
        cadres = [task.owner, *task.co_owners.all()]
        user_ids = [c.user_id for c in cadres if c.user_id]
        due = timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
        notification_send(user_ids=user_ids, message=template % {"t": task.title, "d": due},
                          subject=Subject("cadre.task", task.pk, f"/cadre/tasks/{task.pk}/"))


def task_list_issue(*, actor, task_list: TaskList, now=None) -> TaskList:
    """Issue (下发) a draft list: its tasks go to their owners."""
    if not permissions.can_manage(actor, task_list.org_path):
        raise PermissionDeniedError()
    now = now or timezone.now()
    with transaction.atomic():
        tl = _locked(TaskList, task_list.pk)
        if tl.status != TaskListStatus.DRAFT:
            raise JicengError(_("该清单已下发"), field="status", code="already_issued")
        tasks = list(Task.objects.within(tl.org_path).filter(task_list=tl).select_related("owner"))
        if not tasks:
            raise JicengError(_("清单里还没有任务，不能下发"), field="tasks", code="empty_list")
        tl.status, tl.issued_by, tl.issued_at = TaskListStatus.ISSUED, actor, now
        tl.save(update_fields=["status", "issued_by", "issued_at"])
        Task.objects.within(tl.org_path).filter(task_list=tl).update(status=TaskStatus.ISSUED)
        audit_log(actor=actor, action="cadre.task_list.issued", obj=tl, after={"tasks": len(tasks)})
        _notify_owners(tasks, _("新任务：%(t)s，完成时限 %(d)s"), actor=actor)
    return tl


def task_remove(*, actor, task: Task) -> None:
    """Take a task off a list before the list is issued (a mistake in a draft); an issued task stays."""
    if not permissions.can_manage(actor, task.task_list.org_path):
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = _locked(Task, task.pk)
        if locked.status != TaskStatus.DRAFT:
            raise JicengError(_("清单已下发，任务不能删除"), field="status", code="already_issued")
        audit_log(actor=actor, action="cadre.task.removed", obj=locked, object_repr=locked.title)
        locked.co_owners.clear()
        locked.delete()


# --------------------------------------------------------------------------- reports

def task_report(*, actor, task: Task, text: str = "", photo=None, file=None, is_final: bool = True,
                now=None) -> TaskReport:
    """The owner (or a co-owner) reports progress or completion with evidence, from the phone."""
    if not permissions.can_report(actor, task):
        raise PermissionDeniedError(_("只有责任人或配合人可以报告该任务"))
    now = now or timezone.now()
    errors = ErrorCollector()
    text = (text or "").strip()
    if task.status not in (TaskStatus.ISSUED, TaskStatus.RETURNED, TaskStatus.REPORTED):
        raise JicengError(_("任务当前状态“%(s)s”不能报告") % {"s": TaskStatus(task.status).label}, field="status",
                          code="bad_transition")
    if task.status == TaskStatus.REPORTED and is_final:
        raise JicengError(_("已报告完成，等待验收"), field="status", code="awaiting_check")
    if is_final:
        if task.evidence == EvidenceKind.PHOTO and not photo:
            errors.add("photo", _("该任务要求上传照片作为佐证"))
        if task.evidence == EvidenceKind.FILE and not file:
            errors.add("file", _("该任务要求上传文件作为佐证"))
        if task.evidence == EvidenceKind.TEXT and not text:
            errors.add("text", _("该任务要求填写完成情况"))
    if not (text or photo or file):
        errors.add("text", _("请填写进展或上传佐证"))
    if file is not None and getattr(file, "size", 0) > MAX_FILE_BYTES:
        errors.add("file", _("文件不能超过 20 MB"))
    cleaned = None
    if photo and not errors.errors.get("photo"):
        cleaned = clean_photo(photo)  # raises a JicengError on the photo field when it is not an image
    errors.raise_if_any()
    with transaction.atomic():
        locked = _locked(Task, task.pk)
        if locked.status not in (TaskStatus.ISSUED, TaskStatus.RETURNED, TaskStatus.REPORTED) or \
                (locked.status == TaskStatus.REPORTED and is_final):
            raise JicengError(_("任务状态已变化，请刷新"), field="status", code="bad_transition")
        report = TaskReport(task=locked, org_path=locked.org_path, by=actor, cadre=permissions.cadre_of(actor), at=now,
                            text=text[:5000], is_final=is_final,
                            result=ReportResult.PENDING if is_final else ReportResult.ACCEPTED)
        if cleaned is not None:
            report.photo.save(cleaned.name, cleaned, save=False)
        if file is not None:
            report.file.save(file.name, file, save=False)
        report.save()
        if is_final:
            locked.status = TaskStatus.REPORTED
            locked.save(update_fields=["status"])
        audit_log(actor=actor, action="cadre.task.reported" if is_final else "cadre.task.progress", obj=locked,
                  after={"report": report.pk, "final": is_final, "photo": bool(cleaned), "file": bool(file)})
    return report


def task_report_return(*, actor, task: Task, reason: str, now=None) -> TaskReport:
    """The issuer sends a completion report back with a reason (退回)."""
    if not permissions.can_grade(actor, task):
        raise PermissionDeniedError(_("只有下发单位的负责人可以验收，责任人不能验收自己的任务"))
    reason = (reason or "").strip()
    if not reason:
        raise JicengError(_("请填写退回原因"), field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(Task, task.pk)
        report = (TaskReport.objects.unscoped(AUTHORISED).select_for_update()
                  .filter(task=locked, is_final=True, result=ReportResult.PENDING).order_by("-at", "-id").first())
        if locked.status != TaskStatus.REPORTED or report is None:
            raise JicengError(_("没有待验收的报告"), field="status", code="bad_transition")
        report.result, report.return_reason, report.decided_by, report.decided_at = (
            ReportResult.RETURNED, reason[:500], actor, now)
        report.save(update_fields=["result", "return_reason", "decided_by", "decided_at"])
        locked.status = TaskStatus.RETURNED
        locked.save(update_fields=["status"])
        audit_log(actor=actor, action="cadre.task.returned", obj=locked, after={"reason": reason[:200]})
        _notify_owners([locked], _("任务被退回：%(t)s（时限 %(d)s），请按意见补充"))
    return report


# --------------------------------------------------------------------------- grading

def points_for(rules, *, grade: str, timeliness: str, weight: int) -> int:
    """The points a graded task is worth under the site's rules: on time +a (excellent +d), late −b, not
    done −c, each times the task's weight."""
    if grade == Grade.NOT_DONE:
        base = -rules.not_done_points
    elif timeliness == Timeliness.LATE:
        base = -rules.late_points
    elif grade == Grade.EXCELLENT:
        base = rules.excellent_points
    else:
        base = rules.on_time_points
    return base * weight


def task_grade(*, actor, task: Task, grade: str, note: str = "", now=None) -> Task:
    """Grade a task (评定): excellent or done accepts its pending completion report, whose moment against the
    due moment decides on time or late; not done needs no report. Posts the points to the owner's year."""
    if not permissions.can_grade(actor, task):
        raise PermissionDeniedError(_("只有下发单位的负责人可以评定，责任人不能评定自己的任务"))
    if grade not in Grade.values:
        raise JicengError(_("请选择评定结果"), field="grade")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(Task, task.pk)
        if locked.status == TaskStatus.GRADED:
            raise JicengError(_("该任务已评定"), field="status", code="already_graded")
        if locked.status == TaskStatus.DRAFT:
            raise JicengError(_("任务尚未下发"), field="status", code="bad_transition")
        report = (TaskReport.objects.unscoped(AUTHORISED).select_for_update()
                  .filter(task=locked, is_final=True, result=ReportResult.PENDING).order_by("-at", "-id").first())
        if grade == Grade.NOT_DONE:
            if report is None and now <= locked.due_at:
                raise JicengError(_("未到完成时限，不能评为未完成"), field="grade", code="not_due")
            timeliness = Timeliness.LATE if now > locked.due_at else Timeliness.ON_TIME
        else:
            if report is None:
                raise JicengError(_("责任人尚未报告完成，不能评定为完成"), field="grade", code="no_report")
            timeliness = Timeliness.ON_TIME if report.at <= locked.due_at else Timeliness.LATE
        if report is not None:
            report.result = ReportResult.ACCEPTED if grade != Grade.NOT_DONE else ReportResult.RETURNED
            report.decided_by, report.decided_at = actor, now
            report.save(update_fields=["result", "decided_by", "decided_at"])
        rules = rules_for(site_of(locked.org_path))
        amount = points_for(rules, grade=grade, timeliness=timeliness, weight=locked.weight)
        owner = Cadre.objects.unscoped(AUTHORISED).get(pk=locked.owner_id)
        label = f"{Grade(grade).label}·{Timeliness(timeliness).label}"
        entry = performance_post(cadre=owner, year=timezone.localtime(locked.due_at).year, amount=amount,
                                 kind=PerformanceKind.TASK, reason=f"{locked.title}（{label}）"[:300],
                                 idempotency_key=f"task:{locked.pk}", source_type="cadre.task", source_id=locked.pk,
                                 actor=actor, now=now)
        locked.status, locked.grade, locked.timeliness = TaskStatus.GRADED, grade, timeliness
        locked.graded_by, locked.graded_at, locked.grade_note = actor, now, (note or "")[:500]
        locked.points = entry.amount if entry is not None else 0
        locked.save(update_fields=["status", "grade", "timeliness", "graded_by", "graded_at", "grade_note", "points"])
        audit_log(actor=actor, action="cadre.task.graded", obj=locked,
                  after={"grade": grade, "timeliness": timeliness, "points": locked.points})
        if owner.user_id:
            notification_send(user_ids=[owner.user_id],
                              message=_("任务“%(t)s”评定为%(g)s，%(p)+d 分") % {"t": locked.title, "g": label,
                                                                           "p": locked.points},
                              subject=Subject("cadre.task", locked.pk, f"/cadre/tasks/{locked.pk}/"))
    return locked


# --------------------------------------------------------------------------- the task queue

def tasks_check_due(now=None) -> dict:
    """Remind owners before the due moment (the site's days) and mark overdue tasks, once each: stored facts."""
    now = now or timezone.now()
    counts = {"reminded": 0, "overdue": 0}
    open_tasks = Task.objects.unscoped("the task queue checks every open task").filter(status__in=OPEN_STATUSES)
    for task in open_tasks.filter(overdue_at__isnull=True, due_at__lt=now,
                                  status__in=(TaskStatus.ISSUED, TaskStatus.RETURNED)).select_related("owner"):
        if Task.objects.unscoped(AUTHORISED).filter(pk=task.pk, overdue_at__isnull=True).update(overdue_at=now):
            counts["overdue"] += 1
            audit_log(actor=None, action="cadre.task.overdue", obj=task)
            _notify_owners([task], _("任务已逾期：%(t)s（时限 %(d)s）"))
    rules_by_site: dict[str, object] = {}
    for task in open_tasks.filter(reminded_at__isnull=True, due_at__gte=now,
                                  status__in=(TaskStatus.ISSUED, TaskStatus.RETURNED)).select_related("owner"):
        site_path = task.org_path.split(".")[0] + "."
        if site_path not in rules_by_site:
            rules_by_site[site_path] = rules_for(site_of(task.org_path))
        if task.due_at - now > dt.timedelta(days=rules_by_site[site_path].remind_days):
            continue
        if Task.objects.unscoped(AUTHORISED).filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now):
            counts["reminded"] += 1
            _notify_owners([task], _("任务即将到期：%(t)s（时限 %(d)s）"))
    return counts

