"""Duty-desk API (坐班值班): desks, rosters, check-in and check-out by the day's code, visitors and attendance —
for the phone and for partner systems, scoped like the pages."""
from __future__ import annotations

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from jiceng.core.api import DateText, Id, InputSchema, OptionalId, Text, error_responses, query_date
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.idempotency import run_once
from jiceng.core.masking import mask_phone
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Cadre

from . import permissions, selectors, services
from .models import VisitorKind

router = Router(tags=["duty"])
KEY = {"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"},
                       "description": "每次提交一个唯一编号；重试用同一编号"}]}


class DeskOut(Schema):
    id: int
    org_unit_id: int
    org_unit_name: str
    name: str
    phone: str
    address: str
    lat: float | None
    lng: float | None
    days: str
    is_active: bool


class DeskCodeOut(Schema):
    desk_id: int
    day: dt.date
    code: str
    checkin_url: str


class ShiftOut(Schema):
    id: int
    desk_id: int
    cadre_id: int
    cadre_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    late: bool
    points: int | None


class VisitorOut(Schema):
    id: int
    desk_id: int
    shift_id: int | None
    at: dt.datetime
    name: str
    phone: str
    purpose: str
    kind: str
    outcome: str
    report_id: int | None
    dispute_id: int | None


class AttendanceOut(Schema):
    name: str
    unit: str
    shifts: int
    kept: int
    late: int
    missed: int
    rate: int | None


class DeskIn(InputSchema):
    org_unit_id: Id
    name: Text = Field(..., max_length=100)
    phone: Text = Field("", max_length=20)
    address: Text = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    days: Text = Field("12345", max_length=7)


class ShiftIn(InputSchema):
    cadre_id: OptionalId = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


class CheckIn(InputSchema):
    desk_id: Id
    code: Text = Field(..., max_length=20)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)


class VisitorIn(InputSchema):
    name: Text = Field("", max_length=50)
    phone: Text = Field("", max_length=20)
    purpose: Text = Field("", max_length=500)
    kind: VisitorKind = VisitorKind.CONSULT
    outcome: Text = Field("", max_length=500)
    category_id: OptionalId = None
    dispute_kind: Text = Field("", max_length=20)
    parties: Text = Field("", max_length=200)
    dispute_outcome: Text = Field("mediating", max_length=20)
    agreement: Text = Field("", max_length=2000)


# --------------------------------------------------------------------------- serialisers

def _desk_out(d) -> dict:
    return {"id": d.pk, "org_unit_id": d.org_unit_id, "org_unit_name": d.org_unit.name, "name": d.name,
            "phone": d.phone, "address": d.address, "lat": float(d.lat) if d.lat is not None else None,
            "lng": float(d.lng) if d.lng is not None else None, "days": d.days, "is_active": d.is_active}


def _shift_out(s) -> dict:
    return {"id": s.pk, "desk_id": s.desk_id, "cadre_id": s.cadre_id, "cadre_name": s.cadre.name,
            "starts_at": s.starts_at, "ends_at": s.ends_at, "status": s.status, "checked_in_at": s.checked_in_at,
            "checked_out_at": s.checked_out_at, "late": s.late, "points": s.points}


def _visitor_out(v, *, full_phone: bool) -> dict:
    return {"id": v.pk, "desk_id": v.desk_id, "shift_id": v.shift_id, "at": v.at, "name": v.name,
            "phone": v.phone if full_phone else mask_phone(v.phone), "purpose": v.purpose, "kind": v.kind,
            "outcome": v.outcome, "report_id": v.report_id, "dispute_id": v.dispute_id}


def _aware(moment):
    return timezone.make_aware(moment) if moment is not None and timezone.is_naive(moment) else moment


# --------------------------------------------------------------------------- desks

@router.get("/desks", response={200: list[DeskOut], **error_responses()}, summary="值班台（范围内）")
def desks(request):
    return [_desk_out(d) for d in selectors.desk_list(request.user)[:500]]


@router.post("/desks", response={200: DeskOut, **error_responses(400, 403, 404)}, summary="新建值班台")
def desk_create(request, payload: DeskIn):
    unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="duty_manage")
    return _desk_out(services.desk_create(actor=request.user, org_unit=unit, name=payload.name, phone=payload.phone,
                                          address=payload.address, lat=payload.lat, lng=payload.lng,
                                          days=payload.days))


@router.get("/desks/{desk_id}", response={200: DeskOut, **error_responses(404)}, summary="一个值班台")
def desk_get(request, desk_id: Id):
    return _desk_out(selectors.desk_get_for_user(request.user, desk_id))


@router.get("/desks/{desk_id}/code", response={200: DeskCodeOut, **error_responses(404)},
            summary="值班台今天的签到码（管理人员）")
def desk_code(request, desk_id: Id):
    desk = selectors.desk_get_for_user(request.user, desk_id)
    if not permissions.can_manage(request.user, desk.org_path):
        raise NotFoundError()
    today = timezone.localdate()
    code = services.day_code(desk, today)
    return {"desk_id": desk.pk, "day": today, "code": code,
            "checkin_url": request.build_absolute_uri(f"/duty/checkin/?desk={desk.pk}&code={code}")}


# --------------------------------------------------------------------------- roster

