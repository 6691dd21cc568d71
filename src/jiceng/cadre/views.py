"""Cadre-work pages. Thin: parse, call one service or selector, render."""
from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit, OrgUnitKind
from jiceng.people.models import Cadre
from jiceng.web.actions import run_action
from jiceng.web.downloads import table_xlsx as _xlsx, xlsx_response
from jiceng.web.forms import apply_error
from jiceng.web.pagination import CappedPaginator

from . import permissions, selectors, services
from .forms import (
    AdjustmentForm, AppealForm, DecisionForm, EscalateForm, GradeForm, ReportForm, ReturnForm, RulesForm, TaskForm,
    TaskListForm,
)
from .models import AdjustmentStatus, AppealStatus, TaskListStatus, TaskStatus
from .services.rules import RULE_FIELDS

UNIT_KINDS = (OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE, OrgUnitKind.RELOCATION_SITE, OrgUnitKind.GRID,
              OrgUnitKind.VILLAGER_GROUP, OrgUnitKind.DEPARTMENT, OrgUnitKind.STREET, OrgUnitKind.TOWNSHIP)


def _need_view(user):
    if not permissions.can_view_any(user):
        raise NotFoundError()


def _manage_root(user) -> OrgUnit:
    """The highest unit the user manages cadre work for (a list is issued from there)."""
    from jiceng.orgs.selectors import org_roots_for_user

    root = org_roots_for_user(user, purpose="cadre_manage").first()
    if root is None:
        raise PermissionDeniedError()
    return root


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _export_audit(user, action: str, n: int, filters: dict) -> None:
    from django.db import transaction

    from jiceng.audit.services import audit_log

    with transaction.atomic():
        audit_log(actor=user, action=action, object_type=action.rsplit(".", 1)[0], object_repr=f"{n}",
                  after={"rows": n, "filters": filters})


# --------------------------------------------------------------------------- home and lists

@scope_safe
@login_required
def home(request):
    """任务清单: the lists issued in scope, and what waits for the user."""
    user = request.user
    _need_view(user)
    if not permissions.can_manage_any(user) and permissions.cadre_of(user) is not None and \
            not selectors.task_list_list(user).exists():
        return redirect("cadre:mine")
    lists = CappedPaginator(selectors.task_list_list(user, status=request.GET.get("status", "")), 20).get_page(
        request.GET.get("page"))
    return render(request, "cadre/home.html", {"lists": lists, "pending": selectors.pending_counts(user),
                                               "can_manage": permissions.can_manage_any(user)})


def home_panel(request, obj=None):
    """The home page's panel: what waits for the user in cadre work."""
    user = request.user
    if not permissions.can_view_any(user):
        return None
    return {"cadre_pending": selectors.pending_counts(user), "cadre_manage": permissions.can_manage_any(user)}


@scope_safe
@login_required
def mine(request):
    """我的任务 (on the phone): open tasks first, with their due moments."""
    user = request.user
    cadre = permissions.cadre_of(user)
    mine_qs = selectors.my_tasks(user)
    open_tasks = list(mine_qs.exclude(status=TaskStatus.GRADED).order_by("due_at", "id")[:200])
    done = list(mine_qs.filter(status=TaskStatus.GRADED).order_by("-graded_at", "-id")[:30])
    year = timezone.localdate().year
    account = selectors.performance_account(cadre, year=year) if cadre else None
    return render(request, "cadre/mine.html", {"cadre": cadre,
                                               "open_tasks": [t for t in open_tasks if t.status != TaskStatus.REPORTED],
                                               "waiting_tasks": [t for t in open_tasks if t.status == TaskStatus.REPORTED],
                                               "done_tasks": done,
                                               "account": account, "year": year, "now": timezone.now()})


