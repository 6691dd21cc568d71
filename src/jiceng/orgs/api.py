from __future__ import annotations

from ninja import Field, Query, Router, Schema, Status

from jiceng.core.api import Day, Id, InputSchema, Omittable, OptionalId, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError

from . import restructure, selectors, services

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


# --------------------------------------------------------------------------- changes of the tree's shape

class PathChangeOut(Schema):
    unit_id: int
    old_path: str
    new_path: str
    part: bool


class UnitChangeOut(Schema):
    id: int
    kind: str
    unit_id: int
    effective_on: str
    actor_name: str
    note: str
    rows: int
    paths: list[PathChangeOut]

    @staticmethod
    def resolve_effective_on(obj):
        return obj.effective_on.isoformat()

    @staticmethod
    def resolve_paths(obj):
        return list(obj.paths.all())


class MoveIn(InputSchema):
    parent_id: Id
    effective_on: Day | None = Field(None, description="生效日期（YYYY-MM-DD，不填为今天）")
    note: Text = Field("", max_length=300)


class SplitPartIn(InputSchema):
    name: Text = Field(max_length=100)
    code: Text = Field(max_length=32)
    children: list[Id] = Field(default_factory=list, max_length=10000, description="分到本新单元的下级单元编号")


class SplitIn(InputSchema):
    parts: list[SplitPartIn] = Field(min_length=1, max_length=20)
    effective_on: Day | None = None
    note: Text = Field("", max_length=300)


class MergeIn(InputSchema):
    source_ids: list[Id] = Field(min_length=1, max_length=50, description="并入目标单元的同类单元")
    effective_on: Day | None = None
    note: Text = Field("", max_length=300)


def _source(request, unit_id):
    unit = selectors.org_unit_get_for_user(request.user, unit_id)
    if not restructure.may_restructure(request.user, unit):
        raise NotFoundError()
    return unit


@router.post("/{unit_id}/move", response={201: UnitChangeOut, **error_responses(400, 404)},
             summary="迁移单元（连同下级单元、住户、记录和角色）")
def org_unit_move(request, unit_id: Id, payload: MoveIn):
    unit = _source(request, unit_id)
    try:
        parent = selectors.org_unit_get_for_user(request.user, payload.parent_id)
    except NotFoundError as exc:
        exc.field = "parent_id"
        raise
    try:
        change = restructure.org_unit_move(actor=request.user, unit=unit, parent=parent,
                                           effective_on=payload.effective_on, note=payload.note)
    except JicengError as exc:
        if exc.field == "parent":
            exc.field = "parent_id"
        raise
    return Status(201, change)


@router.post("/{unit_id}/split", response={201: UnitChangeOut, **error_responses(400, 404)},
             summary="拆分单元：每个下级单元分到一个新单元")
def org_unit_split(request, unit_id: Id, payload: SplitIn):
    unit = _source(request, unit_id)
    parts = [restructure.SplitPart(p.name, p.code, list(p.children)) for p in payload.parts]
    return Status(201, restructure.org_unit_split(actor=request.user, unit=unit, parts=parts,
                                                  effective_on=payload.effective_on, note=payload.note))


@router.post("/{unit_id}/merge", response={201: UnitChangeOut, **error_responses(400, 404)},
             summary="把同类单元并入本单元")
def org_unit_merge(request, unit_id: Id, payload: MergeIn):
    target = selectors.org_unit_get_for_user(request.user, unit_id)
    sources = []
    for sid in payload.source_ids:
        try:
            sources.append(_source(request, sid))
        except NotFoundError as exc:
            exc.field = "source_ids"
            raise
    try:
        change = restructure.org_unit_merge(actor=request.user, sources=sources, target=target,
                                            effective_on=payload.effective_on, note=payload.note)
    except JicengError as exc:
        if exc.field == "sources":
            exc.field = "source_ids"
        raise
    return Status(201, change)


@router.get("/{unit_id}/changes", response={200: list[UnitChangeOut], **error_responses(404)},
            summary="单元的区划调整记录")
def org_unit_changes(request, unit_id: Id):
    unit = selectors.org_unit_get_for_user(request.user, unit_id)
    return list(selectors.org_unit_changes(user=request.user, unit=unit)[:200])
