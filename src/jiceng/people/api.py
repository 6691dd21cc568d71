"""People registry API: households, residents, party members. Scoped by the caller's roles."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from ninja import Router, Schema, Status

from jiceng.accounts import permissions
from jiceng.accounts.services import client_ip
from jiceng.audit.services import audit_log
from jiceng.core.api import ErrorOut
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.orgs.selectors import org_unit_get_for_user

from . import selectors, services
from .idnumber import mask_id_number, mask_phone
from .models import Household, PartyMember, Resident

router = Router()


def _paginate(qs, limit: int, offset: int):
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    return list(qs[offset: offset + limit]), limit, offset


def _unit(request, unit_id, field):
    try:
        return org_unit_get_for_user(request.user, unit_id)
    except NotFoundError:
        raise NotFoundError(field=field) from None


# ----------------------------------------------------------------------------- schemas

class HouseholdOut(Schema):
    id: int
    number: str
    org_unit_id: int
    org_unit_name: str
    address: str
    head_id: int | None
    head_name: str | None
    phone: str
    status: str
    member_count: int | None = None


class HouseholdIn(Schema):
    org_unit_id: int
    address: str
    number: str = ""
    phone: str = ""
    status: str = "active"
    note: str = ""


class HouseholdPatch(Schema):
    address: str | None = None
    phone: str | None = None
    status: str | None = None
    note: str | None = None
    head_id: int | None = None
    org_unit_id: int | None = None


class HouseholdPage(Schema):
    count: int | None
    limit: int
    offset: int
    results: list[HouseholdOut]


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    phone: str
    ethnicity: str
    household_id: int | None
    relationship: str
    org_unit_id: int
    registered_address: str
    actual_address: str
    status: str
    tags: list[str]
    masked: bool


class ResidentIn(Schema):
    name: str
    id_number: str
    gender: str | None = None
    birth_date: dt.date | None = None
    phone: str = ""
    ethnicity: str = "汉族"
    household_id: int | None = None
    org_unit_id: int | None = None
    relationship: str = ""
    registered_address: str = ""
    actual_address: str = ""
    status: str = "living"
    tags: list[str] = []
    note: str = ""


class ResidentPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    ethnicity: str | None = None
    relationship: str | None = None
    registered_address: str | None = None
    actual_address: str | None = None
    status: str | None = None
    tags: list[str] | None = None
    note: str | None = None


class ResidentPage(Schema):
    count: int | None
    limit: int
    offset: int
    results: list[ResidentOut]


class PartyMemberOut(Schema):
    id: int
    resident_id: int
    name: str
    branch_id: int
    branch_name: str
    status: str
    join_date: dt.date
    party_post: str
    linked_household_ids: list[int]


class PartyMemberIn(Schema):
    resident_id: int
    branch_id: int
    join_date: dt.date
    status: str = "formal"
    party_post: str = ""
    linked_household_ids: list[int] = []


class PartyMemberPatch(Schema):
    branch_id: int | None = None
    join_date: dt.date | None = None
    status: str | None = None
    party_post: str | None = None
    linked_household_ids: list[int] | None = None


class PartyMemberPage(Schema):
    count: int | None
    limit: int
    offset: int
    results: list[PartyMemberOut]


# ----------------------------------------------------------------------------- serialisers

def household_out(h: Household) -> dict:
    return {"id": h.pk, "number": h.number, "org_unit_id": h.org_unit_id, "org_unit_name": h.org_unit.name,
            "address": h.address, "head_id": h.head_id, "head_name": h.head.name if h.head_id else None,
            "phone": mask_phone(h.phone), "status": h.status, "member_count": getattr(h, "member_count", None)}


def resident_out(r: Resident, *, unmasked: bool = False) -> dict:
    return {"id": r.pk, "name": r.name, "gender": r.gender, "birth_date": r.birth_date,
            "id_number": r.id_number if unmasked else mask_id_number(r.id_number),
            "phone": r.phone if unmasked else mask_phone(r.phone), "ethnicity": r.ethnicity,
            "household_id": r.household_id, "relationship": r.relationship, "org_unit_id": r.org_unit_id,
            "registered_address": r.registered_address, "actual_address": r.actual_address, "status": r.status,
            "tags": sorted(t.tag for t in r.tags.all()), "masked": not unmasked}


def party_member_out(m: PartyMember) -> dict:
    return {"id": m.pk, "resident_id": m.resident_id, "name": m.resident.name, "branch_id": m.branch_id,
            "branch_name": m.branch.party_org_name or m.branch.name, "status": m.status, "join_date": m.join_date,
            "party_post": m.party_post, "linked_household_ids": sorted(h.pk for h in m.linked_households.all())}


# ----------------------------------------------------------------------------- households

@router.get("/households", response={200: HouseholdPage, 404: ErrorOut}, tags=["households"], summary="住户列表")
def household_list(request, q: str = "", org_unit_id: int | None = None, status: str = "", limit: int = 50,
                   offset: int = 0):
    path = _unit(request, org_unit_id, "org_unit_id").path if org_unit_id else ""
    qs = selectors.household_list(user=request.user, q=q, org_path=path, status=status)
    rows, limit, offset = _paginate(qs, limit, offset)
    return {"count": qs.count(), "limit": limit, "offset": offset, "results": [household_out(h) for h in rows]}


@router.get("/households/{household_id}", response={200: HouseholdOut, 404: ErrorOut}, tags=["households"])
def household_detail(request, household_id: int):
    return household_out(selectors.household_get_for_user(request.user, household_id))


@router.post("/households", response={201: HouseholdOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut,
                                      422: ErrorOut}, tags=["households"])
def household_create(request, payload: HouseholdIn):
    data = payload.dict()
    unit = _unit(request, data.pop("org_unit_id"), "org_unit_id")
    h = services.household_create(actor=request.user, org_unit=unit, **data)
    return Status(201, household_out(selectors.household_get_for_user(request.user, h.pk)))


@router.patch("/households/{household_id}", response={200: HouseholdOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                                       413: ErrorOut, 422: ErrorOut}, tags=["households"])
def household_update(request, household_id: int, payload: HouseholdPatch):
    h = selectors.household_get_for_user(request.user, household_id, purpose="change")
    data = payload.dict(exclude_unset=True)
    to_unit_id = data.pop("org_unit_id", None)
    if "head_id" in data:
        head_id = data.pop("head_id")
        data["head"] = None
        if head_id is not None:
            try:
                data["head"] = selectors.resident_get_for_user(request.user, head_id)
            except NotFoundError:
                raise NotFoundError(field="head_id") from None
    with transaction.atomic(durable=False):
        if data:
            h = services.household_update(actor=request.user, household=h, **data)
        if to_unit_id is not None:
            h = services.household_move(actor=request.user, household=h,
                                        to_unit=_unit(request, to_unit_id, "org_unit_id"))
    return household_out(selectors.household_get_for_user(request.user, h.pk))


# ----------------------------------------------------------------------------- residents

@router.get("/residents", response={200: ResidentPage, 404: ErrorOut}, tags=["residents"],
            summary="居民列表：q 可为姓名（简繁均可）、拼音或首字母、身份证号或电话后几位")
def resident_list(request, q: str = "", org_unit_id: int | None = None, tag: str = "", status: str = "",
                  household_id: int | None = None, address: str = "", limit: int = 50, offset: int = 0):
    path = _unit(request, org_unit_id, "org_unit_id").path if org_unit_id else ""
    qs = selectors.resident_list(user=request.user, q=q, org_path=path, tag=tag, status=status,
                                 household_id=household_id, address=address).prefetch_related("tags")
    rows, limit, offset = _paginate(qs, limit, offset)
    return {"count": qs.count(), "limit": limit, "offset": offset, "results": [resident_out(r) for r in rows]}


@router.get("/residents/{resident_id}", response={200: ResidentOut, 403: ErrorOut, 404: ErrorOut}, tags=["residents"],
            summary="居民详情；reveal=true 返回完整身份证号和电话（需有权限，且记入审计日志）")
def resident_detail(request, resident_id: int, reveal: bool = False):
    r = selectors.resident_get_for_user(request.user, resident_id)
    if reveal:
        services.resident_personal_data_view(actor=request.user, resident=r, ip_address=client_ip(request),
                                             channel="api")
    return resident_out(r, unmasked=reveal)


@router.post("/residents", response={201: ResidentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut,
                                     422: ErrorOut}, tags=["residents"])
def resident_create(request, payload: ResidentIn):
    data = payload.dict()
    household = unit = None
    household_id, unit_id = data.pop("household_id"), data.pop("org_unit_id")
    if household_id is not None:
        try:
            household = selectors.household_get_for_user(request.user, household_id, purpose="change")
        except NotFoundError:
            raise NotFoundError(field="household_id") from None
    elif unit_id is not None:
        unit = _unit(request, unit_id, "org_unit_id")
    else:
        raise JicengError("请提供 household_id 或 org_unit_id", field="household_id")
    r = services.resident_create(actor=request.user, household=household, org_unit=unit, **data)
    return Status(201, resident_out(selectors.resident_get_for_user(request.user, r.pk)))


@router.patch("/residents/{resident_id}", response={200: ResidentOut, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut,
                                                     422: ErrorOut}, tags=["residents"])
def resident_update(request, resident_id: int, payload: ResidentPatch):
    r = selectors.resident_get_for_user(request.user, resident_id, purpose="change")
    r = services.resident_update(actor=request.user, resident=r, **payload.dict(exclude_unset=True))
    return resident_out(selectors.resident_get_for_user(request.user, r.pk))


# ----------------------------------------------------------------------------- party members

def _households(request, ids):
    found = list(selectors.household_list(user=request.user, purpose="change").filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise NotFoundError(field="linked_household_ids")
    return found


@router.get("/party-members", response={200: PartyMemberPage, 404: ErrorOut}, tags=["party-members"])
def party_member_list(request, q: str = "", org_unit_id: int | None = None, status: str = "", limit: int = 50,
                      offset: int = 0):
    path = _unit(request, org_unit_id, "org_unit_id").path if org_unit_id else ""
    qs = selectors.party_member_list(user=request.user, q=q, org_path=path, status=status).prefetch_related(
        "linked_households")
    rows, limit, offset = _paginate(qs, limit, offset)
    return {"count": qs.count(), "limit": limit, "offset": offset, "results": [party_member_out(m) for m in rows]}


@router.get("/party-members/{member_id}", response={200: PartyMemberOut, 404: ErrorOut}, tags=["party-members"])
def party_member_detail(request, member_id: int):
    return party_member_out(selectors.party_member_get_for_user(request.user, member_id))


@router.post("/party-members", response={201: PartyMemberOut, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut,
                                         422: ErrorOut}, tags=["party-members"])
def party_member_create(request, payload: PartyMemberIn):
    try:
        resident = selectors.resident_get_for_user(request.user, payload.resident_id, purpose="change")
    except NotFoundError:
        raise NotFoundError(field="resident_id") from None
    m = services.party_member_create(actor=request.user, resident=resident,
                                     branch=_unit(request, payload.branch_id, "branch_id"),
                                     join_date=payload.join_date, status=payload.status, party_post=payload.party_post,
                                     linked_households=_households(request, payload.linked_household_ids))
    return Status(201, party_member_out(selectors.party_member_get_for_user(request.user, m.pk)))


@router.patch("/party-members/{member_id}", response={200: PartyMemberOut, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut,
                                                       422: ErrorOut}, tags=["party-members"])
def party_member_update(request, member_id: int, payload: PartyMemberPatch):
    m = selectors.party_member_get_for_user(request.user, member_id)
    data = payload.dict(exclude_unset=True)
    if "branch_id" in data:
        data["branch"] = _unit(request, data.pop("branch_id"), "branch_id")
    if "linked_household_ids" in data:
        data["linked_households"] = _households(request, data.pop("linked_household_ids") or [])
    services.party_member_update(actor=request.user, member=m, **data)
    return party_member_out(selectors.party_member_get_for_user(request.user, m.pk))