@scope_safe
@login_required
def list_new(request):
    user = request.user
    if not permissions.can_manage_any(user):
        raise PermissionDeniedError()
    root = _manage_root(user)
    form = TaskListForm(request.POST or None, initial={"kind": "monthly", "month": timezone.localdate().replace(day=1)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tl = services.task_list_create(actor=user, org_unit=root, title=d["title"], kind=d["kind"], month=d["month"])
            messages.success(request, _("清单已建立，请添加任务后下发"))
            return redirect("cadre:list", tl.pk)
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "cadre/list_new.html", {"form": form, "root": root})


def _choices_under(request, root):
    units = OrgUnit.objects.accessible_to(request.user, purpose="cadre_manage").filter(
        path__startswith=root.path, kind__in=UNIT_KINDS, depth__lte=root.depth + 2).order_by("path")
    cadres = list(Cadre.objects.within(root.path).select_related("org_unit").exclude(kind="grid_worker")
                  .order_by("org_path", "id")[:500])
    units = list(units.select_related("parent"))
    for u in units:
        u.label = u.name if u.depth <= root.depth + 1 or u.parent is None else f"{u.parent.name} · {u.name}"
    return units, cadres


def _task_form(request, tl, data=None):
    units, cadres = _choices_under(request, tl.org_unit)
    return TaskForm(data, units=units, cadres=cadres,
                    initial={"weight": 1, "evidence": "photo"}), units, cadres


@scope_safe
@login_required
def task_escalate(request):
    """转办任务: a problem report or a monitoring visit handed to a unit's cadre as a task."""
    user = request.user
    root = _manage_root(user)
    units, cadres = _choices_under(request, root)
    initial = {"weight": 1, "evidence": "text", "source_type": request.GET.get("source_type", "reports.report"),
               "source_id": request.GET.get("source_id") or None}
    form = EscalateForm(request.POST or None, units=units, cadres=cadres, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task = services.task_from_source(
                actor=user, source_type=d["source_type"], source_id=d["source_id"], title=d["title"],
                org_unit=next((u for u in units if u.pk == d["org_unit"]), None),
                owner=next((c for c in cadres if c.pk == d["owner"]), None), due_at=d["due_at"],
                evidence=d["evidence"], weight=d["weight"])
            messages.success(request, _("已转办，责任人已收到通知"))
            return redirect("cadre:task", task.pk)
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "cadre/escalate.html", {"form": form})


@scope_safe
@login_required
def list_detail(request, pk):
    user = request.user
    tl = selectors.task_list_get_for_user(user, pk)
    can_manage = permissions.can_manage(user, tl.org_path)
    form, units, cadres = _task_form(request, tl, request.POST or None) if can_manage else (None, [], [])
    if request.method == "POST":
        if not can_manage:
            raise PermissionDeniedError()
        if form.is_valid():
            d = form.cleaned_data
            unit = next((u for u in units if u.pk == d["org_unit"]), None)
            by_id = {c.pk: c for c in cadres}
            try:
                services.task_add(actor=user, task_list=tl, title=d["title"], description=d["description"],
                                  org_unit=unit, owner=by_id.get(d["owner"]),
                                  co_owners=[by_id[i] for i in d["co_owners"] if i in by_id], due_at=d["due_at"],
                                  evidence=d["evidence"], weight=d["weight"])
                messages.success(request, _("任务已添加"))
                return redirect("cadre:list", tl.pk)
            except JicengError as exc:
                apply_error(form, exc)
    tasks = list(selectors.tasks_of_list(tl, user=user))
    if request.GET.get("format") == "xlsx":
        return _tasks_xlsx(user, tasks, f"{tl.title}.xlsx", {"list": tl.pk})
    return render(request, "cadre/list.html", {"tl": tl, "tasks": tasks, "form": form, "can_manage": can_manage,
                                               "is_draft": tl.status == TaskListStatus.DRAFT, "now": timezone.now()})


@require_POST
@scope_safe
@login_required
def list_issue(request, pk):
    tl = selectors.task_list_get_for_user(request.user, pk)
    return run_action(request, lambda: services.task_list_issue(actor=request.user, task_list=tl),
                      then=("cadre:list", tl.pk), done=_("清单已下发，责任人已收到通知"))


def _tasks_xlsx(user, tasks, filename, filters):
    rows = [[t.task_list.title if hasattr(t, "task_list") else "", t.title, t.org_unit.name, t.owner.name,
             timezone.localtime(t.due_at).strftime("%Y-%m-%d %H:%M"), t.get_evidence_display(), t.weight,
             t.get_status_display(), "是" if t.overdue_at else "", t.get_grade_display(), t.get_timeliness_display(),
             "" if t.points is None else t.points] for t in tasks]
    _export_audit(user, "cadre.tasks.exported", len(rows), filters)
    return xlsx_response(_xlsx("任务", ["清单", "任务", "责任单位", "责任人", "完成时限", "佐证要求", "分值倍数",
                                      "状态", "逾期", "评定", "时效", "积分"], rows), filename)


@scope_safe
@login_required
def tasks(request):
    """Every task in scope, with filters (status, overdue, unit)."""
    user = request.user
    _need_view(user)
    filters = {"status": request.GET.get("status", ""), "overdue": request.GET.get("overdue") == "1",
               "grade": request.GET.get("grade", "")}
    qs = selectors.task_list(user, **filters).exclude(status=TaskStatus.DRAFT).order_by("-due_at", "-id")
    if request.GET.get("format") == "xlsx":
        return _tasks_xlsx(user, list(qs[:20000]), "任务.xlsx", filters)
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "cadre/tasks.html", {"page": page, "filters": filters, "statuses": TaskStatus.choices,
                                                "now": timezone.now()})


