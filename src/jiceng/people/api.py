"""People registry API: households, residents, party members. Scoped by the caller's roles."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import prefetch_related_objects
from ninja import Field, Query, Router, Schema, Status

from jiceng.accounts.services import client_ip
from jiceng.core.api import Id, InputSchema, Omittable, OptionalId, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.orgs.selectors import org_unit_get_for_user

from . import selectors, services
from .idnumber import mask_id_number, mask_phone
from .models import Household, PartyMember, Resident

router = Router()


def _paginate(qs, limit: int, offset: int, *, fetch: bool = True):
    """The page, the total, and the limit and offset actually used (the page is left empty when
    ``fetch`` is false: the caller reads it another way)."""
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    count = qs.count()
    # Past the last row the page is empty; the database is not asked (the offset may not even fit its integers).
    return (list(qs[offset: offset + limit]) if fetch and offset < count else []), count, limit, offset


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


class HouseholdIn(InputSchema):
    org_unit_id: Id
    address: Text = Field(max_length=255)
    number: Text = Field("", max_length=32)
    phone: Text = ""
    status: Text = "active"
    note: Text = ""


class HouseholdPatch(InputSchema):
    address: Text = Omittable(max_length=255)
    phone: Text = Omittable()
    status: Text = Omittable()
    note: Text = Omittable()
    head_id: Id | None = Field(None, description="户主（本户成员）的居民 ID；null 表示不设户主")
    org_unit_id: Id = Omittable(description="迁往的网格/楼栋")


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


class ResidentIn(InputSchema):
    name: Text
    id_number: Text
    gender: Text | None = None
    birth_date: dt.date | None = None
    phone: Text = ""
    ethnicity: Text = Field("汉族", max_length=20)
    household_id: Id | None = None
    org_unit_id: Id | None = None
    relationship: Text = ""
    registered_address: Text = Field("", max_length=255)
    actual_address: Text = Field("", max_length=255)
    status: Text = "living"
    tags: list[Text] = []
    note: Text = ""


class ResidentPatch(InputSchema):
    name: Text = Omittable()
    id_number: Text = Omittable()
    gender: Text | None = Field(None, description="null：按身份证号推算")
    birth_date: dt.date | None = Field(None, description="null：按身份证号推算")
    phone: Text = Omittable()
    ethnicity: Text = Omittable(max_length=20)
    relationship: Text = Omittable()
    registered_address: Text = Omittable(max_length=255)
    actual_address: Text = Omittable(max_length=255)
    status: Text = Omittable()
    tags: list[Text] = Omittable()
    note: Text = Omittable()


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


class PartyMemberIn(InputSchema):
    resident_id: Id
    branch_id: Id
    join_date: dt.date
    status: Text = "formal"
    party_post: Text = Field("", max_length=50)
    linked_household_ids: list[Id] = []


class PartyMemberPatch(InputSchema):
    branch_id: Id = Omittable()
    join_date: dt.date = Omittable()
    status: Text = Omittable()
    party_post: Text = Omittable(max_length=50)
    linked_household_ids: list[Id] = Omittable()


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

@router.get("/households", response={200: HouseholdPage, **error_responses(404)}, tags=["households"],
            summary="住户列表")
def household_list(request, q: Text = "", org_unit_id: OptionalId = Query(None), status: Text = "", limit: int = 50,
                   offset: int = 0):
    path = _unit(request, org_unit_id, "org_unit_id").path if org_unit_id else ""
    qs = selectors.household_list(user=request.user, q=q, org_path=path, status=status)
    rows, count, limit, offset = _paginate(qs, limit, offset)
    return {"count": count, "limit": limit, "offset": offset, "results": [household_out(h) for h in rows]}


@router.get("/households/{household_id}", response={200: HouseholdOut, **error_responses(404)}, tags=["households"])
def household_detail(request, household_id: Id):
    return household_out(selectors.household_get_for_user(request.user, household_id))


@router.post("/households", response={201: HouseholdOut, **error_responses(400, 403, 404, 413)}, tags=["households"])
def household_create(request, payload: HouseholdIn):
    data = payload.model_dump()
    unit = _unit(request, data.pop("org_unit_id"), "org_unit_id")
    h = services.household_create(actor=request.user, org_unit=unit, **data)
    return Status(201, household_out(selectors.household_get_for_user(request.user, h.pk)))


@router.patch("/households/{household_id}", response={200: HouseholdOut, **error_responses(400, 403, 404, 413)},
              tags=["households"])
def household_update(request, household_id: Id, payload: HouseholdPatch):
    h = selectors.household_get_for_user(request.user, household_id, purpose="change")
    data = payload.model_dump(exclude_unset=True)
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

@router.get("/residents", response={200: ResidentPage, **error_responses(404)}, tags=["residents"],
            summary="居民列表：q 可为姓名（简繁均可）、拼音或首字母、身份证号或电话后几位")
def resident_list(request, q: Text = "", org_unit_id: OptionalId = Query(None), tag: Text = "", status: Text = "",
                  household_id: OptionalId = Query(None), address: Text = "", limit: int = 50, offset: int = 0):
    path = _unit(request, org_unit_id, "org_unit_id").path if org_unit_id else ""
    filters = dict(user=request.user, q=q, org_path=path, tag=tag, status=status, household_id=household_id,
                   address=address)
    # Counted through the queryset; the page's rows come from the selector's one-statement read.
    _rows, count, limit, offset = _paginate(selectors.resident_list(**filters), limit, offset, fetch=False)
    rows = selectors.resident_page(**filters, limit=limit, offset=offset) if offset < count else []
    prefetch_related_objects(rows, "tags")
    return {"count": count, "limit": limit, "offset": offset, "results": [resident_out(r) for r in rows]}


@router.get("/residents/{resident_id}", response={200: ResidentOut, **error_responses(403, 404)}, tags=["residents"],
            summary="居民详情；reveal=true 返回完整身份证号和电话（需有权限，且记入审计日志）")
def resident_detail(request, resident_id: Id, reveal: bool = False):
    r = selectors.resident_get_for_user(request.user, resident_id)
    if reveal:
        services.resident_personal_data_view(actor=request.user, resident=r, ip_address=client_ip(request),
                                             channel="api")
    return resident_out(r, unmasked=reveal)


@router.post("/residents", response={201: ResidentOut, **error_responses(400, 403, 404, 413)}, tags=["residents"])
def resident_create(request, payload: ResidentIn):
    data = payload.model_dump()
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


@router.patch("/residents/{resident_id}", response={200: ResidentOut, **error_responses(400, 404, 413)},
              tags=["residents"])
def resident_update(request, resident_id: Id, payload: ResidentPatch):
    r = selectors.resident_get_for_user(request.user, resident_id, purpose="change")
    r = services.resident_update(actor=request.user, resident=r, **payload.model_dump(exclude_unset=True))
    return resident_out(selectors.resident_get_for_user(request.user, r.pk))


# ----------------------------------------------------------------------------- party members

def _households(request, ids):
    found = list(selectors.household_list(user=request.user, purpose="change").filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise NotFoundError(field="linked_household_ids")
    return found


@router.get("/party-members", response={200: PartyMemberPage, **error_responses(404)}, tags=["party-members"])
def party_member_list(request, q: Text = "", org_unit_id: OptionalId = Query(None), status: Text = "",
                      limit: int = 50, offset: int = 0):
    path = _unit(request, org_unit_id, "org_unit_id").path if org_unit_id else ""
    qs = selectors.party_member_list(user=request.user, q=q, org_path=path, status=status).prefetch_related(
        "linked_households")
    rows, count, limit, offset = _paginate(qs, limit, offset)
    return {"count": count, "limit": limit, "offset": offset, "results": [party_member_out(m) for m in rows]}


@router.get("/party-members/{member_id}", response={200: PartyMemberOut, **error_responses(404)},
            tags=["party-members"])
def party_member_detail(request, member_id: Id):
    return party_member_out(selectors.party_member_get_for_user(request.user, member_id))


@router.post("/party-members", response={201: PartyMemberOut, **error_responses(400, 404, 413)},
             tags=["party-members"])
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


@router.patch("/party-members/{member_id}", response={200: PartyMemberOut, **error_responses(400, 404, 413)},
              tags=["party-members"])
def party_member_update(request, member_id: Id, payload: PartyMemberPatch):
    m = selectors.party_member_get_for_user(request.user, member_id)
    data = payload.model_dump(exclude_unset=True)
    if "branch_id" in data:
        data["branch"] = _unit(request, data.pop("branch_id"), "branch_id")
    if "linked_household_ids" in data:
        data["linked_households"] = _households(request, data.pop("linked_household_ids"))
    services.party_member_update(actor=request.user, member=m, **data)
    return party_member_out(selectors.party_member_get_for_user(request.user, m.pk))
