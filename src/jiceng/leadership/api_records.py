"""The cadre-records API (干部队伍): reserves, postings with reviews and replacements, trainings and their closing,
contact points and visits, loans, plaques and their checks, inspections, findings and circulars — scoped like
the pages."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from jiceng.core.api import Day, Id, InputSchema, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Cadre

from . import services
from .models import (
    Education, EducationUpgrade, UpgradeOutcome,
    ContactPoint, Inspection, InspectionFinding, LoanedStaff, Plaque, Posting, PostingKind, ReserveCadre, ReviewRating,
    Training,
)

router = Router(tags=["leadership"])
VIEW, MANAGE = "leadership_view", "leadership_manage"


def _cadre(user, pk, field: str):
    if not pk:
        return None
    c = Cadre.objects.accessible_to(user, purpose=MANAGE).filter(pk=pk).first()
    if c is None:
        raise JicengError("找不到该干部，或不在您的管理范围内", field=field)
    return c


def _unit(user, pk, field: str = "org_unit_id"):
    try:
        return org_unit_get_for_user(user, pk, purpose=MANAGE)
    except NotFoundError:
        raise JicengError("找不到该单位，或不在您的管理范围内", field=field) from None


def _get(model, user, pk):
    row = model.objects.accessible_to(user, purpose=VIEW).filter(pk=pk).first()
    if row is None:
        raise NotFoundError()
    return row


class LeadershipReserveOut(Schema):
    id: int
    cadre_id: int
    org_unit_id: int
    mentor_leader_id: int
    mentor_secretary_id: int
    since: dt.date
    status: str
    outcome: str


class LeadershipReserveIn(InputSchema):
    cadre_id: Id
    org_unit_id: Id
    mentor_leader_id: Id
    mentor_secretary_id: Id
    since: Day


@router.get("/reserves", response={200: list[LeadershipReserveOut], **error_responses()}, summary="后备干部")
def reserves(request):
    return list(ReserveCadre.objects.accessible_to(request.user, purpose=VIEW)[:1000])


@router.post("/reserves", response={200: LeadershipReserveOut, **error_responses(400, 403, 404)}, summary="后备干部入库")
def reserve_create(request, payload: LeadershipReserveIn):
    u = request.user
    return services.reserve_add(actor=u, cadre=_cadre(u, payload.cadre_id, "cadre_id"),
                                org_unit=_unit(u, payload.org_unit_id),
                                mentor_leader=_cadre(u, payload.mentor_leader_id, "mentor_leader_id"),
                                mentor_secretary=_cadre(u, payload.mentor_secretary_id, "mentor_secretary_id"),
                                since=payload.since)


class LeadershipPostingOut(Schema):
    id: int
    cadre_id: int
    kind: str
    org_unit_id: int
    sent_by: str
    starts_on: dt.date
    ends_on: dt.date | None
    end_reason: str
    replaces_id: int | None


class LeadershipPostingIn(InputSchema):
    cadre_id: Id
    kind: PostingKind
    org_unit_id: Id
    starts_on: Day
    sent_by: Text = Field("", max_length=100)


class LeadershipPostingReviewIn(InputSchema):
    period: Text = Field(..., max_length=30)
    rating: ReviewRating
    note: Text = Field("", max_length=300)


class LeadershipReplaceIn(InputSchema):
    new_cadre_id: Id
    on: Day
    reason: Text = Field(..., max_length=200)


@router.get("/postings", response={200: list[LeadershipPostingOut], **error_responses()}, summary="派驻干部")
def postings(request):
    return list(Posting.objects.accessible_to(request.user, purpose=VIEW)[:1000])


@router.post("/postings", response={200: LeadershipPostingOut, **error_responses(400, 403, 404)}, summary="派驻干部")
def posting_create(request, payload: LeadershipPostingIn):
    u = request.user
    return services.posting_start(actor=u, cadre=_cadre(u, payload.cadre_id, "cadre_id"), kind=payload.kind,
                                  org_unit=_unit(u, payload.org_unit_id), starts_on=payload.starts_on,
                                  sent_by=payload.sent_by)


@router.post("/postings/{posting_id}/reviews", response={200: dict, **error_responses(400, 403, 404)},
             summary="派驻干部考核")
def posting_review(request, posting_id: Id, payload: LeadershipPostingReviewIn):
    r = services.posting_review(actor=request.user, posting=_get(Posting, request.user, posting_id),
                                period=payload.period, rating=payload.rating, note=payload.note)
    return {"id": r.pk, "period": r.period, "rating": r.rating}


@router.post("/postings/{posting_id}/replace", response={200: LeadershipPostingOut, **error_responses(400, 403, 404)},
             summary="撤换派驻干部")
def posting_replace(request, posting_id: Id, payload: LeadershipReplaceIn):
    u = request.user
    return services.posting_replace(actor=u, posting=_get(Posting, u, posting_id),
                                    new_cadre=_cadre(u, payload.new_cadre_id, "new_cadre_id"), on=payload.on,
                                    reason=payload.reason)


class LeadershipTrainingOut(Schema):
    id: int
    org_unit_id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    hours: int
    points_attended: int
    points_absent: int
    closed_at: dt.datetime | None


class LeadershipTrainingIn(InputSchema):
    org_unit_id: Id
    title: Text = Field(..., max_length=100)
    starts_on: Day
    ends_on: Day
    hours: int = Field(0, ge=0, le=200)
    points_attended: int = Field(0, ge=0, le=200)
    points_absent: int = Field(0, ge=0, le=200)
    cadre_ids: list[Id] = []


class LeadershipCertificateIn(InputSchema):
    cadre_id: Id
    number: Text = Field(..., max_length=50)


class LeadershipTrainingCloseIn(InputSchema):
    attended_ids: list[Id]
    certificates: list[LeadershipCertificateIn] = []


@router.get("/trainings", response={200: list[LeadershipTrainingOut], **error_responses()}, summary="教育培训")
def trainings(request):
    return list(Training.objects.accessible_to(request.user, purpose=VIEW)[:1000])


@router.post("/trainings", response={200: LeadershipTrainingOut, **error_responses(400, 403, 404)}, summary="举办培训")
def training_create(request, payload: LeadershipTrainingIn):
    u = request.user
    return services.training_create(actor=u, org_unit=_unit(u, payload.org_unit_id), title=payload.title,
                                    starts_on=payload.starts_on, ends_on=payload.ends_on, hours=payload.hours,
                                    points_attended=payload.points_attended, points_absent=payload.points_absent,
                                    cadres=[_cadre(u, i, "cadre_ids") for i in payload.cadre_ids])


@router.post("/trainings/{training_id}/close", response={200: LeadershipTrainingOut, **error_responses(400, 403, 404)},
             summary="培训结业（到课的加分、缺训的扣分，记入干部绩效积分）")
def training_close(request, training_id: Id, payload: LeadershipTrainingCloseIn):
    return services.training_close(actor=request.user, training=_get(Training, request.user, training_id),
                                   attended_ids=payload.attended_ids,
                                   certificates={c.cadre_id: c.number for c in payload.certificates})


class LeadershipContactOut(Schema):
    id: int
    cadre_id: int
    org_unit_id: int
    every_days: int
    since: dt.date
    last_visit: dt.date | None
    due_on: dt.date
    overdue: bool


class LeadershipContactIn(InputSchema):
    cadre_id: Id
    org_unit_id: Id
    since: Day
    every_days: int = Field(30, ge=1, le=366)


class LeadershipVisitIn(InputSchema):
    on: Day
    note: Text = Field(..., max_length=300)


def _contact_out(c) -> dict:
    return {"id": c.pk, "cadre_id": c.cadre_id, "org_unit_id": c.org_unit_id, "every_days": c.every_days,
            "since": c.since, "last_visit": c.last, "due_on": c.due_on, "overdue": c.overdue}


@router.get("/contacts", response={200: list[LeadershipContactOut], **error_responses()},
            summary="联系点（含应走访日期、是否逾期）")
def contacts(request, overdue: bool | None = Query(None)):
    rows = services.contacts_with_due(ContactPoint.objects.accessible_to(request.user, purpose=VIEW))
    return [_contact_out(c) for c in rows if overdue is None or c.overdue == overdue]


@router.post("/contacts", response={200: dict, **error_responses(400, 403, 404)}, summary="确定联系点")
def contact_create(request, payload: LeadershipContactIn):
    u = request.user
    c = services.contact_assign(actor=u, cadre=_cadre(u, payload.cadre_id, "cadre_id"),
                                org_unit=_unit(u, payload.org_unit_id), since=payload.since,
                                every_days=payload.every_days)
    return {"id": c.pk}


@router.post("/contacts/{contact_id}/visits", response={200: dict, **error_responses(400, 403, 404)}, summary="登记走访")
def contact_visit(request, contact_id: Id, payload: LeadershipVisitIn):
    v = services.contact_visit(actor=request.user, contact=_get(ContactPoint, request.user, contact_id), on=payload.on,
                               note=payload.note)
    return {"id": v.pk, "on": v.on.isoformat()}


class LeadershipLoanOut(Schema):
    id: int
    cadre_id: int
    org_unit_id: int
    to_office: str
    reason: str
    left_on: dt.date
    returned_on: dt.date | None


class LeadershipLoanIn(InputSchema):
    cadre_id: Id
    org_unit_id: Id
    to_office: Text = Field(..., max_length=100)
    reason: Text = Field(..., max_length=200)
    left_on: Day


class LeadershipReturnIn(InputSchema):
    returned_on: Day


@router.get("/loans", response={200: list[LeadershipLoanOut], **error_responses()}, summary="借调人员")
def loans(request):
    return list(LoanedStaff.objects.accessible_to(request.user, purpose=VIEW)[:1000])


@router.post("/loans", response={200: LeadershipLoanOut, **error_responses(400, 403, 404)}, summary="登记借调")
def loan_create(request, payload: LeadershipLoanIn):
    u = request.user
    return services.loan_record(actor=u, cadre=_cadre(u, payload.cadre_id, "cadre_id"),
                                org_unit=_unit(u, payload.org_unit_id), to_office=payload.to_office,
                                reason=payload.reason, left_on=payload.left_on)


@router.post("/loans/{loan_id}/return", response={200: LeadershipLoanOut, **error_responses(400, 403, 404)},
             summary="借调人员返岗")
def loan_return(request, loan_id: Id, payload: LeadershipReturnIn):
    return services.loan_return(actor=request.user, loan=_get(LoanedStaff, request.user, loan_id),
                                returned_on=payload.returned_on)


class LeadershipPlaqueOut(Schema):
    id: int
    org_unit_id: int
    title: str
    issuer: str
    admitted: bool
    status: str
    checked_on: dt.date | None
    removed_on: dt.date | None


class LeadershipPlaqueIn(InputSchema):
    org_unit_id: Id
    title: Text = Field(..., max_length=100)
    issuer: Text = Field("", max_length=100)
    admitted: bool = False
    admission_note: Text = Field("", max_length=200)


class LeadershipPlaqueCheckIn(InputSchema):
    on: Day
    remove_ids: list[Id] = []


@router.get("/plaques", response={200: list[LeadershipPlaqueOut], **error_responses()}, summary="村级挂牌")
def plaques(request):
    return list(Plaque.objects.accessible_to(request.user, purpose=VIEW)[:2000])


@router.post("/plaques", response={200: LeadershipPlaqueOut, **error_responses(400, 403, 404)}, summary="登记挂牌")
def plaque_create(request, payload: LeadershipPlaqueIn):
    return services.plaque_record(actor=request.user, org_unit=_unit(request.user, payload.org_unit_id),
                                  title=payload.title, issuer=payload.issuer, admitted=payload.admitted,
                                  admission_note=payload.admission_note)


@router.post("/units/{unit_id}/plaque-check", response={200: dict, **error_responses(400, 403, 404)},
             summary="挂牌清理检查（摘除列出的未准入牌子）")
def plaque_check(request, unit_id: Id, payload: LeadershipPlaqueCheckIn):
    return services.plaque_check(actor=request.user, org_unit=_unit(request.user, unit_id, "unit_id"), on=payload.on,
                                 remove_ids=payload.remove_ids)


class LeadershipFindingOut(Schema):
    id: int
    text: str
    deadline: dt.date
    fixed_on: dt.date | None
    fix_note: str
    circulated: bool


class LeadershipInspectionOut(Schema):
    id: int
    org_unit_id: int
    topic: str
    on: dt.date
    inspectors: str
    findings: list[LeadershipFindingOut]


class LeadershipFindingIn(InputSchema):
    text: Text = Field(..., max_length=300)
    deadline: Day


class LeadershipInspectionIn(InputSchema):
    org_unit_id: Id
    topic: Text = Field(..., max_length=200)
    on: Day
    inspectors: Text = Field(..., max_length=200)
    findings: list[LeadershipFindingIn] = []


class LeadershipFixIn(InputSchema):
    fixed_on: Day
    note: Text = Field(..., max_length=300)


class LeadershipCircularIn(InputSchema):
    org_unit_id: Id
    number: Text = Field(..., max_length=50)
    issued_on: Day
    text: Text = Field(..., max_length=4000)
    finding_ids: list[Id]


def _inspection_out(i) -> dict:
    return {"id": i.pk, "org_unit_id": i.org_unit_id, "topic": i.topic, "on": i.on, "inspectors": i.inspectors,
            "findings": [{"id": f.pk, "text": f.text, "deadline": f.deadline, "fixed_on": f.fixed_on,
                          "fix_note": f.fix_note, "circulated": bool(f.circulars.all())} for f in i.findings.all()]}


@router.get("/inspections", response={200: list[LeadershipInspectionOut], **error_responses()}, summary="督导与发现问题")
def inspections(request, uncirculated: bool = Query(False)):
    qs = Inspection.objects.accessible_to(request.user, purpose=VIEW)
    if uncirculated:
        qs = services.inspections_without_circulars(qs)
    return [_inspection_out(i) for i in qs.prefetch_related("findings__circulars")[:500]]


@router.post("/inspections", response={200: LeadershipInspectionOut, **error_responses(400, 403, 404)}, summary="登记督导")
def inspection_create(request, payload: LeadershipInspectionIn):
    i = services.inspection_record(actor=request.user, org_unit=_unit(request.user, payload.org_unit_id),
                                   topic=payload.topic, on=payload.on, inspectors=payload.inspectors,
                                   findings=[(f.text, f.deadline) for f in payload.findings])
    return _inspection_out(i)


@router.post("/findings/{finding_id}/fix", response={200: LeadershipFindingOut, **error_responses(400, 403, 404)},
             summary="登记整改")
def finding_fix(request, finding_id: Id, payload: LeadershipFixIn):
    f = services.finding_fix(actor=request.user, finding=_get(InspectionFinding, request.user, finding_id),
                             fixed_on=payload.fixed_on, note=payload.note)
    return {"id": f.pk, "text": f.text, "deadline": f.deadline, "fixed_on": f.fixed_on, "fix_note": f.fix_note,
            "circulated": f.circulars.exists()}


@router.post("/circulars", response={200: dict, **error_responses(400, 403, 404)}, summary="通报逾期未整改问题")
def circular_create(request, payload: LeadershipCircularIn):
    u = request.user
    found = list(InspectionFinding.objects.accessible_to(u, purpose=VIEW).filter(pk__in=payload.finding_ids))
    if len(found) != len(set(payload.finding_ids)):
        raise JicengError("有问题不存在或不在您的范围内", field="finding_ids")
    c = services.circular_issue(actor=u, org_unit=_unit(u, payload.org_unit_id), number=payload.number,
                                issued_on=payload.issued_on, text=payload.text, findings=found)
    return {"id": c.pk, "number": c.number, "findings": [f.pk for f in found]}


class LeadershipUpgradeOut(Schema):
    id: int
    cadre_id: int
    programme: str
    from_education: str
    target_education: str
    enrolled_on: dt.date
    outcome: str
    completed_on: dt.date | None


class LeadershipUpgradeIn(InputSchema):
    cadre_id: Id
    programme: Text = Field(..., max_length=150)
    from_education: Education
    target_education: Education
    enrolled_on: Day


class LeadershipUpgradeFinishIn(InputSchema):
    outcome: UpgradeOutcome
    on: Day


@router.get("/upgrades", response={200: list[LeadershipUpgradeOut], **error_responses()}, summary="学历能力“双提升”")
def upgrades(request):
    return list(EducationUpgrade.objects.accessible_to(request.user, purpose=VIEW)[:1000])


@router.post("/upgrades", response={200: LeadershipUpgradeOut, **error_responses(400, 403, 404)}, summary="学历提升入学")
def upgrade_create(request, payload: LeadershipUpgradeIn):
    u = request.user
    return services.upgrade_enrol(actor=u, cadre=_cadre(u, payload.cadre_id, "cadre_id"), programme=payload.programme,
                                  from_education=payload.from_education, target_education=payload.target_education,
                                  enrolled_on=payload.enrolled_on)


@router.post("/upgrades/{upgrade_id}/finish", response={200: LeadershipUpgradeOut, **error_responses(400, 403, 404)},
             summary="学历提升结束（毕业或退出）")
def upgrade_finish(request, upgrade_id: Id, payload: LeadershipUpgradeFinishIn):
    return services.upgrade_finish(actor=request.user, upgrade=_get(EducationUpgrade, request.user, upgrade_id),
                                   outcome=payload.outcome, on=payload.on)


# --------------------------------------------------------------------------- points rules

class LeadershipPointsRulesOut(Schema):
    site_id: int
    site_name: str
    review_excellent_points: int
    review_competent_points: int
    review_basic_points: int
    review_incompetent_points: int
    contact_visit_points: int
    pledge_kept_points: int
    pledge_broken_points: int
    shadowing_points: int


def _whole_number(value):
    """A JSON number (3, or 3.0): not true/false, not the text "3"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("应为整数")
    return value