@scope_safe
@login_required
def task_detail(request, pk):
    user = request.user
    task = selectors.task_get_for_user(user, pk)
    can_report = permissions.can_report(user, task) and task.status in (
        TaskStatus.ISSUED, TaskStatus.RETURNED, TaskStatus.REPORTED)
    can_grade = permissions.can_grade(user, task) and task.status not in (TaskStatus.GRADED, TaskStatus.DRAFT)
    report_form = ReportForm(request.POST or None, request.FILES or None) if can_report else None
    if request.method == "POST" and request.POST.get("action") == "report":
        if not can_report:
            raise PermissionDeniedError()
        if report_form.is_valid():
            d = report_form.cleaned_data
            try:
                services.task_report(actor=user, task=task, text=d["text"], photo=d["photo"], file=d["file"],
                                     is_final=d["is_final"])
                messages.success(request, _("已提交，等待验收") if d["is_final"] else _("进展已记录"))
                return redirect("cadre:task", task.pk)
            except JicengError as exc:
                apply_error(report_form, exc)
    return render(request, "cadre/task.html", {
        "task": task, "reports": selectors.task_reports(task), "co_owners": task.co_owners.all(),
        "report_form": report_form if task.status != TaskStatus.REPORTED or report_form is None else
        _progress_only(report_form),
        "can_grade": can_grade, "grade_form": GradeForm(), "return_form": ReturnForm(), "now": timezone.now(),
        "past_due": task.due_at < timezone.now(),
    })


def _progress_only(form):
    """While a completion report waits for its check, the owner can still add progress."""
    form.fields["is_final"].choices = [("0", _("阶段进展"))]
    form.fields["is_final"].initial = "0"
    return form


@require_POST
@scope_safe
@login_required
def task_action(request, pk, action):
    user = request.user
    task = selectors.task_get_for_user(user, pk)
    handlers = {
        "grade": lambda: services.task_grade(actor=user, task=task, grade=request.POST.get("grade", ""),
                                             note=request.POST.get("note", "")) and _("已评定，积分已记入责任人账户"),
        "return": lambda: services.task_report_return(actor=user, task=task, reason=request.POST.get("reason", ""))
        and _("已退回，责任人已收到通知"),
        "remove": lambda: services.task_remove(actor=user, task=task) or _("任务已从草稿清单删除"),
    }
    then = ("cadre:list", task.task_list_id) if action == "remove" else ("cadre:task", task.pk)
    return run_action(request, handlers.get(action), then=then)