@router.get("/shifts", response={200: list[ShiftOut], **error_responses(400)}, summary="班次（范围内，或本人的）")
def shifts(request, from_text: DateText | None = Query(None, alias="from"), to_text: DateText | None = Query(None, alias="to"),
           desk_id: OptionalId = Query(None), status: Text = Query("", max_length=10), mine: bool = Query(False),
           limit: int = Query(200, ge=1, le=2000)):
    date_from, date_to = query_date(from_text, "from"), query_date(to_text, "to")
    if mine:
        qs = selectors.my_shifts(request.user)
    else:
        today = timezone.localdate()
        qs = selectors.shift_list(request.user, desk_id=desk_id, start=date_from or today - dt.timedelta(days=7),
                                  end=date_to or today + dt.timedelta(days=14), status=status)
    return [_shift_out(s) for s in qs[:limit]]


@router.post("/desks/{desk_id}/shifts", response={200: ShiftOut, **error_responses(400, 403, 404)}, summary="排班")
def shift_create(request, desk_id: Id, payload: ShiftIn):
    desk = selectors.desk_get_for_user(request.user, desk_id)
    cadre = None
    if payload.cadre_id:
        cadre = Cadre.objects.accessible_to(request.user, purpose="duty_manage").filter(pk=payload.cadre_id).first() \
            or Cadre.objects.within(desk.org_path).filter(pk=payload.cadre_id).first()
        if cadre is None:
            raise JicengError("找不到该干部，或不在您的管理范围内", field="cadre_id")
    try:
        return _shift_out(services.shift_create(actor=request.user, desk=desk, cadre=cadre,
                                                starts_at=_aware(payload.starts_at), ends_at=_aware(payload.ends_at)))
    except JicengError as exc:
        if "cadre" in exc.errors:
            exc.errors["cadre_id"] = exc.errors.pop("cadre")
            exc.field = "cadre_id" if exc.field == "cadre" else exc.field
        raise


@router.delete("/shifts/{shift_id}", response={204: None, **error_responses(400, 403, 404)},
               summary="删除尚未签到的班次")
def shift_delete(request, shift_id: Id):
    services.shift_delete(actor=request.user, shift=selectors.shift_get_for_user(request.user, shift_id))
    return Status(204, None)


@router.post("/checkin", response={200: ShiftOut, **error_responses(400, 404)}, summary="扫码签到（今天的码；可带位置）")
def checkin(request, payload: CheckIn):
    desk = selectors.desk_get_for_user(request.user, payload.desk_id)
    return _shift_out(services.check_in(actor=request.user, desk=desk, code=payload.code, lat=payload.lat,
                                        lng=payload.lng))


@router.post("/checkout", response={200: ShiftOut, **error_responses(400, 404)}, summary="扫码签退")
def checkout(request, payload: CheckIn):
    desk = selectors.desk_get_for_user(request.user, payload.desk_id)
    return _shift_out(services.check_out(actor=request.user, desk=desk, code=payload.code, lat=payload.lat,
                                         lng=payload.lng))


# --------------------------------------------------------------------------- visitors and attendance

@router.get("/visitors", response={200: list[VisitorOut], **error_responses(400)},
            summary="来访登记（手机号码对非管理人员隐去中间位）")
def visitors(request, from_text: DateText | None = Query(None, alias="from"), to_text: DateText | None = Query(None, alias="to"),
             desk_id: OptionalId = Query(None), kind: Text = Query("", max_length=10), limit: int = Query(200, ge=1, le=2000)):
    date_from, date_to = query_date(from_text, "from"), query_date(to_text, "to")
    today = timezone.localdate()
    qs = selectors.visitor_list(request.user, desk_id=desk_id, kind=kind, start=date_from or today - dt.timedelta(days=30),
                                end=date_to or today)
    user = request.user
    return [_visitor_out(v, full_phone=permissions.can_manage(user, v.org_path)) for v in qs[:limit]]


@router.post("/desks/{desk_id}/visitors", response={200: VisitorOut, **error_responses(400, 403, 404, 409)},
             summary="来访登记（办事转诉求，纠纷记入调解台账）", openapi_extra=KEY)
def visitor_create(request, desk_id: Id, payload: VisitorIn):
    desk = selectors.desk_get_for_user(request.user, desk_id)

    def serialise(v):
        return json.loads(json.dumps(_visitor_out(v, full_phone=True), cls=DjangoJSONEncoder))

    return run_once(request, f"duty.visitor:{desk_id}", lambda: services.visitor_record(
        actor=request.user, desk=desk, name=payload.name, phone=payload.phone, purpose=payload.purpose,
        kind=payload.kind, outcome=payload.outcome, category_id=payload.category_id, dispute_kind=payload.dispute_kind,
        parties=payload.parties, dispute_outcome=payload.dispute_outcome, agreement=payload.agreement),
        serialise=serialise)


@router.get("/attendance", response={200: list[AttendanceOut], **error_responses(400)},
            summary="考勤统计（按人或按村社区）")
def attendance(request, from_text: DateText | None = Query(None, alias="from"), to_text: DateText | None = Query(None, alias="to"),
               by: Text = Query("person", pattern="^(person|unit)$")):
    date_from, date_to = query_date(from_text, "from"), query_date(to_text, "to")
    today = timezone.localdate()
    rows = selectors.attendance(request.user, start=date_from or today - dt.timedelta(days=29), end=date_to or today,
                                by=by)
    return [{k: r[k] for k in ("name", "unit", "shifts", "kept", "late", "missed", "rate")} for r in rows]
