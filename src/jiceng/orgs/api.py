from __future__ import annotations

from ninja import Router, Schema, Status

from jiceng.core.api import ErrorOut
from jiceng.core.errors import NotFoundError

from . import selectors, services

router = Router(tags=["orgs"])


class OrgUnitOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    name: str
    code: str
    depth: int
    path: str
    party_org_kind: str
    party_org_name: str
    is_active: bool


class OrgUnitIn(Schema):
    parent_id: int
    kind: str
    name: str
    code: str
    party_org_kind: str = ""
    party_org_name: str = ""


class OrgUnitPatch(Schema):
    kind: str | None = None
    name: str | None = None
    code: str | None = None
    party_org_kind: str | None = None
    party_org_name: str | None = None
    is_active: bool | None = None


class Page(Schema):
    count: int
    results: list[OrgUnitOut]


def paginate(qs, limit: int, offset: int):
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    return {"count": qs.count(), "results": list(qs[offset: offset + limit])}


@router.get("/", response={200: Page}, summary="组织单元列表（限本人管辖范围）")
def org_unit_list(request, parent_id: int | None = None, kind: str = "", q: str = "", limit: int = 50, offset: int = 0):
    return paginate(selectors.org_unit_list(user=request.user, parent_id=parent_id, kind=kind, q=q), limit, offset)


@router.get("/{unit_id}", response={200: OrgUnitOut, 404: ErrorOut})
def org_unit_detail(request, unit_id: int):
    return selectors.org_unit_get_for_user(request.user, unit_id)


@router.post("/", response={201: OrgUnitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def org_unit_create(request, payload: OrgUnitIn):
    try:
        parent = selectors.org_unit_get_for_user(request.user, payload.parent_id)
    except NotFoundError as exc:
        exc.field = "parent_id"
        raise
    data = payload.dict()
    data.pop("parent_id")
    return Status(201, services.org_unit_create(actor=request.user, parent=parent, **data))


@router.patch("/{unit_id}", response={200: OrgUnitOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def org_unit_update(request, unit_id: int, payload: OrgUnitPatch):
    unit = selectors.org_unit_get_for_user(request.user, unit_id)
    return services.org_unit_update(actor=request.user, unit=unit, **payload.dict(exclude_unset=True))