# --------------------------------------------------------------------------- performance points

@scope_safe
@login_required
def points(request):
    """绩效积分: each cadre's year in scope and the quarterly summary."""
    user = request.user
    _need_view(user)
    year = _year(request)
    summary = selectors.quarterly_summary(user, year=year)
    if request.GET.get("format") == "xlsx":
        rows = []
        for r in summary:
            row = [r["cadre"].name, r["cadre"].org_unit.name, r["cadre"].post]
            for q in range(1, 5):
                cell = r["quarters"][q]
                row += [cell["added"] if cell else 0, cell["deducted"] if cell else 0]
            rows.append(row + [r["balance"]])
        _export_audit(user, "cadre.points.exported", len(rows), {"year": year})
        header = ["姓名", "单位", "职务"] + [f"{q}季度{w}" for q in range(1, 5) for w in ("加分", "扣分")] + ["年度积分"]
        return xlsx_response(_xlsx("绩效积分", header, rows), f"绩效积分-{year}.xlsx")
    accounts = CappedPaginator(selectors.performance_accounts(user, year=year), 30).get_page(request.GET.get("page"))
    return render(request, "cadre/points.html", {"year": year, "accounts": accounts, "summary": summary[:50],
                                                 "own": permissions.cadre_of(user)})


@scope_safe
@login_required
def points_cadre(request, cadre_id):
    """One cadre's year: every entry with its source, and an appeal per entry for the cadre."""
    user = request.user
    cadre = selectors.cadre_get_for_user(user, cadre_id)
    year = _year(request)
    own = permissions.cadre_of(user)
    is_self = own is not None and own.pk == cadre.pk
    entries = list(selectors.performance_entries(cadre, year=year)[:500])
    now = timezone.now()
    for e in entries:
        e.appeal_until = None
        if is_self and e.amount < 0 and e.kind not in ("base", "appeal") and not e.reverses_id and \
                getattr(e, "appeal", None) is None:
            deadline = services.appeal_deadline(e)
            e.appeal_until = deadline if deadline >= now else None
    return render(request, "cadre/points_cadre.html", {
        "cadre": cadre, "year": year, "entries": entries, "account": selectors.performance_account(cadre, year=year),
        "is_self": is_self, "appeal_form": AppealForm(),
    })


@require_POST
@scope_safe
@login_required
def appeal_new(request, entry_id):
    user = request.user
    entry = selectors.entry_get_for_user(user, entry_id)
    return run_action(request, lambda: services.appeal_file(actor=user, entry=entry, reason=request.POST.get("reason", "")),
                      then=("cadre:points_cadre", entry.account.cadre_id), done=_("申诉已提交，等待复核"))


