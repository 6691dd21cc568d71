"""Cadre-work API, second part: ranking schemes and runs (排队抓尾), rectification plans (一村一策) and
demonstration sites (示范点). Mounted on the module's router (api.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema
from django.utils import timezone

from jiceng.core.api import Id, InputSchema, OptionalId, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.orgs.selectors import org_roots_for_user, org_unit_get_for_user
from jiceng.people.models import Cadre

from . import selectors, services
from .models import RankingLevel, ShowcaseKind, ShowcaseOutcome

router = Router(tags=["cadre"])


class CadreIndicatorIO(Schema):
    label: Text = Field(..., max_length=50)
    numerator: Text = Field(..., max_length=60)
    denominator: Text = Field("", max_length=60)
    weight: int = Field(..., ge=0, le=100)
    lower_is_better: bool = False


class CadreSchemeOut(Schema):
    id: int
    name: str
    level: str
    advanced_count: int
    lagging_count: int
    indicators: list[CadreIndicatorIO]


class CadreSchemeIn(InputSchema):
    name: Text = Field(..., max_length=100)
    level: RankingLevel = RankingLevel.VILLAGE
    advanced_count: int = Field(3, ge=0, le=1000)
    lagging_count: int = Field(3, ge=0, le=1000)
    indicators: list[CadreIndicatorIO] = Field(..., max_length=20)


class CadreRunIn(InputSchema):
    year: int = Field(..., ge=2000, le=2100)
    quarter: int | None = Field(None, ge=1, le=4)


class CadreResultOut(Schema):
    id: int
    org_unit_id: int
    org_unit_name: str
    score: float
    rank: int
    band: str
    values: list[dict]
    plan_id: int | None


class CadreRunOut(Schema):
    id: int
    scheme_id: int
    period_label: str
    period_start: dt.date
    period_end: dt.date
    computed_at: dt.datetime
    results: list[CadreResultOut] | None = None


class CadreMeasureIn(InputSchema):
    text: Text = Field(..., max_length=300)
    owner_id: Id
    deadline: dt.date


class CadrePlanIn(InputSchema):
    problems: Text = Field(..., max_length=5000)
    owner_id: OptionalId = None
    deadline: dt.date | None = None
    measures: list[CadreMeasureIn] = Field(default_factory=list, max_length=20)


class CadreMeasureOut(Schema):
    id: int
    text: str
    owner_id: int
    deadline: dt.date
    evidence: str
    done_at: dt.datetime | None


class CadrePlanOut(Schema):
    id: int
    result_id: int
    org_unit_id: int
    problems: str
    owner_id: int
    deadline: dt.date
    status: str
    measures: list[CadreMeasureOut]
    follow_ups: list[dict]


class CadreEvidenceIn(InputSchema):
    evidence: Text = Field(..., max_length=5000)


class CadreNoteIn(InputSchema):
    note: Text = Field(..., max_length=5000)


class CadreShowcaseIn(InputSchema):
    name: Text = Field(..., max_length=100)
    kind: ShowcaseKind = ShowcaseKind.POINT
    org_unit_id: OptionalId = None
    unit_ids: list[Id] = Field(default_factory=list, max_length=50)
    leader_id: OptionalId = None
    template: Text = Field("", max_length=10)
    targets: list[Text] = Field(default_factory=list, max_length=30)
    year: int | None = Field(None, ge=2000, le=2100)


class CadreShowcaseOut(Schema):
    id: int
    name: str
    kind: str
    year: int
    org_unit_id: int
    unit_ids: list[int]
    leader_id: int
    letter_signed_by: str
    letter_signed_on: dt.date | None
    outcome: str
    assessment_score: int | None
    reward: str
    talk_record: str
    targets: list[dict]


class CadreLetterIn(InputSchema):
    signed_by: Text = Field(..., max_length=100)
    signed_on: dt.date


class CadreProgressIn(InputSchema):
    text: Text = Field(..., max_length=5000)
    met_target_ids: list[Id] = Field(default_factory=list, max_length=30)


class CadreAssessIn(InputSchema):
    score: int = Field(..., ge=0, le=100)
    note: Text = Field(..., max_length=2000)
    outcome: ShowcaseOutcome
    reward: Text = Field("", max_length=200)
    talk_on: dt.date | None = None
    talk_with: Text = Field("", max_length=100)
    talk_record: Text = Field("", max_length=5000)


def _scheme_out(s) -> dict:
    return {"id": s.pk, "name": s.name, "level": s.level, "advanced_count": s.advanced_count,
            "lagging_count": s.lagging_count,
            "indicators": [{"label": i.label, "numerator": i.numerator, "denominator": i.denominator,
                            "weight": i.weight, "lower_is_better": i.lower_is_better} for i in s.indicators.all()]}


def _run_out(run, results=None) -> dict:
    out = {"id": run.pk, "scheme_id": run.scheme_id, "period_label": run.period_label, "period_start": run.period_start,
           "period_end": run.period_end, "computed_at": run.computed_at, "results": None}
    if results is not None:
        out["results"] = [{"id": r.pk, "org_unit_id": r.org_unit_id, "org_unit_name": r.org_unit.name,
                           "score": float(r.score), "rank": r.rank, "band": r.band, "values": r.values,
                           "plan_id": getattr(getattr(r, "plan", None), "pk", None)} for r in results]
    return out


def _plan_out(p) -> dict:
    return {"id": p.pk, "result_id": p.result_id, "org_unit_id": p.org_unit_id, "problems": p.problems,
            "owner_id": p.owner_id, "deadline": p.deadline, "status": p.status,
            "measures": [{"id": m.pk, "text": m.text, "owner_id": m.owner_id, "deadline": m.deadline,
                          "evidence": m.evidence, "done_at": m.done_at} for m in p.measures.all()],
            "follow_ups": [{"at": f.at.isoformat(), "note": f.note} for f in p.follow_ups.all()]}


def _showcase_out(s) -> dict:
    return {"id": s.pk, "name": s.name, "kind": s.kind, "year": s.year, "org_unit_id": s.org_unit_id,
            "unit_ids": sorted(u.pk for u in s.units.all()), "leader_id": s.leader_id,
            "letter_signed_by": s.letter_signed_by, "letter_signed_on": s.letter_signed_on, "outcome": s.outcome,
            "assessment_score": s.assessment_score, "reward": s.reward, "talk_record": s.talk_record,
            "targets": [{"id": t.pk, "text": t.text, "met": t.met} for t in s.targets.all()]}


def _root(user):
    root = org_roots_for_user(user, purpose="cadre_manage").first()
    if root is None:
        raise NotFoundError()
    return root


def _cadre(path: str, cadre_id, field: str):
    if not cadre_id:
        return None
    found = Cadre.objects.within(path).filter(pk=cadre_id).first()
    if found is None:
        raise JicengError("找不到该干部，或不在本单位范围内", field=field)
    return found


@router.get("/ranking/schemes", response={200: list[CadreSchemeOut], **error_responses()}, summary="排名方案")
def schemes(request):
    return [_scheme_out(s) for s in selectors.scheme_list(request.user)]


@router.post("/ranking/schemes", response={200: CadreSchemeOut, **error_responses(400, 403, 404)},
             summary="新建排名方案（权重合计 100）")
def scheme_create(request, payload: CadreSchemeIn):
    s = services.scheme_save(actor=request.user, site=_root(request.user), name=payload.name, level=payload.level,
                             indicators=[i.dict() for i in payload.indicators], advanced_count=payload.advanced_count,
                             lagging_count=payload.lagging_count)
    return _scheme_out(s)


@router.post("/ranking/schemes/{scheme_id}/runs", response={200: CadreRunOut, **error_responses(400, 403, 404)},
             summary="计算排名（季度或全年）")
def scheme_run(request, scheme_id: Id, payload: CadreRunIn):
    scheme = selectors.scheme_get_for_user(request.user, scheme_id)
    run = services.ranking_run(actor=request.user, scheme=scheme, year=payload.year, quarter=payload.quarter)
    return _run_out(run, selectors.run_results(run))


@router.get("/ranking/runs", response={200: list[CadreRunOut], **error_responses()}, summary="排名结果")
def runs(request):
    return [_run_out(r) for r in selectors.run_list(request.user)[:200]]


@router.get("/ranking/runs/{run_id}", response={200: CadreRunOut, **error_responses(404)}, summary="一次排名的各单位结果")
def run_get(request, run_id: Id):
    run = selectors.run_get_for_user(request.user, run_id)
    return _run_out(run, selectors.run_results(run))


@router.get("/plans", response={200: list[CadrePlanOut], **error_responses()}, summary="整改方案")
def plans(request, status: Text = Query("", max_length=10)):
    return [_plan_out(p) for p in selectors.plan_list(request.user, status=status).prefetch_related(
        "measures", "follow_ups")[:500]]


@router.post("/ranking/results/{result_id}/plan", response={200: CadrePlanOut, **error_responses(400, 403, 404, 409)},
             summary="为后进单位制定整改方案")
def plan_create(request, result_id: Id, payload: CadrePlanIn):
    result = selectors.result_get_for_user(request.user, result_id)
    plan = services.plan_create(
        actor=request.user, result=result, problems=payload.problems,
        owner=_cadre(result.org_path, payload.owner_id, "owner_id"), deadline=payload.deadline,
        measures=[{"text": m.text, "owner": _cadre(result.org_path, m.owner_id, "measures"), "deadline": m.deadline}
                  for m in payload.measures])
    return _plan_out(plan)


@router.post("/plans/{plan_id}/measures/{measure_id}/complete",
             response={200: CadrePlanOut, **error_responses(400, 403, 404, 409)}, summary="整改措施完成（附佐证）")
def measure_complete(request, plan_id: Id, measure_id: Id, payload: CadreEvidenceIn):
    plan = selectors.plan_get_for_user(request.user, plan_id)
    measure = plan.measures.filter(pk=measure_id).first()
    if measure is None:
        raise NotFoundError()
    services.measure_complete(actor=request.user, measure=measure, evidence=payload.evidence)
    return _plan_out(plan)


@router.post("/plans/{plan_id}/follow-ups", response={200: CadrePlanOut, **error_responses(400, 403, 404)},
             summary="记录跟踪督导")
def follow_up(request, plan_id: Id, payload: CadreNoteIn):
    plan = selectors.plan_get_for_user(request.user, plan_id)
    services.follow_up_add(actor=request.user, plan=plan, note=payload.note)
    return _plan_out(plan)


@router.post("/plans/{plan_id}/close", response={200: CadrePlanOut, **error_responses(400, 403, 404, 409)},
             summary="销号（每条措施有佐证且有跟踪记录）")
def plan_close(request, plan_id: Id):
    plan = selectors.plan_get_for_user(request.user, plan_id)
    return _plan_out(services.plan_close(actor=request.user, plan=plan))


@router.get("/showcases", response={200: list[CadreShowcaseOut], **error_responses()}, summary="示范点、示范带")
def showcases(request):
    return [_showcase_out(s) for s in selectors.showcase_list(request.user)]


@router.post("/showcases", response={200: CadreShowcaseOut, **error_responses(400, 403, 404)}, summary="新建示范点（带）")
def showcase_create(request, payload: CadreShowcaseIn):
    user = request.user
    unit = (org_unit_get_for_user(user, payload.org_unit_id, purpose="cadre_manage") if payload.org_unit_id
            else _root(user))
    units = [org_unit_get_for_user(user, i, purpose="cadre_manage") for i in payload.unit_ids]
    s = services.showcase_create(actor=user, org_unit=unit, name=payload.name, kind=payload.kind,
                                 year=payload.year or timezone.localdate().year,
                                 leader=_cadre(unit.path.split(".")[0] + ".", payload.leader_id, "leader_id"),
                                 template=payload.template, targets=payload.targets, units=units)
    return _showcase_out(s)


@router.post("/showcases/{showcase_id}/letter", response={200: CadreShowcaseOut, **error_responses(400, 403, 404)},
             summary="登记责任书")
def showcase_letter(request, showcase_id: Id, payload: CadreLetterIn):
    s = selectors.showcase_get_for_user(request.user, showcase_id)
    return _showcase_out(services.showcase_letter(actor=request.user, showcase=s, signed_by=payload.signed_by,
                                                  signed_on=payload.signed_on))


@router.post("/showcases/{showcase_id}/progress", response={200: CadreShowcaseOut, **error_responses(400, 403, 404, 409)},
             summary="报送进展")
def showcase_progress(request, showcase_id: Id, payload: CadreProgressIn):
    s = selectors.showcase_get_for_user(request.user, showcase_id)
    services.showcase_progress(actor=request.user, showcase=s, text=payload.text, met_targets=payload.met_target_ids)
    return _showcase_out(s)


@router.post("/showcases/{showcase_id}/assessment", response={200: CadreShowcaseOut, **error_responses(400, 403, 404, 409)},
             summary="考核：命名授牌（写明奖励）或约谈（写明记录）")
def showcase_assess(request, showcase_id: Id, payload: CadreAssessIn):
    s = selectors.showcase_get_for_user(request.user, showcase_id)
    return _showcase_out(services.showcase_assess(
        actor=request.user, showcase=s, score=payload.score, note=payload.note, outcome=payload.outcome,
        reward=payload.reward, talk_on=payload.talk_on, talk_with=payload.talk_with, talk_record=payload.talk_record))
