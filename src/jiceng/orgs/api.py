from __future__ import annotations

from ninja import Field, Query, Router, Schema, Status

from jiceng.core.api import Id, InputSchema, Omittable, OptionalId, Text, error_responses
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
    lat: float | None = Field(description="中心点纬度")
    long: float | None = Field(description="中心点经度")


class OrgUnitIn(InputSchema):
    parent_id: Id
    kind: Text = Field(max_length=20)
    name: Text = Field(max_length=100)
    code: Text = Field(max_length=32)
    party_org_kind: Text = Field("", max_length=20)
    party_org_name: Text = Field("", max_length=100)
    lat: float | None = Field(None, ge=-90, le=90, description="中心点纬度（可不填，与经度同时填写）")
    long: float | None = Field(None, ge=-180, le=180, description="中心点经度")


class OrgUnitPatch(InputSchema):
    kind: Text = Omittable(max_length=20)
    name: Text = Omittable(max_length=100)
    code: Text = Omittable(max_length=32)
    party_org_kind: Text = Omittable(max_length=20)
    party_org_name: Text = Omittable(max_length=100)
    is_active: bool = Omittable()
    lat: float | None = Field(None, ge=-90, le=90, description="中心点纬度；null 清除中心点")
    long: float | None = Field(None, ge=-180, le=180, description="中心点经度；null 清除中心点")


class Page(Schema):
    count: int
    results: list[OrgUnitOut]


def paginate(qs, limit: int, offset: int):
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    count = qs.count()
    # Past the last row the page is empty; the database is not asked (the offset may not even fit its integers).
    return {"count": count, "results": list(qs[offset: offset + limit]) if offset < count else []}


@router.get("/", response={200: Page, **error_responses()}, summary="组织单元列表（限本人管辖范围）")
def org_unit_list(request, parent_id: OptionalId = Query(None), kind: Text = "", q: Text = "", limit: int = 50,
                  offset: int = 0):
    return paginate(selectors.org_unit_list(user=request.user, parent_id=parent_id, kind=kind, q=q), limit, offset)


@router.get("/{unit_id}", response={200: OrgUnitOut, **error_responses(404)})
def org_unit_detail(request, unit_id: Id):
    return selectors.org_unit_get_for_user(request.user, unit_id)


@router.post("/", response={201: OrgUnitOut, **error_responses(400, 403, 404, 413)})
def org_unit_create(request, payload: OrgUnitIn):
    try:
        parent = selectors.org_unit_get_for_user(request.user, payload.parent_id)
    except NotFoundError as exc:
        exc.field = "parent_id"
        raise
    data = payload.model_dump()
    data.pop("parent_id")
    return Status(201, services.org_unit_create(actor=request.user, parent=parent, **data))


@router.patch("/{unit_id}", response={200: OrgUnitOut, **error_responses(400, 404, 413)})
def org_unit_update(request, unit_id: Id, payload: OrgUnitPatch):
    unit = selectors.org_unit_get_for_user(request.user, unit_id)
    return services.org_unit_update(actor=request.user, unit=unit, **payload.model_dump(exclude_unset=True))
