"""Cadre-work API (干部工作): task lists and tasks, reports with evidence, grading, performance points,
manual adjustments and appeals — for the phone and for partner systems, scoped like the pages."""
from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jiceng.core.api import Id, InputSchema, OptionalId, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.idempotency import run_once
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Cadre

from . import selectors, services
from .models import EvidenceKind, Grade, TaskListKind

router = Router(tags=["cadre"])

KEY = {"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"},
                       "description": "每次提交一个唯一编号；重试用同一编号"}]}


class CadreTaskListOut(Schema):
    id: int
    title: str
    kind: str
    month: dt.date | None
    status: str
    org_unit_id: int
    issued_at: dt.datetime | None
    tasks: int | None = None


class CadreTaskOut(Schema):
    id: int
    task_list_id: int
    title: str
    description: str
    org_unit_id: int
    owner_id: int
    owner_name: str
    co_owner_ids: list[int]
    due_at: dt.datetime
    evidence: str
    weight: int
    status: str
    overdue: bool
    grade: str
    timeliness: str
    points: int | None
    source_type: str
    source_id: str


class CadreReportOut(Schema):
    id: int
    task_id: int
    at: dt.datetime
    text: str
    photo_url: str | None
    file_url: str | None
    is_final: bool
    result: str
    return_reason: str


class CadreEntryOut(Schema):
    id: int
    seq: int
    kind: str
    amount: int
    balance_after: int
    reason: str
    source_type: str
    source_id: str
    created_at: dt.datetime
    reverses_id: int | None


class CadreAccountOut(Schema):
    cadre_id: int
    cadre_name: str
    year: int
    balance: int


class CadreAdjustmentOut(Schema):
    id: int
    cadre_id: int
    year: int
    amount: int
    reason: str
    status: str
    proposed_by_id: int
    decided_by_id: int | None
    entry_id: int | None


class CadreAppealOut(Schema):
    id: int
    entry_id: int
    cadre_id: int
    reason: str
    status: str
    decision_note: str
    reversal_id: int | None


class CadreTaskListIn(InputSchema):
    title: Text = Field(..., max_length=100)
    kind: TaskListKind = TaskListKind.MONTHLY
    month: dt.date | None = None
    org_unit_id: OptionalId = None


class CadreTaskIn(InputSchema):
    title: Text = Field(..., max_length=200)
    description: Text = Field("", max_length=5000)
    org_unit_id: OptionalId = None
    owner_id: OptionalId = None
    co_owner_ids: list[Id] = Field(default_factory=list, max_length=20)
    due_at: dt.datetime | None = None
    evidence: EvidenceKind = EvidenceKind.NONE
    weight: int = Field(1, ge=1, le=10)


class CadreReportIn(InputSchema):
    text: Text = Field("", max_length=5000)
    photo_base64: str | None = Field(None, max_length=14_000_000)
    file_base64: str | None = Field(None, max_length=28_000_000)
    file_name: Text = Field("", max_length=100)
    is_final: bool = True


class CadreGradeIn(InputSchema):
    grade: Grade
    note: Text = Field("", max_length=500)


class CadreReasonIn(InputSchema):
    reason: Text = Field(..., max_length=2000)


class CadreAdjustmentIn(InputSchema):
    cadre_id: Id
    amount: int = Field(..., ge=-100, le=100)
    reason: Text = Field(..., max_length=300)
    year: int | None = Field(None, ge=2000, le=2100)


class CadreDecisionIn(InputSchema):
    approve: bool
    note: Text = Field("", max_length=500)


# --------------------------------------------------------------------------- serialisers

def _list_out(tl) -> dict:
    return {"id": tl.pk, "title": tl.title, "kind": tl.kind, "month": tl.month, "status": tl.status,
            "org_unit_id": tl.org_unit_id, "issued_at": tl.issued_at, "tasks": getattr(tl, "n_tasks", None)}


def _task_out(t) -> dict:
    return {"id": t.pk, "task_list_id": t.task_list_id, "title": t.title, "description": t.description,
            "org_unit_id": t.org_unit_id, "owner_id": t.owner_id, "owner_name": t.owner.name,
            "co_owner_ids": sorted(c.pk for c in t.co_owners.all()), "due_at": t.due_at, "evidence": t.evidence,
            "weight": t.weight, "status": t.status, "overdue": t.overdue_at is not None, "grade": t.grade,
            "timeliness": t.timeliness, "points": t.points, "source_type": t.source_type, "source_id": t.source_id}


