"""Leadership and burden-cutting API (班子队伍与基层减负): teams by term with their comparison, selections from
nomination to award, commendations, the duty lists, push-down approvals and refusals — scoped like the pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from jiceng.core.api import Day, Id, InputSchema, OptionalId, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError

from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Resident

from . import selectors, services
from .models import (
    CommendationKind, CommitteePost, DutyItem, DutyListKind, Education, Nomination, PartyPost, SelectionKind,
    SelectionObjection, TeamMember, Term,
)

router = Router(tags=["leadership"])


class LeadershipTermOut(Schema):
    id: int
    org_unit_id: int
    number: int
    elected_on: dt.date
    ends_on: dt.date | None


class LeadershipMemberOut(Schema):
    id: int
    term_id: int
    name: str
    party_post: str
    committee_post: str
    age_at_election: int
    education: str
    is_party_member: bool
    joined_on: dt.date | None
    left_on: dt.date | None
    left_reason: str


class LeadershipProfileOut(Schema):
    members: int
    average_age: Decimal | None
    under_35: int
    college: int
    women: int
    party_members: int
    cross_held: int


class LeadershipComparisonOut(Schema):
    term_id: int
    previous_term_id: int | None
    now: LeadershipProfileOut
    previous: LeadershipProfileOut | None
    change: dict | None


class LeadershipTermIn(InputSchema):
    org_unit_id: Id
    number: int = Field(..., ge=1, le=1000)
    elected_on: Day
    ends_on: Day | None = None
    note: Text = Field("", max_length=2000)


class LeadershipMemberIn(InputSchema):
    resident_id: Id
    party_post: PartyPost = PartyPost.NONE
    committee_post: CommitteePost = CommitteePost.NONE
    education: Education
    joined_on: Day | None = None
    reason: Text = Field("", max_length=300)


class LeadershipSelectionOut(Schema):
    id: int
    org_unit_id: int
    title: str
    kind: str
    year: int
    quota: int | None
    publicity_days: int
    status: str
    publicity_starts_at: dt.datetime | None
    publicity_ends_at: dt.datetime | None
    awarded_at: dt.datetime | None


class LeadershipSelectionIn(InputSchema):
    org_unit_id: Id
    title: Text = Field(..., max_length=100)
    kind: SelectionKind
    year: int = Field(..., ge=2000, le=2100)
    quota: int | None = Field(None, ge=1, le=100000)
    publicity_days: int = Field(5, ge=1, le=30)


class LeadershipNominationOut(Schema):
    id: int
    selection_id: int
    nominee_unit_id: int | None
    nominee_resident_id: int | None
    nominee_name: str
    deeds: str
    status: str
    review_note: str
    open_objections: int


class LeadershipNominationIn(InputSchema):
    nominee_unit_id: Id | None = None
    nominee_resident_id: Id | None = None
    deeds: Text = Field(..., max_length=4000)


class LeadershipReviewIn(InputSchema):
    approve: bool
    note: Text = Field("", max_length=300)


class LeadershipObjectionOut(Schema):
    id: int
    nomination_id: int
    text: str
    status: str
    resolution: str
    filed_at: dt.datetime


class LeadershipObjectionDecisionIn(InputSchema):
    upheld: bool
    resolution: Text = Field(..., max_length=300)


class LeadershipCommendationOut(Schema):
    id: int
    org_unit_id: int
    cadre_id: int | None
    report_id: int | None
    kind: str
    giver: str
    text: str
    errand: str
    received_on: dt.date


class LeadershipCommendationIn(InputSchema):
    org_unit_id: Id
    kind: CommendationKind
    giver: Text = Field(..., max_length=100)
    text: Text = Field(..., max_length=300)
    errand: Text = Field("", max_length=200)
    received_on: Day
    cadre_id: Id | None = None
    report_id: Id | None = None


class LeadershipItemOut(Schema):
    id: int
    code: str
    name: str
    basis: str
    keywords: str


class LeadershipDutyListOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    version: int
    status: str
    change_note: str
    approved_at: dt.datetime | None
    items: list[LeadershipItemOut]


class LeadershipApprovalIn(InputSchema):
    item_id: Id
    org_unit_id: Id
    subject: Text = Field(..., max_length=200)
    reason: Text = Field(..., max_length=300)
    valid_until: Day


class LeadershipApprovalOut(Schema):
    id: int
    item_id: int
    org_unit_id: int
    subject: str
    reason: str
    valid_until: dt.date


class LeadershipRefusalOut(Schema):
    id: int
    item_id: int
    item_code: str
    org_unit_id: int
    subject: str
    source_type: str
    at: dt.datetime


class LeadershipRosterImportIn(InputSchema):
    org_unit_id: Id
    filename: Text = Field(..., max_length=255, description="原文件名（.xlsx、.xls、.ods 或 .csv）")
    file_base64: str = Field(..., max_length=20_000_000, description="文件内容（Base64）")
    dry_run: bool = Field(True, description="只检查不写入")


class LeadershipRowErrorOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class LeadershipRosterImportOut(Schema):
    dry_run: bool
    ok: bool
    total: int
    created: int
    updated: int
    unchanged: int
    errors: list[LeadershipRowErrorOut]


def _term(user, term_id) -> Term:
    t = Term.objects.accessible_to(user, purpose="leadership_view").filter(pk=term_id).select_related("org_unit").first()
    if t is None:
        raise NotFoundError()
    return t


def _selection(user, selection_id):
    s = selectors.selection_get(user, selection_id)
    if s is None:
        raise NotFoundError()
    return s


def _nomination_out(n: Nomination) -> dict:
    return {"id": n.pk, "selection_id": n.selection_id, "nominee_unit_id": n.nominee_unit_id,
            "nominee_resident_id": n.nominee_resident_id, "nominee_name": n.nominee_name, "deeds": n.deeds,
            "status": n.status, "review_note": n.review_note,
            "open_objections": sum(1 for o in n.objections.all() if o.status == "open")}


def _list_out(dl) -> dict:
    return {"id": dl.pk, "org_unit_id": dl.org_unit_id, "kind": dl.kind, "version": dl.version, "status": dl.status,
            "change_note": dl.change_note, "approved_at": dl.approved_at, "items": list(dl.items.all())}


# --------------------------------------------------------------------------- teams

@router.get("/terms", response={200: list[LeadershipTermOut], **error_responses()}, summary="换届届次（范围内）")
def terms(request, org_unit_id: OptionalId = Query(None), limit: int = Query(200, ge=1, le=1000)):
    qs = Term.objects.accessible_to(request.user, purpose="leadership_view").order_by("org_path", "-elected_on")
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    return list(qs[:limit])


@router.post("/terms", response={200: LeadershipTermOut, **error_responses(400, 403, 404)}, summary="登记换届届次")
def term_create(request, payload: LeadershipTermIn):
    unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="leadership_manage")
    return services.term_create(actor=request.user, org_unit=unit, number=payload.number,
                                elected_on=payload.elected_on, ends_on=payload.ends_on, note=payload.note)


@router.post("/rosters/import", response={200: LeadershipRosterImportOut, **error_responses(400, 403, 404)},
             summary="导入两委班子花名册（先检查、后导入；一行有错整个文件不导入）")
def roster_import(request, payload: LeadershipRosterImportIn):
    import base64
    import binascii

    unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="leadership_manage")
    try:
        data = base64.b64decode(payload.file_base64, validate=True)
    except (binascii.Error, ValueError):
        raise JicengError("file_base64 不是有效的 Base64", field="file_base64") from None
    result = services.roster_import(actor=request.user, org_unit=unit, filename=payload.filename, data=data,
                                    dry_run=payload.dry_run)
    return {**result.as_dict(), "errors": [e.as_dict() for e in result.errors]}


@router.get("/terms/{term_id}/members", response={200: list[LeadershipMemberOut], **error_responses(404)},
            summary="一届的班子成员")
def term_members(request, term_id: Id):
    return list(selectors.members_of(_term(request.user, term_id)))


@router.post("/terms/{term_id}/members", response={200: LeadershipMemberOut, **error_responses(400, 403, 404)},
             summary="登记班子成员")
def member_create(request, term_id: Id, payload: LeadershipMemberIn):
    term = _term(request.user, term_id)
    resident = Resident.objects.accessible_to(request.user, purpose="leadership_view").filter(
        pk=payload.resident_id).first()
    if resident is None:
        raise JicengError("找不到该居民，或不在您的范围内", field="resident_id")
    return services.member_add(actor=request.user, term=term, resident=resident, party_post=payload.party_post,
                               committee_post=payload.committee_post, education=payload.education,
                               joined_on=payload.joined_on, reason=payload.reason)


@router.get("/terms/{term_id}/comparison", response={200: LeadershipComparisonOut, **error_responses(404)},
            summary="与上一届比较（年龄、35 岁以下、学历……）")
def term_comparison(request, term_id: Id):
    c = services.term_comparison(_term(request.user, term_id))
    return {"term_id": c["term"].pk, "previous_term_id": c["previous_term"].pk if c["previous_term"] else None,
            "now": c["now"], "previous": c["previous"], "change": c["change"]}


class LeadershipLeaveIn(InputSchema):
    on: Day
    reason: Text = Field(..., max_length=300)


@router.post("/members/{member_id}/leave", response={200: LeadershipMemberOut, **error_responses(400, 403, 404)},
             summary="班子成员离任（调整）")
def member_leave(request, member_id: Id, payload: LeadershipLeaveIn):
    m = TeamMember.objects.accessible_to(request.user, purpose="leadership_view").filter(pk=member_id).first()
    if m is None:
        raise NotFoundError()
    services.member_leave(actor=request.user, member=m, on=payload.on, reason=payload.reason)
    m.refresh_from_db()
    return m


# --------------------------------------------------------------------------- selections

@router.get("/selections", response={200: list[LeadershipSelectionOut], **error_responses()}, summary="评选")
def selections(request, year: int | None = Query(None, ge=2000, le=2100)):
    return list(selectors.selection_list(request.user, year=year)[:500])


@router.post("/selections", response={200: LeadershipSelectionOut, **error_responses(400, 403, 404)}, summary="发起评选")
def selection_create(request, payload: LeadershipSelectionIn):
    unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="leadership_manage")
    return services.selection_create(actor=request.user, org_unit=unit, title=payload.title, kind=payload.kind,
                                     year=payload.year, quota=payload.quota, publicity_days=payload.publicity_days)


@router.get("/selections/{selection_id}", response={200: LeadershipSelectionOut, **error_responses(404)}, summary="一项评选")
def selection_get(request, selection_id: Id):
    return _selection(request.user, selection_id)


@router.get("/selections/{selection_id}/nominations", response={200: list[LeadershipNominationOut], **error_responses(404)},
            summary="推荐对象")
def nominations(request, selection_id: Id):
    return [_nomination_out(n) for n in selectors.nominations_of(_selection(request.user, selection_id))]


@router.post("/selections/{selection_id}/nominations",
             response={200: LeadershipNominationOut, **error_responses(400, 403, 404)}, summary="推荐")
def nomination_create(request, selection_id: Id, payload: LeadershipNominationIn):
    sel = _selection(request.user, selection_id)
    unit = resident = None
    if payload.nominee_unit_id:
        try:
            unit = org_unit_get_for_user(request.user, payload.nominee_unit_id, purpose="leadership_nominate")
        except NotFoundError:
            raise JicengError("找不到该单位，或不在您的推荐范围内", field="nominee_unit_id") from None
    if payload.nominee_resident_id:
        resident = Resident.objects.accessible_to(request.user, purpose="leadership_nominate").filter(
            pk=payload.nominee_resident_id).first()
        if resident is None:
            raise JicengError("找不到该居民，或不在您的推荐范围内", field="nominee_resident_id")
    return _nomination_out(services.nominate(actor=request.user, selection=sel, deeds=payload.deeds, unit=unit,
                                             resident=resident))


def _nomination(user, sel, nomination_id) -> Nomination:
    n = Nomination.objects.within(sel.org_path).filter(selection=sel, pk=nomination_id).first()
    if n is None:
        raise NotFoundError()
    return n


@router.post("/selections/{selection_id}/nominations/{nomination_id}/review",
             response={200: LeadershipNominationOut, **error_responses(400, 403, 404, 409)}, summary="审核推荐对象")
def nomination_review(request, selection_id: Id, nomination_id: Id, payload: LeadershipReviewIn):
    sel = _selection(request.user, selection_id)
    n = services.nomination_review(actor=request.user, nomination=_nomination(request.user, sel, nomination_id),
                                   approve=payload.approve, note=payload.note)
    return _nomination_out(n)


@router.post("/selections/{selection_id}/publicity", response={200: LeadershipSelectionOut, **error_responses(400, 403, 404)},
             summary="审核完毕，在公开栏公示")
def selection_publicise(request, selection_id: Id):
    return services.publicity_start(actor=request.user, selection=_selection(request.user, selection_id))


@router.get("/selections/{selection_id}/objections", response={200: list[LeadershipObjectionOut], **error_responses(404)},
            summary="公示异议")
def objections(request, selection_id: Id):
    sel = _selection(request.user, selection_id)
    return list(SelectionObjection.objects.within(sel.org_path).filter(nomination__selection=sel))


@router.post("/objections/{objection_id}/decision", response={200: LeadershipObjectionOut, **error_responses(400, 403, 404)},
             summary="核实公示异议（成立则撤销该推荐对象）")
def objection_decide(request, objection_id: Id, payload: LeadershipObjectionDecisionIn):
    o = SelectionObjection.objects.accessible_to(request.user, purpose="leadership_view").filter(
        pk=objection_id).select_related("nomination__selection").first()
    if o is None:
        raise NotFoundError()
    return services.objection_resolve(actor=request.user, objection=o, upheld=payload.upheld,
                                      resolution=payload.resolution)


@router.post("/selections/{selection_id}/award", response={200: LeadershipSelectionOut, **error_responses(400, 403, 404)},
             summary="公示期满，表彰")
def selection_award(request, selection_id: Id):
    return services.selection_award(actor=request.user, selection=_selection(request.user, selection_id))


# --------------------------------------------------------------------------- commendations

@router.get("/commendations", response={200: list[LeadershipCommendationOut], **error_responses()}, summary="锦旗、感谢信")
def commendations(request, limit: int = Query(200, ge=1, le=1000)):
    return list(selectors.commendation_list(request.user)[:limit])


@router.post("/commendations", response={200: LeadershipCommendationOut, **error_responses(400, 403, 404)},
             summary="登记锦旗或感谢信")
def commendation_create(request, payload: LeadershipCommendationIn):
    from jiceng.people.models import Cadre

    unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="leadership_nominate")
    cadre = None
    if payload.cadre_id:
        cadre = Cadre.objects.accessible_to(request.user, purpose="leadership_nominate").filter(
            pk=payload.cadre_id).first()
        if cadre is None:
            raise JicengError("找不到该干部，或不在您的范围内", field="cadre_id")
    return services.commendation_record(actor=request.user, org_unit=unit, kind=payload.kind, giver=payload.giver,
                                        text=payload.text, errand=payload.errand, received_on=payload.received_on,
                                        cadre=cadre, report_id=payload.report_id)


# --------------------------------------------------------------------------- duty lists

@router.get("/duty-lists", response={200: list[LeadershipDutyListOut], **error_responses()}, summary="四张清单（各版本）")
def duty_lists(request, kind: DutyListKind | None = Query(None), status: Text = Query("", max_length=20)):
    qs = selectors.duty_lists(request.user, status=status or None).prefetch_related("items")
    if kind:
        qs = qs.filter(kind=kind)
    return [_list_out(d) for d in qs[:200]]


@router.get("/push-down-approvals", response={200: list[LeadershipApprovalOut], **error_responses()},
            summary="负面清单事项下派准入审批")
def approvals(request):
    return list(selectors.approvals(request.user)[:500])


@router.post("/push-down-approvals", response={200: LeadershipApprovalOut, **error_responses(400, 403, 404)},
             summary="登记准入审批")
def approval_create(request, payload: LeadershipApprovalIn):
    item = DutyItem.objects.accessible_to(request.user, purpose="leadership_manage").filter(
        pk=payload.item_id).select_related("duty_list").first()
    if item is None:
        raise JicengError("找不到该清单事项，或不在您的管理范围内", field="item_id")
    unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="leadership_manage")
    return services.push_down_approve(actor=request.user, item=item, org_unit=unit, subject=payload.subject,
                                      reason=payload.reason, valid_until=payload.valid_until)


@router.get("/push-down-refusals", response={200: list[LeadershipRefusalOut], **error_responses()},
            summary="负面清单拦截记录")
def refusals(request, limit: int = Query(200, ge=1, le=1000)):
    return [{"id": r.pk, "item_id": r.item_id, "item_code": r.item.code, "org_unit_id": r.org_unit_id,
             "subject": r.subject, "source_type": r.source_type, "at": r.at} for r in selectors.refusals(request.user)[:limit]]





# --------------------------------------------------------------------------- certificate requests

class LeadershipCertificateRequestIn(InputSchema):
    org_unit_id: Id
    requester: Text = Field(..., max_length=100, description="索要单位（部门）")
    title: Text = Field(..., max_length=100, description="证明事项")
    reason: Text = Field(..., max_length=300, description="索要事由")
    requested_on: Day
    resident_id: Id | None = Field(None, description="涉及居民（可选）")


class LeadershipCertificateRequestAnswerIn(InputSchema):
    issued: bool = Field(..., description="true 已出具；false 不予出具（须写明理由）")
    note: Text = Field("", max_length=300)
    on: Day | None = None


class LeadershipCertificateRequestOut(Schema):
    id: int
    org_unit_id: int
    requester: str
    title: str
    resident_id: int | None
    resident_name: str = Field(..., description="无权查看个人信息时为脱敏姓名")
    reason: str
    requested_on: dt.date
    answer: str
    answer_note: str
    answered_on: dt.date | None
    approval_id: int | None


def _certificate_out(user, r) -> dict:
    return {"id": r.pk, "org_unit_id": r.org_unit_id, "requester": r.requester, "title": r.title,
            "resident_id": r.resident_id, "resident_name": selectors.resident_shown(user, r.resident),
            "reason": r.reason, "requested_on": r.requested_on, "answer": r.answer, "answer_note": r.answer_note,
            "answered_on": r.answered_on, "approval_id": r.approval_id}


@router.get("/certificate-requests", response={200: list[LeadershipCertificateRequestOut], **error_responses(404)},
            summary="证明事项索要登记（按村、社区）")
def certificate_requests(request, org_unit_id: OptionalId = Query(None), answer: Text = Query("", max_length=10),
                         limit: int = Query(200, ge=1, le=1000)):
    unit = org_unit_get_for_user(request.user, org_unit_id, purpose="leadership_view") if org_unit_id else None
    return [_certificate_out(request.user, r)
            for r in selectors.certificate_requests(request.user, unit=unit, answer=answer)[:limit]]


@router.post("/certificate-requests",
             response={200: LeadershipCertificateRequestOut, **error_responses(400, 403, 404)},
             summary="登记证明事项索要（负面清单事项被拦截并点明清单事项，除非已准入审批）")
def certificate_request_create(request, payload: LeadershipCertificateRequestIn):
    unit = org_unit_get_for_user(request.user, payload.org_unit_id, purpose="leadership_nominate")
    resident = None
    if payload.resident_id:
        resident = Resident.objects.accessible_to(request.user, purpose="leadership_nominate").filter(
            pk=payload.resident_id).first()
        if resident is None:
            raise JicengError("找不到该居民，或不在您的范围内", field="resident_id")
    r = services.certificate_request_record(actor=request.user, org_unit=unit, requester=payload.requester,
                                            title=payload.title, reason=payload.reason,
                                            requested_on=payload.requested_on, resident=resident)
    return _certificate_out(request.user, r)


@router.post("/certificate-requests/{request_id}/answer",
             response={200: LeadershipCertificateRequestOut, **error_responses(400, 403, 404)},
             summary="答复证明事项（已出具，或不予出具并写明理由）")
def certificate_request_answer(request, request_id: Id, payload: LeadershipCertificateRequestAnswerIn):
    r = selectors.certificate_request_get(request.user, request_id)
    if r is None:
        raise NotFoundError()
    r = services.certificate_request_answer(actor=request.user, request=r, issued=payload.issued, note=payload.note,
                                            on=payload.on)
    return _certificate_out(request.user, r)


def _mount_records() -> None:
    from .api_records import router as records_router

    router.add_router("", records_router)


_mount_records()
