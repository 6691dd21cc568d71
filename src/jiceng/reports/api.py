"""Reports API (诉求办理): the list in the caller's scope, a report with its timeline, intake, and the
lifecycle (accept, reject, assign, start, hand back, resolve, rate). Every call goes through the same
services as the pages; a refused step answers 400/403 with the field it concerns and changes nothing."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from jiceng.core.api import Id, InputSchema, OptionalId, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.idempotency import run_once
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import PartnerUnit

from . import permissions, selectors, services
from .models import Channel, Report, ReportEvent, ReportStatus

router = Router(tags=["reports"])
IDEMPOTENCY = {"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"},
                               "description": "每次提交一个唯一编号；重试用同一编号，重复提交返回 409 和第一次的结果"}]}


class ReportOut(Schema):
    id: int
    status: str
    status_label: str
    category_id: int
    category: str
    suggested_category_id: int | None
    description: str
    org_unit_id: int
    org_unit: str
    address: str
    lat: float | None
    long: float | None
    channel: str
    handler_level: str
    handler_unit_id: int | None
    handler_unit: str | None
    handler_partner_id: int | None
    handler_partner: str | None
    deadline: dt.datetime | None
    overdue: bool
    reopened: bool
    result: str
    reject_reason: str
    rating: str
    created_at: dt.datetime
    accepted_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


class ReportPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[ReportOut]


class EventOut(Schema):
    at: dt.datetime
    actor_name: str
    action: str
    from_status: str
    to_status: str
    note: str


class ReportDetailOut(ReportOut):
    reporter_name: str | None = Field(description="反映人；仅受理、办理人员和反映人本人可见")
    reporter_phone: str | None = Field(description="联系电话；仅受理、办理人员和反映人本人可见")
    reporter_email: str | None = Field(description="电子邮箱（Open311 email）；仅受理、办理人员和反映人本人可见")
    media_url: str = Field(description="报送系统给出的照片、视频地址（Open311 media_url）")
    anonymous: bool
    merged_into_id: int | None
    actions: list[str] = Field(description="调用者此刻可执行的操作")
    timeline: list[EventOut]


class SubmitIn(InputSchema):
    category_id: Id
    description: Text = Field(max_length=4000)
    org_unit_id: Id = Field(description="发生地点（网格、楼栋、小区等）")
    address: Text = Field("", max_length=255)
    lat: float | None = Field(None, ge=-90, le=90, description="纬度（度，保留 6 位小数）")
    long: float | None = Field(None, ge=-180, le=180, description="经度（度，保留 6 位小数）")
    anonymous: bool = False
    reporter_name: Text = Field("", max_length=50, description="代他人登记时填写（窗口、网格员）")
    reporter_phone: Text = Field("", max_length=20)


class AcceptIn(InputSchema):
    category_id: Id | None = Field(None, description="改为其他类别（可不填）")


class RejectIn(InputSchema):
    reason: Text = Field("", max_length=200)
    duplicate_of: Id | None = Field(None, description="与某条正在办理的诉求重复时，合并到该诉求")


class AssignIn(InputSchema):
    unit_id: Id | None = Field(None, description="主办单位（网格、社区、部门），与 partner_id 二选一")
    partner_id: Id | None = Field(None, description="主办共建单位")
    co_unit_ids: list[Id] = Field([], max_length=20, description="协办单位")
    reason: Text = Field("", max_length=200, description="转派时必填")


class NoteIn(InputSchema):
    note: Text = Field("", max_length=1000)


class ReasonIn(InputSchema):
    reason: Text = Field(max_length=1000)


class ResolveIn(InputSchema):
    result: Text = Field(max_length=4000)


class RateIn(InputSchema):
    rating: Text = Field(description="satisfied | basic | unsatisfied", max_length=20)
    note: Text = Field("", max_length=200)


def report_out(r: Report) -> dict:
    return {
        "id": r.pk, "status": r.status, "status_label": str(ReportStatus(r.status).label),
        "category_id": r.category_id, "category": r.category.name, "suggested_category_id": r.suggested_category_id,
        "description": r.description, "org_unit_id": r.org_unit_id, "org_unit": r.org_unit.name, "address": r.address,
        "lat": float(r.lat) if r.lat is not None else None, "long": float(r.long) if r.long is not None else None,
        "channel": r.channel, "handler_level": r.handler_level,
        "handler_unit_id": r.handler_unit_id, "handler_unit": r.handler_unit.name if r.handler_unit_id else None,
        "handler_partner_id": r.handler_partner_id,
        "handler_partner": r.handler_partner.name if r.handler_partner_id else None,
        "deadline": r.deadline, "overdue": r.overdue_at is not None and r.status in (
            ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS), "reopened": r.reopened, "result": r.result,
        "reject_reason": r.reject_reason, "rating": r.rating, "created_at": r.created_at,
        "accepted_at": r.accepted_at, "resolved_at": r.resolved_at, "closed_at": r.closed_at,
    }


def _actions(user, r: Report) -> list[str]:
    can_accept, can_handle = permissions.can_accept(user, r), permissions.can_handle(user, r)
    s = r.status
    out = []
    if can_accept and s == ReportStatus.SUBMITTED:
        out += ["accept", "reject"]
    if (can_accept or can_handle) and s in (ReportStatus.ACCEPTED, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS):
        out.append("assign")
    if can_handle and s == ReportStatus.ASSIGNED:
        out.append("start")
    if can_handle and s in (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS):
        out += ["hand_back", "resolve"]
    if s == ReportStatus.RESOLVED and r.reporter_id and r.reporter_id == user.pk:
        out.append("rate")
    return out


def detail_out(user, r: Report) -> dict:
    staff = permissions.can_accept(user, r) or permissions.can_handle(user, r)
    own = bool(r.reporter_id) and r.reporter_id == user.pk
    events = ReportEvent.objects.filter(report=r).order_by("at", "id")
    if not staff:
        events = events.filter(public=True)
    return {**report_out(r), "reporter_name": r.reporter_name if staff or own else None,
            "reporter_phone": r.reporter_phone if staff or own else None,
            "reporter_email": r.reporter_email if staff or own else None, "media_url": r.media_url,
            "anonymous": r.anonymous,
            "merged_into_id": r.merged_into_id, "actions": _actions(user, r),
            "timeline": [{"at": e.at, "actor_name": e.actor_name, "action": e.action, "from_status": e.from_status,
                          "to_status": e.to_status, "note": e.note} for e in events]}


def _degrees(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value)).quantize(Decimal("0.000001"))


def _report(request, report_id) -> Report:
    return services.report_get(request.user, report_id)


def _fresh(request, r: Report) -> dict:
    return detail_out(request.user, services.report_get(request.user, r.pk))


def _stored(request, r: Report) -> dict:
    """The answer as plain JSON, to keep with the idempotency key (and give back on a replay)."""
    return json.loads(json.dumps(_fresh(request, r), cls=NinjaJSONEncoder))


@router.get("/reports", response={200: ReportPage, **error_responses(400, 404)}, summary="诉求列表（按调用者范围）")
def report_list(request, status: Text = Query("", max_length=20, description="状态，或 open（所有未关闭的）"),
                category_id: OptionalId = Query(None), org_unit_id: OptionalId = Query(None),
                overdue: bool = Query(False, description="只看已超期未办结的"),
                limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=10**9)):
    user = request.user
    if status and status != "open" and status not in ReportStatus.values:
        raise JicengError("status 应为 open 或 " + " | ".join(ReportStatus.values), field="status")
    if permissions.is_desk(user) or permissions.is_handler(user):
        unit = org_unit_get_for_user(user, org_unit_id) if org_unit_id else None
        qs = selectors.report_list(user=user, status=status, overdue=overdue, category_id=category_id,
                                   org_path=unit.path if unit else "")
    else:
        # A resident sees the reports they made, never their neighbours' (the page does the same).
        qs = selectors.my_reports_filtered(user=user, status=status, overdue=overdue, category_id=category_id)
        if org_unit_id:
            qs = qs.filter(org_unit_id=org_unit_id)
    count = qs.count()
    rows = list(qs[offset: offset + limit]) if offset < count else []
    return {"count": count, "limit": limit, "offset": offset, "results": [report_out(r) for r in rows]}


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **error_responses(404)},
            summary="诉求详情和办理经过")
def report_detail(request, report_id: Id):
    return detail_out(request.user, _report(request, report_id))


@router.post("/reports", response={200: ReportDetailOut, **error_responses(400, 403, 404, 409, 413)},
             summary="反映问题（居民）或代为登记（窗口、网格员）", openapi_extra=IDEMPOTENCY)
def report_submit(request, payload: SubmitIn):
    user = request.user
    unit = selectors.report_place_get_for_user(user, payload.org_unit_id)
    if permissions.is_desk(user):
        channel = Channel.DESK
    elif permissions.is_handler(user):
        channel = Channel.GRID
    else:
        from jiceng.people.models import Volunteer

        woodpecker = bool(user.resident_id) and Volunteer.objects.unscoped(AUTHORISED).filter(resident_id=user.resident_id,
                                                                         is_woodpecker=True).exists()
        channel = Channel.WOODPECKER if woodpecker else Channel.RESIDENT
    staff = channel in (Channel.DESK, Channel.GRID)
    return run_once(request, "reports.report.submit", lambda: services.report_submit(
        actor=user, channel=channel, category_id=payload.category_id, description=payload.description, org_unit=unit,
        address=payload.address, lat=_degrees(payload.lat), long=_degrees(payload.long), anonymous=payload.anonymous,
        reporter_name=payload.reporter_name if staff else "", reporter_phone=payload.reporter_phone),
        serialise=lambda r: _stored(request, r))


@router.post("/reports/{report_id}/accept", response={200: ReportDetailOut, **error_responses(400, 403, 404, 413)},
             summary="受理（可改类别），按派单规则派单")
def report_accept(request, report_id: Id, payload: AcceptIn):
    r = services.report_accept(actor=request.user, report=_report(request, report_id), category_id=payload.category_id)
    return _fresh(request, r)


@router.post("/reports/{report_id}/reject", response={200: ReportDetailOut, **error_responses(400, 403, 404, 413)},
             summary="不予受理，或作为重复线索合并")
def report_reject(request, report_id: Id, payload: RejectIn):
    r = _report(request, report_id)
    target = None
    if payload.duplicate_of:
        try:
            target = services.report_get(request.user, payload.duplicate_of)
        except NotFoundError:
            raise NotFoundError(field="duplicate_of") from None
    r = services.report_reject(actor=request.user, report=r, reason=payload.reason, duplicate_of=target)
    return _fresh(request, r)


@router.post("/reports/{report_id}/assign", response={200: ReportDetailOut, **error_responses(400, 403, 404, 413)},
             summary="派单或转派（主办一个单位，可加协办）")
def report_assign(request, report_id: Id, payload: AssignIn):
    r = _report(request, report_id)
    unit = OrgUnit.objects.filter(pk=payload.unit_id, path__startswith=r.site.path).first() if payload.unit_id else None
    if payload.unit_id and unit is None:
        raise NotFoundError(field="unit_id")
    partner = PartnerUnit.objects.filter(pk=payload.partner_id).first() if payload.partner_id else None
    if payload.partner_id and partner is None:
        raise NotFoundError(field="partner_id")
    co_units = list(OrgUnit.objects.filter(pk__in=payload.co_unit_ids, path__startswith=r.site.path))
    if len(co_units) != len(set(payload.co_unit_ids)):
        raise NotFoundError(field="co_unit_ids")
    r = services.report_assign(actor=request.user, report=r, unit=unit, partner=partner, co_units=co_units,
                               reason=payload.reason)
    return _fresh(request, r)


@router.post("/reports/{report_id}/start", response={200: ReportDetailOut, **error_responses(400, 403, 404, 413)},
             summary="开始办理")
def report_start(request, report_id: Id, payload: NoteIn):
    r = services.report_start(actor=request.user, report=_report(request, report_id), note=payload.note)
    return _fresh(request, r)


@router.post("/reports/{report_id}/hand_back", response={200: ReportDetailOut, **error_responses(400, 403, 404, 413)},
             summary="退回受理窗口（说明原因）")
def report_hand_back(request, report_id: Id, payload: ReasonIn):
    r = services.report_hand_back(actor=request.user, report=_report(request, report_id), reason=payload.reason)
    return _fresh(request, r)


@router.post("/reports/{report_id}/resolve", response={200: ReportDetailOut, **error_responses(400, 403, 404, 413)},
             summary="办结（填写办理结果）")
def report_resolve(request, report_id: Id, payload: ResolveIn):
    r = services.report_resolve(actor=request.user, report=_report(request, report_id), result=payload.result)
    return _fresh(request, r)


@router.post("/reports/{report_id}/rate", response={200: ReportDetailOut, **error_responses(400, 403, 404, 413)},
             summary="反映人评价（不满意则重新交办一次）")
def report_rate(request, report_id: Id, payload: RateIn):
    r = services.report_rate(actor=request.user, report=_report(request, report_id), rating=payload.rating,
                             note=payload.note)
    return _fresh(request, r)