def _report_out(r) -> dict:
    return {"id": r.pk, "task_id": r.task_id, "at": r.at, "text": r.text, "photo_url": r.photo.url if r.photo else None,
            "file_url": r.file.url if r.file else None, "is_final": r.is_final, "result": r.result,
            "return_reason": r.return_reason}


def _adj_out(a) -> dict:
    return {"id": a.pk, "cadre_id": a.cadre_id, "year": a.year, "amount": a.amount, "reason": a.reason,
            "status": a.status, "proposed_by_id": a.proposed_by_id, "decided_by_id": a.decided_by_id,
            "entry_id": a.entry_id}


def _appeal_out(a) -> dict:
    return {"id": a.pk, "entry_id": a.entry_id, "cadre_id": a.cadre_id, "reason": a.reason, "status": a.status,
            "decision_note": a.decision_note, "reversal_id": a.reversal_id}


def _stored(serialise):
    """A serialiser whose result the idempotency record can store (moments as ISO text)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return lambda obj: json.loads(json.dumps(serialise(obj), cls=DjangoJSONEncoder))


def _decode(b64: str | None, field: str, name: str):
    if not b64:
        return None
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise JicengError(f"{field} 不是有效的 Base64", field=field) from None
    return ContentFile(data, name=name or "upload")


def _cadre_in_scope(user, cadre_id, path: str, field: str):
    cadre = Cadre.objects.within(path).filter(pk=cadre_id).select_related("org_unit").first() if cadre_id else None
    if cadre_id and cadre is None:
        raise JicengError("找不到该干部，或不在本清单下发范围内", field=field)
    return cadre


# --------------------------------------------------------------------------- lists and tasks

@router.get("/lists", response={200: list[CadreTaskListOut], **error_responses()}, summary="任务清单")
def lists(request, status: Text = Query("", max_length=10), limit: int = Query(100, ge=1, le=500)):
    return [_list_out(tl) for tl in selectors.task_list_list(request.user, status=status)[:limit]]


@router.post("/lists", response={200: CadreTaskListOut, **error_responses(400, 403, 404)}, summary="新建任务清单（草稿）")
def list_create(request, payload: CadreTaskListIn):
    if payload.org_unit_id:
        unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="cadre_manage")
    else:
        from jiceng.orgs.selectors import org_roots_for_user

        unit = org_roots_for_user(request.user, purpose="cadre_manage").first()
        if unit is None:
            raise NotFoundError()
    return _list_out(services.task_list_create(actor=request.user, org_unit=unit, title=payload.title,
                                               kind=payload.kind, month=payload.month))


@router.get("/lists/{list_id}", response={200: CadreTaskListOut, **error_responses(404)}, summary="一份任务清单")
def list_get(request, list_id: Id):
    return _list_out(selectors.task_list_get_for_user(request.user, list_id))


@router.get("/lists/{list_id}/tasks", response={200: list[CadreTaskOut], **error_responses(404)}, summary="清单里的任务")
def list_tasks(request, list_id: Id):
    tl = selectors.task_list_get_for_user(request.user, list_id)
    return [_task_out(t) for t in selectors.tasks_of_list(tl, user=request.user)]


@router.post("/lists/{list_id}/tasks", response={200: CadreTaskOut, **error_responses(400, 403, 404)}, summary="添加任务")
def task_create(request, list_id: Id, payload: CadreTaskIn):
    tl = selectors.task_list_get_for_user(request.user, list_id)
    unit = None
    if payload.org_unit_id:
        try:
            unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="cadre_manage")
        except NotFoundError:
            raise JicengError("找不到该责任单位，或不在您的管理范围内", field="org_unit_id") from None
    owner = _cadre_in_scope(request.user, payload.owner_id, tl.org_path, "owner_id")
    co = [_cadre_in_scope(request.user, i, tl.org_path, "co_owner_ids") for i in payload.co_owner_ids]
    due = payload.due_at
    if due is not None and timezone.is_naive(due):
        due = timezone.make_aware(due)
    task = services.task_add(actor=request.user, task_list=tl, title=payload.title, description=payload.description,
                             org_unit=unit, owner=owner, co_owners=co, due_at=due, evidence=payload.evidence,
                             weight=payload.weight)
    return _task_out(task)


@router.post("/lists/{list_id}/issue", response={200: CadreTaskListOut, **error_responses(400, 403, 404, 409)},
             summary="下发清单")
def list_issue(request, list_id: Id):
    tl = selectors.task_list_get_for_user(request.user, list_id)
    return _list_out(services.task_list_issue(actor=request.user, task_list=tl))


class CadreTaskFromSourceIn(InputSchema):
    source_type: Text = Field(..., max_length=40)
    source_id: Id
    title: Text = Field("", max_length=200)
    org_unit_id: Id
    owner_id: Id
    due_at: dt.datetime
    evidence: EvidenceKind = EvidenceKind.TEXT
    weight: int = Field(1, ge=1, le=10)


@router.post("/tasks/from-source", response={200: CadreTaskOut, **error_responses(400, 403, 404)},
             summary="从诉求、监测走访或整改措施转办任务（下发到当月转办清单）")
def task_from_source(request, payload: CadreTaskFromSourceIn):
    try:
        unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="cadre_manage")
    except NotFoundError:
        raise JicengError("找不到该责任单位，或不在您的管理范围内", field="org_unit_id") from None
    owner = _cadre_in_scope(request.user, payload.owner_id, unit.path.split(".")[0] + ".", "owner_id")
    due = payload.due_at if not timezone.is_naive(payload.due_at) else timezone.make_aware(payload.due_at)
    return _task_out(services.task_from_source(actor=request.user, source_type=payload.source_type,
                                               source_id=payload.source_id, org_unit=unit, owner=owner, due_at=due,
                                               title=payload.title, evidence=payload.evidence, weight=payload.weight))


@router.get("/tasks", response={200: list[CadreTaskOut], **error_responses()}, summary="任务（本人范围内，可筛选）")
def tasks(request, status: Text = Query("", max_length=10), overdue: bool = Query(False), mine: bool = Query(False),
          limit: int = Query(100, ge=1, le=500)):
    if mine:
        qs = selectors.my_tasks(request.user)
        if status:
            qs = qs.filter(status=status)
    else:
        qs = selectors.task_list(request.user, status=status, overdue=overdue).exclude(status="draft")
    return [_task_out(t) for t in qs.prefetch_related("co_owners")[:limit]]


@router.get("/tasks/{task_id}", response={200: CadreTaskOut, **error_responses(404)}, summary="一项任务")
def task_get(request, task_id: Id):
    return _task_out(selectors.task_get_for_user(request.user, task_id))


@router.get("/tasks/{task_id}/reports", response={200: list[CadreReportOut], **error_responses(404)}, summary="任务的报告")
def task_reports(request, task_id: Id):
    task = selectors.task_get_for_user(request.user, task_id)
    return [_report_out(r) for r in selectors.task_reports(task)]


@router.post("/tasks/{task_id}/reports", response={200: CadreReportOut, **error_responses(400, 403, 404, 409, 413)},
             summary="报告进展或完成（可附照片、文件，Base64）")
def task_report(request, task_id: Id, payload: CadreReportIn):
    task = selectors.task_get_for_user(request.user, task_id)
    report = services.task_report(actor=request.user, task=task, text=payload.text,
                                  photo=_decode(payload.photo_base64, "photo_base64", "photo"),
                                  file=_decode(payload.file_base64, "file_base64", payload.file_name),
                                  is_final=payload.is_final)
    return _report_out(report)


@router.post("/tasks/{task_id}/return", response={200: CadreReportOut, **error_responses(400, 403, 404, 409)},
             summary="退回报告")
def task_return(request, task_id: Id, payload: CadreReasonIn):
    task = selectors.task_get_for_user(request.user, task_id)
    return _report_out(services.task_report_return(actor=request.user, task=task, reason=payload.reason))


@router.post("/tasks/{task_id}/grade", response={200: CadreTaskOut, **error_responses(400, 403, 404, 409)},
             summary="评定任务（积分记入责任人账户）", openapi_extra=KEY)
def task_grade(request, task_id: Id, payload: CadreGradeIn):
    task = selectors.task_get_for_user(request.user, task_id)
    return run_once(request, f"cadre.task.grade:{task_id}",
                    lambda: services.task_grade(actor=request.user, task=task, grade=payload.grade, note=payload.note),
                    serialise=_stored(_task_out))


# --------------------------------------------------------------------------- performance points

@router.get("/points", response={200: list[CadreAccountOut], **error_responses()}, summary="干部年度绩效积分（范围内）")
def points(request, year: int | None = Query(None, ge=2000, le=2100), limit: int = Query(100, ge=1, le=1000)):
    year = year or timezone.localdate().year
    return [{"cadre_id": a.cadre_id, "cadre_name": a.cadre.name, "year": a.year, "balance": a.balance}
            for a in selectors.performance_accounts(request.user, year=year)[:limit]]


@router.get("/points/{cadre_id}/entries", response={200: list[CadreEntryOut], **error_responses(404)},
            summary="一名干部的绩效积分流水")
def point_entries(request, cadre_id: Id, year: int | None = Query(None, ge=2000, le=2100)):
    cadre = selectors.cadre_get_for_user(request.user, cadre_id)
    return list(selectors.performance_entries(cadre, year=year or timezone.localdate().year)[:1000])


@router.get("/adjustments", response={200: list[CadreAdjustmentOut], **error_responses()}, summary="人工加减分")
def adjustments(request, status: Text = Query("", max_length=10)):
    return [_adj_out(a) for a in selectors.adjustment_list(request.user, status=status)[:500]]


@router.post("/adjustments", response={200: CadreAdjustmentOut, **error_responses(400, 403, 404)},
             summary="提议人工加减分（须另一人审批）")
def adjustment_create(request, payload: CadreAdjustmentIn):
    cadre = selectors.cadre_get_for_user(request.user, payload.cadre_id)
    return _adj_out(services.adjustment_propose(actor=request.user, cadre=cadre,
                                                year=payload.year or timezone.localdate().year,
                                                amount=payload.amount, reason=payload.reason))


@router.post("/adjustments/{adjustment_id}/decision", response={200: CadreAdjustmentOut, **error_responses(400, 403, 404, 409)},
             summary="审批人工加减分", openapi_extra=KEY)
def adjustment_decide(request, adjustment_id: Id, payload: CadreDecisionIn):
    adj = selectors.adjustment_get_for_user(request.user, adjustment_id)
    return run_once(request, f"cadre.adjustment.decide:{adjustment_id}",
                    lambda: services.adjustment_decide(actor=request.user, adjustment=adj, approve=payload.approve,
                                                       note=payload.note), serialise=_stored(_adj_out))


@router.get("/appeals", response={200: list[CadreAppealOut], **error_responses()}, summary="积分申诉")
def appeals(request, status: Text = Query("", max_length=10)):
    return [_appeal_out(a) for a in selectors.appeal_list(request.user, status=status)[:500]]


@router.post("/entries/{entry_id}/appeal", response={200: CadreAppealOut, **error_responses(400, 403, 404, 409)},
             summary="对本人一笔积分提出申诉（期限内）")
def appeal_create(request, entry_id: Id, payload: CadreReasonIn):
    entry = selectors.entry_get_for_user(request.user, entry_id)
    return _appeal_out(services.appeal_file(actor=request.user, entry=entry, reason=payload.reason))


@router.post("/appeals/{appeal_id}/decision", response={200: CadreAppealOut, **error_responses(400, 403, 404, 409)},
             summary="复核申诉（成立则冲正该笔积分）", openapi_extra=KEY)
def appeal_decide(request, appeal_id: Id, payload: CadreDecisionIn):
    appeal = selectors.appeal_get_for_user(request.user, appeal_id)
    return run_once(request, f"cadre.appeal.decide:{appeal_id}",
                    lambda: services.appeal_decide(actor=request.user, appeal=appeal, uphold=payload.approve,
                                                   note=payload.note), serialise=_stored(_appeal_out))




def _mount_second_part() -> None:
    from .api_ranking import router as ranking_router

    router.add_router("", ranking_router)


_mount_second_part()