# A whole number of points, -100 to 100.
Points = Annotated[int, Field(ge=-100, le=100), BeforeValidator(_whole_number)]


class LeadershipPointsRulesIn(InputSchema):
    review_excellent_points: Points
    review_competent_points: Points
    review_basic_points: Points
    review_incompetent_points: Points
    contact_visit_points: Points
    pledge_kept_points: Points
    pledge_broken_points: Points
    shadowing_points: Points


def _site(user):
    from jiceng.orgs.selectors import org_roots_for_user

    from .services.rules import site_of

    root = org_roots_for_user(user, purpose=VIEW).first()
    if root is None:
        raise NotFoundError()
    return site_of(root.path)


def _rules_out(site, rules) -> dict:
    from .services.rules import RULE_FIELDS

    return {"site_id": site.pk, "site_name": site.name, **{n: getattr(rules, n) for n in RULE_FIELDS}}


@router.get("/points-rules", response={200: LeadershipPointsRulesOut, **error_responses(404)},
            summary="干部队伍积分规则（驻村考核、联系点走访、换届承诺、跟岗学习；0 不记分）")
def points_rules(request):
    site = _site(request.user)
    return _rules_out(site, services.points_rules_for(site))


@router.put("/points-rules", response={200: LeadershipPointsRulesOut, **error_responses(400, 403, 404)},
            summary="修改干部队伍积分规则（只影响此后登记的记录）")
def points_rules_update(request, payload: LeadershipPointsRulesIn):
    site = _site(request.user)
    return _rules_out(site, services.points_rules_update(actor=request.user, site=site, **payload.model_dump()))
