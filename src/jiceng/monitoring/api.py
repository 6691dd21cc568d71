"""Monitoring API (防返贫监测): economic profiles, risk signals and their verification, visits,
declarations, monitored-household cases and their steps, and figures — for the phone app and for
partner departments. Every read of a household's economic record is recorded in the audit trail."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema
from pydantic import StringConstraints

from jiceng.core.api import DateText, Day, Id, InputSchema, OptionalId, Text, error_responses, query_date
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.selectors import org_roots_for_user, org_unit_get_for_user

from . import figures as figures_mod
from . import selectors, services
from .models import EconomicProfile
from .services.profiles import MEMBER_FIELDS, PROFILE_FIELDS

router = Router(tags=["monitoring"])
Money = Text
_query_date = query_date


class MonitoringMemberOut(Schema):
    resident_id: int
    name: str
    employment: str
    work_place: str
    annual_income: str
    school_stage: str
    school: str
    enrolled: bool
    medical_insured: bool
    labour_capacity: str
    is_main_labour: bool
    labour_loss: str


class MonitoringProfileOut(Schema):
    household_id: int
    year: int
    member_count: int
    wage_income: str
    operating_income: str
    property_income: str
    transfer_income: str
    income_per_head: str
    medical_expense: str
    education_expense: str
    other_rigid_expense: str
    housing_grade: str
    safe_water: bool
    disaster_loss: str
    note: str
    income_line: str | None
    guarantees: dict[str, bool]
    members: list[MonitoringMemberOut]


class MonitoringMemberIn(InputSchema):
    resident_id: Id
    employment: Text | None = Field(None, max_length=20)
    work_place: Text | None = Field(None, max_length=100)
    annual_income: Money | None = Field(None, max_length=20)
    school_stage: Text | None = Field(None, max_length=20)
    school: Text | None = Field(None, max_length=100)
    enrolled: bool | None = None
    medical_insured: bool | None = None
    labour_capacity: Text | None = Field(None, max_length=10)
    is_main_labour: bool | None = None
    labour_loss: Text | None = Field(None, max_length=20)


class MonitoringProfileIn(InputSchema):
    member_count: int | None = Field(None, ge=1, le=99)
    wage_income: Money | None = Field(None, max_length=20)
    operating_income: Money | None = Field(None, max_length=20)
    property_income: Money | None = Field(None, max_length=20)
    transfer_income: Money | None = Field(None, max_length=20)
    medical_expense: Money | None = Field(None, max_length=20)
    education_expense: Money | None = Field(None, max_length=20)
    other_rigid_expense: Money | None = Field(None, max_length=20)
    disaster_loss: Money | None = Field(None, max_length=20)
    housing_grade: Text | None = Field(None, max_length=1)
    safe_water: bool | None = None
    note: Text | None = Field(None, max_length=2000)
    members: list[MonitoringMemberIn] = Field(default_factory=list, max_length=50)


class MonitoringSignalOut(Schema):
    id: int
    household_id: int
    household_number: str
    channel: str
    rule_code: str
    kind: str
    label: str
    detail: str
    amount: str | None
    raised_at: dt.datetime
    deadline: dt.date
    overdue: bool
    status: str
    outcome: str
    case_id: int | None


class MonitoringVerifyIn(InputSchema):
    note: Text = Field("", max_length=2000)


class MonitoringRiskIn(InputSchema):
    kind: Text = Field(max_length=20)
    amount: Money | None = Field(None, max_length=20)
    detail: Text = Field("", max_length=500)


class MonitoringVisitIn(InputSchema):
    kind: Text = Field(max_length=20, description="screening（排查走访）或 assistance（帮扶走访）")
    visited_on: dt.date
    findings: Text = Field(max_length=2000)
    risks: list[MonitoringRiskIn] = Field(default_factory=list, max_length=9)


class MonitoringVisitOut(Schema):
    id: int
    household_id: int
    kind: str
    visited_on: dt.date
    signal_ids: list[int]


class MonitoringDeclarationIn(InputSchema):
    kind: Text = Field(max_length=20)
    detail: Text = Field(max_length=2000)
    amount: Money | None = Field(None, max_length=20)


class MonitoringStepOut(Schema):
    procedure: str
    stage: str
    actor: str
    acted_on: dt.date
    approved: bool
    note: str


class MonitoringCaseOut(Schema):
    id: int
    household_id: int
    household_number: str
    status: str
    category: str
    procedure: str
    stage: str
    posting_ends: dt.date | None
    enrolled_on: dt.date | None
    eliminated_on: dt.date | None
    people_count: int
    responsible: str | None
    steps: list[MonitoringStepOut]


class MonitoringStepIn(InputSchema):
    approved: bool = True
    note: Text = Field("", max_length=2000)
    consent: bool = False
    category: Text = Field("", max_length=20)
    acted_on: dt.date | None = None


class MonitoringMeasureOut(Schema):
    id: int
    case_id: int
    kind: str
    kind_label: str
    description: str
    started_on: Day
    amount: str
    result: str
    created_by: str | None
    created_at: dt.datetime


class MonitoringMeasureIn(InputSchema):
    kind: Text = Field(max_length=20, description="industry | employment | health | education | housing | "
                                                  "social_security | subsidy")
    description: Text = Field(max_length=200, description="措施内容")
    started_on: dt.date = Field(description="开始日期")
    amount: Money = Field("0", max_length=20, description="金额（元），不小于 0")
    result: Text = Field("", max_length=2000, description="成效（可以以后再填）")


class MonitoringMeasureResultIn(InputSchema):
    result: Text = Field(max_length=2000, description="帮扶成效")


class MonitoringEliminateIn(InputSchema):
    note: Text = Field("", max_length=2000)
    acted_on: dt.date | None = None


class MonitoringResponsibleIn(InputSchema):
    user_id: Id = Field(description="帮扶责任人（负责该户所在地的监测工作人员）的用户编号")


class MonitoringFiguresOut(Schema):
    org_unit_id: int
    start: dt.date
    end: dt.date
    enrolled_households: int
    enrolled_people: int
    eliminated_households: int
    eliminated_people: int
    monitored_households: int
    monitored_people: int
    monitored_by_category: dict[str, int]
    visits_due: int
    visits_done: int
    visits_overdue: int
    schooling_records_updated: int
    employment_records_updated: int
    signals_by_channel: dict[str, int]


def _money(v) -> str:
    return f"{v:.2f}"


def _profile_out(profile: EconomicProfile) -> dict:
    from .rules import guarantees

    members = list(profile.members.select_related("resident"))
    facts = services.profile_facts(profile, members)
    line = services.income_line_for(services.settings_for(services.site_of(profile.org_path)), profile.year)
    out = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    for k, v in list(out.items()):
        if k not in ("member_count", "housing_grade", "safe_water", "note"):
            out[k] = _money(v)
    from django.utils import timezone

    return {**out, "household_id": profile.household_id, "year": profile.year,
            "income_line": _money(line) if line is not None else None,
            "guarantees": {k: v[0] for k, v in guarantees(facts, today=timezone.localdate()).items()},
            "members": [{"resident_id": m.resident_id, "name": m.resident.name,
                         **{f: (_money(getattr(m, f)) if f == "annual_income" else getattr(m, f)) for f in MEMBER_FIELDS}}
                        for m in members]}


def _signal_out(s) -> dict:
    return {"id": s.pk, "household_id": s.household_id, "household_number": s.household.number,
            "channel": s.channel, "rule_code": s.rule_code, "kind": s.kind, "label": str(s.label()), "detail": s.detail,
            "amount": _money(s.amount) if s.amount is not None else None, "raised_at": s.raised_at,
            "deadline": s.deadline, "overdue": s.overdue_at is not None, "status": s.status, "outcome": s.outcome,
            "case_id": s.case_id}


def _case_out(c) -> dict:
    return {"id": c.pk, "household_id": c.household_id, "household_number": c.household.number, "status": c.status,
            "category": c.category, "procedure": c.procedure, "stage": c.stage, "posting_ends": c.posting_ends,
            "enrolled_on": c.enrolled_on, "eliminated_on": c.eliminated_on, "people_count": c.people_count,
            "responsible": str(c.responsible) if c.responsible_id else None,
            "steps": [{"procedure": s.procedure, "stage": s.stage, "actor": str(s.actor) if s.actor_id else "系统",
                       "acted_on": s.acted_on, "approved": s.approved, "note": s.note}
                      for s in c.steps.select_related("actor").order_by("at", "id")]}


@router.get("/monitoring/households/{household_id}/profile", response={200: MonitoringProfileOut, **error_responses(404)},
            summary="农户经济档案（默认最近一年；每次读取记入审计日志）")
def profile_get(request, household_id: Id, year: int | None = Query(None, ge=2000, le=2100)):
    h = selectors.household_get_for_user(request.user, household_id)
    qs = EconomicProfile.objects.unscoped(AUTHORISED).filter(household=h)
    profile = (qs.filter(year=year) if year else qs).order_by("-year").first()
    if profile is None:
        raise NotFoundError(field="year")
    services.profile_viewed(actor=request.user, household=h, what="api")
    return _profile_out(profile)


@router.put("/monitoring/households/{household_id}/profile/{year}",
            response={200: MonitoringProfileOut, **error_responses(400, 403, 404)},
            summary="填报或修改某年度经济档案（保存后重新检查风险规则）")
def profile_put(request, household_id: Id, payload: MonitoringProfileIn, year: int = Path(..., ge=2000, le=2100)):
    h = selectors.household_get_for_user(request.user, household_id)
    data = payload.model_dump(exclude_unset=True)
    members = {m.pop("resident_id"): {k: v for k, v in m.items() if v is not None} for m in data.pop("members", [])}
    values = {k: v for k, v in data.items() if v is not None}
    profile = services.profile_save(actor=request.user, household=h, year=year, values=values, members=members)
    return _profile_out(profile)


@router.get("/monitoring/signals", response={200: list[MonitoringSignalOut], **error_responses()}, summary="风险信号（核实任务）")
def signals(request, status: Text = Query("", max_length=20), channel: Text = Query("", max_length=20),
            household_id: OptionalId = Query(None), limit: int = Query(100, ge=1, le=500)):
    qs = selectors.signal_list(user=request.user, status=status, channel=channel)
    if household_id:
        qs = qs.filter(household_id=household_id)
    return [_signal_out(s) for s in qs[:limit]]


@router.post("/monitoring/signals/{signal_id}/confirm", response={200: MonitoringSignalOut, **error_responses(400, 403, 404)},
             summary="核实属实：进入识别流程")
def signal_confirm(request, signal_id: Id, payload: MonitoringVerifyIn):
    s = selectors.signal_get_for_user(request.user, signal_id)
    return _signal_out(services.signal_confirm(actor=request.user, signal=s, note=payload.note))


@router.post("/monitoring/signals/{signal_id}/dismiss", response={200: MonitoringSignalOut, **error_responses(400, 403, 404)},
             summary="核实排除（须写明理由）")
def signal_dismiss(request, signal_id: Id, payload: MonitoringVerifyIn):
    s = selectors.signal_get_for_user(request.user, signal_id)
    return _signal_out(services.signal_dismiss(actor=request.user, signal=s, reason=payload.note))


@router.post("/monitoring/households/{household_id}/visits", response={200: MonitoringVisitOut, **error_responses(400, 403, 404)},
             summary="记录走访（发现的每项风险生成一条核实任务）")
def visit_create(request, household_id: Id, payload: MonitoringVisitIn):
    h = selectors.household_get_for_user(request.user, household_id)
    v = services.visit_record(actor=request.user, household=h, kind=payload.kind, visited_on=payload.visited_on,
                              findings=payload.findings,
                              risks=[(r.kind, r.amount, r.detail) for r in payload.risks])
    return {"id": v.pk, "household_id": h.pk, "kind": v.kind, "visited_on": v.visited_on,
            "signal_ids": list(v.signals.values_list("pk", flat=True))}


@router.post("/monitoring/households/{household_id}/declarations",
             response={200: MonitoringSignalOut, **error_responses(400, 403, 404)}, summary="农户自主申报（工作人员代录）")
def declaration_create(request, household_id: Id, payload: MonitoringDeclarationIn):
    h = selectors.household_get_for_user(request.user, household_id)
    s = services.self_declaration_submit(actor=request.user, household=h, kind=payload.kind, detail=payload.detail,
                                         amount=payload.amount)
    return _signal_out(s)


@router.get("/monitoring/cases", response={200: list[MonitoringCaseOut], **error_responses()}, summary="监测对象")
def cases(request, status: Text = Query("", max_length=20), category: Text = Query("", max_length=20),
          limit: int = Query(100, ge=1, le=500)):
    return [_case_out(c) for c in selectors.case_list(user=request.user, status=status, category=category)[:limit]]


@router.post("/monitoring/cases/{case_id}/steps", response={200: MonitoringCaseOut, **error_responses(400, 403, 404)},
             summary="办理识别或风险消除的当前环节")
def case_step(request, case_id: Id, payload: MonitoringStepIn):
    c = selectors.case_get_for_user(request.user, case_id)
    c = services.case_step(actor=request.user, case=c, approved=payload.approved, note=payload.note,
                           consent=payload.consent, category=payload.category, acted_on=payload.acted_on)
    return _case_out(selectors.case_get_for_user(request.user, c.pk))


def _measure_out(m) -> dict:
    return {"id": m.pk, "case_id": m.case_id, "kind": m.kind, "kind_label": str(m.get_kind_display()),
            "description": m.description, "started_on": m.started_on, "amount": _money(m.amount), "result": m.result,
            "created_by": str(m.created_by) if m.created_by_id else None, "created_at": m.created_at}


@router.get("/monitoring/cases/{case_id}/measures", response={200: list[MonitoringMeasureOut], **error_responses(404)},
            summary="帮扶措施（某监测对象）")
def measures(request, case_id: Id):
    c = selectors.case_get_for_user(request.user, case_id)
    return [_measure_out(m) for m in selectors.measures_of(c)]


@router.post("/monitoring/cases/{case_id}/measures", response={200: MonitoringMeasureOut, **error_responses(400, 403, 404)},
             summary="登记帮扶措施")
def measure_create(request, case_id: Id, payload: MonitoringMeasureIn):
    c = selectors.case_get_for_user(request.user, case_id)
    m = services.measure_add(actor=request.user, case=c, kind=payload.kind, description=payload.description,
                             started_on=payload.started_on, amount=payload.amount, result=payload.result)
    return _measure_out(selectors.measure_get(c, m.pk))


@router.post("/monitoring/cases/{case_id}/measures/{measure_id}/result",
             response={200: MonitoringMeasureOut, **error_responses(400, 403, 404)}, summary="填写帮扶成效")
def measure_result(request, case_id: Id, measure_id: Id, payload: MonitoringMeasureResultIn):
    c = selectors.case_get_for_user(request.user, case_id)
    m = services.measure_update(actor=request.user, measure=selectors.measure_get(c, measure_id), result=payload.result)
    return _measure_out(selectors.measure_get(c, m.pk))


@router.post("/monitoring/cases/{case_id}/eliminate", response={200: MonitoringCaseOut, **error_responses(400, 403, 404)},
             summary="入户核实风险消除条件，申请风险消除")
def case_eliminate(request, case_id: Id, payload: MonitoringEliminateIn):
    c = selectors.case_get_for_user(request.user, case_id)
    c = services.elimination_start(actor=request.user, case=c, note=payload.note, acted_on=payload.acted_on)
    return _case_out(selectors.case_get_for_user(request.user, c.pk))


@router.post("/monitoring/cases/{case_id}/responsible",
             response={200: MonitoringCaseOut, **error_responses(400, 403, 404)}, summary="确定帮扶责任人")
def case_responsible(request, case_id: Id, payload: MonitoringResponsibleIn):
    from django.contrib.auth import get_user_model

    c = selectors.case_get_for_user(request.user, case_id)
    target = get_user_model().objects.filter(pk=payload.user_id, is_active=True).first()
    c = services.responsible_assign(actor=request.user, case=c, user=target)
    return _case_out(selectors.case_get_for_user(request.user, c.pk))


@router.get("/monitoring/figures", response={200: MonitoringFiguresOut, **error_responses(400, 404)}, summary="监测帮扶统计")
def figures(request, org_unit_id: OptionalId = Query(None), start_text: DateText | None = Query(None, alias="from"),
            end_text: DateText | None = Query(None, alias="to")):
    from django.utils import timezone

    start, end = _query_date(start_text, "from"), _query_date(end_text, "to")
    if org_unit_id:
        unit = org_unit_get_for_user(request.user, org_unit_id, purpose="monitoring_view")
    else:
        unit = org_roots_for_user(request.user, purpose="monitoring_view").first()
        if unit is None:
            raise NotFoundError()
    end = end or timezone.localdate()
    start = start or dt.date(end.year, 1, 1)
    if start > end:
        start, end = end, start
    d = figures_mod.figures(unit.path, start, end)
    return {"org_unit_id": unit.pk, "start": start, "end": end,
            "enrolled_households": d["enrolled"]["households"], "enrolled_people": d["enrolled"]["people"],
            "eliminated_households": d["eliminated"]["households"], "eliminated_people": d["eliminated"]["people"],
            "monitored_households": d["monitored"]["households"], "monitored_people": d["monitored"]["people"],
            "monitored_by_category": {c["category"]: c["households"] for c in d["by_category"]},
            "visits_due": d["visits_due"], "visits_done": d["visits_done"], "visits_overdue": d["visits_overdue"],
            "schooling_records_updated": d["schooling"], "employment_records_updated": d["employment"],
            "signals_by_channel": {c: n for c, _l, n in d["by_channel"]}}