@scope_safe
@login_required
def adjustments(request):
    """人工加减分: propose (with a reason), and the second person's approval."""
    user = request.user
    _need_view(user)
    can_manage = permissions.can_manage_any(user)
    form = None
    if can_manage:
        cadres = Cadre.objects.accessible_to(user, purpose="cadre_manage").select_related("org_unit").exclude(
            kind="grid_worker").order_by("org_path", "id")[:500]
        form = AdjustmentForm(request.POST or None, cadres=cadres)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            cadre = next((c for c in cadres if c.pk == d["cadre"]), None)
            try:
                if cadre is None:
                    raise JicengError(_("请选择干部"), field="cadre")
                services.adjustment_propose(actor=user, cadre=cadre, year=timezone.localdate().year,
                                            amount=d["amount"], reason=d["reason"])
                messages.success(request, _("已提交，须由另一位负责人审批后生效"))
                return redirect("cadre:adjustments")
            except JicengError as exc:
                apply_error(form, exc)
    status = request.GET.get("status", "")
    if request.GET.get("format") == "xlsx":
        rows = [[a.cadre.name, a.cadre.org_unit.name, a.year, a.amount, a.reason, a.proposed_by.display_name or
                 a.proposed_by.username, timezone.localtime(a.proposed_at).strftime("%Y-%m-%d %H:%M"),
                 a.get_status_display(), (a.decided_by.display_name or a.decided_by.username) if a.decided_by else "",
                 a.decision_note] for a in selectors.adjustment_list(user, status=status)[:20000]]
        _export_audit(user, "cadre.adjustments.exported", len(rows), {"status": status})
        return xlsx_response(_xlsx("人工加减分", ["干部", "单位", "年度", "加减分", "事由", "提议人", "提议时间", "状态",
                                               "审批人", "审批意见"], rows), "人工加减分.xlsx")
    page = CappedPaginator(selectors.adjustment_list(user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "cadre/adjustments.html", {"form": form, "page": page, "status": status,
                                                      "statuses": AdjustmentStatus.choices, "can_manage": can_manage})


@require_POST
@scope_safe
@login_required
def adjustment_action(request, pk, action):
    user = request.user
    adj = selectors.adjustment_get_for_user(user, pk)
    if action not in ("approve", "reject"):
        raise NotFoundError()
    return run_action(request, lambda: services.adjustment_decide(actor=user, adjustment=adj, approve=action == "approve",
                                                                  note=request.POST.get("note", "")),
                      then="cadre:adjustments", done=_("已批准，积分已记入") if action == "approve" else _("已驳回"))


@scope_safe
@login_required
def appeals(request):
    user = request.user
    status = request.GET.get("status", "")
    if request.GET.get("format") == "xlsx":
        rows = [[a.cadre.name, a.entry.reason, a.entry.amount, a.reason,
                 timezone.localtime(a.filed_at).strftime("%Y-%m-%d %H:%M"), a.get_status_display(), a.decision_note]
                for a in selectors.appeal_list(user, status=status)[:20000]]
        _export_audit(user, "cadre.appeals.exported", len(rows), {"status": status})
        return xlsx_response(_xlsx("积分申诉", ["干部", "被申诉积分", "分值", "申诉理由", "申诉时间", "结果", "复核意见"], rows),
                             "积分申诉.xlsx")
    page = CappedPaginator(selectors.appeal_list(user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "cadre/appeals.html", {"page": page, "status": status, "statuses": AppealStatus.choices,
                                                  "can_manage": permissions.can_manage_any(user),
                                                  "decision_form": DecisionForm()})


@require_POST
@scope_safe
@login_required
def appeal_action(request, pk, action):
    user = request.user
    appeal = selectors.appeal_get_for_user(user, pk)
    if action not in ("uphold", "dismiss"):
        raise NotFoundError()
    return run_action(request, lambda: services.appeal_decide(actor=user, appeal=appeal, uphold=action == "uphold",
                                                              note=request.POST.get("note", "")),
                      then="cadre:appeals", done=_("复核结果已记录，申诉人已收到通知"))


@scope_safe
@login_required
def rules(request):
    user = request.user
    site = _manage_root(user)
    current = services.rules_for(services.site_of(site.path))
    form = RulesForm(request.POST or None, initial={n: getattr(current, n) for n in RULE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_update(actor=user, site=services.site_of(site.path), **form.cleaned_data)
            messages.success(request, _("积分规则已保存"))
            return redirect("cadre:rules")
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "cadre/rules.html", {"form": form, "site": site})


# --------------------------------------------------------------------------- evidence files (no public media URL)

def _file_response(field, *, attachment: bool = False):
    import mimetypes
    import os

    from django.http import FileResponse

    if not field:
        raise NotFoundError()
    kind = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    return FileResponse(field.open("rb"), content_type=kind, as_attachment=attachment,
                        filename=os.path.basename(field.name))


@scope_safe
@login_required
def report_evidence(request, pk, report_id, what):
    """A task report's photo or file, served only to those who may see the task."""
    task = selectors.task_get_for_user(request.user, pk)
    report = selectors.task_reports(task).filter(pk=report_id).first()
    if report is None or what not in ("photo", "file"):
        raise NotFoundError()
    return _file_response(getattr(report, what), attachment=what == "file")
