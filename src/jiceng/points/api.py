"""Points API (积分): points lists, declarations and review, balances and ledgers, cards, shops and
redemption — for integration such as a shop's own till. Every posting call takes an
``Idempotency-Key`` header; a replay is refused with 409 and the first call's answer."""
from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.core.files.base import ContentFile
from ninja import Field, Query, Router, Schema

from jiceng.accounts.services import client_ip
from jiceng.core.api import ErrorOut, Id, InputSchema, OptionalId, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.idempotency import require_key, run_once
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_unit_get_for_user

from . import permissions, selectors, services
from .models import PointsItem, StockKind
from .services.cards import card_lookup

router = Router(tags=["points"])
REPLAY_409 = "同一 Idempotency-Key 已提交过：未重复执行，original 为第一次的结果"
REDEMPTION_400 = ("未兑换，code 说明原因：insufficient_points（积分不足，field=points）、insufficient_stock"
                  "（库存不足，field=lines）、card_replaced（卡已换发）、out_of_scope（不在服务范围）、invalid")
IDEMPOTENT = {"Idempotency-Key": "每次提交一个唯一编号；重试用同一编号，重复提交返回 409 和第一次的结果"}


class ItemOut(Schema):
    id: int
    code: str
    version: int
    category: str
    name: str
    points: int
    evidence_required: bool
    cap_period: str
    cap_count: int | None
    cap_points: int | None
    org_unit_id: int
    in_force: bool


class EntryOut(Schema):
    seq: int
    kind: str
    amount: int
    balance_after: int
    memo: str
    created_at: dt.datetime


class HouseholdPointsOut(Schema):
    household_id: int
    household_number: str
    head_name_masked: str
    balance: int
    stars: int | None
    rating_period: str | None
    period_label: str
    period_score: int
    rank_in_grid: int | None
    households_in_grid: int | None
    card_number: str | None


class DeclarationOut(Schema):
    id: int
    household_id: int
    item_id: int | None
    title: str
    points: int
    requested_points: int
    quantity: int
    occurred_on: dt.date
    source: str
    status: str
    review_note: str
    publicity_ends_at: dt.datetime | None
    posted_at: dt.datetime | None


class DeclarationDetailOut(DeclarationOut):
    has_photo: bool
    open_objections: int
    approval_blockers: list[str]


class DeclarationIn(InputSchema):
    household_id: Id
    item_id: Id
    occurred_on: dt.date
    quantity: int = Field(1, ge=-1000, le=1000, description="次数，必须为正整数")
    resident_id: Id | None = None
    description: Text = Field("", max_length=2000)
    photo_base64: Text | None = Field(None, description="佐证照片（JPEG/PNG/WebP，Base64，不超过 8 MB）")


class ReviewIn(InputSchema):
    decision: Text = Field(description="approve | adjust | reject")
    points: int | None = Field(None, ge=-1000, le=1000)
    note: Text = Field("", max_length=200)


class BatchReviewIn(InputSchema):
    declaration_ids: list[Id] = Field(min_length=1, max_length=100, description="待审核记录的编号，最多 100 条")
    decision: Text = Field(description="approve | reject")
    note: Text = Field("", max_length=200, description="审核意见，对每一条都适用；驳回时必填")


class BatchRefusedOut(Schema):
    id: int
    detail: str


class BatchReviewOut(Schema):
    done: list[DeclarationOut]
    refused: list[BatchRefusedOut]


class ObjectionResolveIn(InputSchema):
    note: Text = Field(max_length=500, description="异议的核实情况和处理意见")


class EvidenceIn(InputSchema):
    photo_base64: Text = Field(description="佐证照片（JPEG/PNG/WebP，Base64，不超过 8 MB）")


class ObjectionIn(InputSchema):
    reason: Text = Field(max_length=1000)
    name: Text = Field("", max_length=50)
    phone: Text = Field("", max_length=20)
    community: Text = Field("", max_length=32, description="公示所在单元的编码（读哪一块公示栏）；可不填")


class GrantIn(InputSchema):
    household_id: Id
    event_code: Text = Field(max_length=50, description="兑换规则中的事件，如 report.verified")
    reason: Text = Field(max_length=200)
    source_type: Text = Field("", max_length=40)
    source_id: Text = Field("", max_length=64)


class ProductOut(Schema):
    id: int
    name: str
    price_points: int
    value_yuan: str
    unit: str
    stock: int | None
    is_service: bool


class ShopOut(Schema):
    id: int
    name: str
    org_unit_id: int
    address: str
    opening_hours: str


class LineIn(InputSchema):
    product_id: Id
    quantity: int = Field(ge=-1000, le=1000)


class RedemptionIn(InputSchema):
    household_id: Id | None = None
    card_number: Text = Field("", max_length=20)
    lines: list[LineIn] = Field(max_length=50)


class LineOut(Schema):
    product_id: int
    name: str
    quantity: int
    unit_points: int
    points: int


class RedemptionOut(Schema):
    id: int
    shop_id: int
    household_id: int
    total_points: int
    balance_before: int
    balance_after: int
    created_at: dt.datetime
    lines: list[LineOut]


class StockIn(InputSchema):
    product_id: Id
    kind: Text = Field(description="receipt | adjustment | stocktake")
    quantity: int = Field(ge=-100000, le=100000, description="入库/调整数量；盘点时为实际数量")
    note: Text = Field("", max_length=200)


class StockOut(Schema):
    product_id: int
    stock: int


class RankedHouseholdOut(Schema):
    household_id: int
    household_number: str
    head_name_masked: str
    score: int


class RankingOut(Schema):
    org_unit_id: int
    period_label: str
    start: dt.date
    end: dt.date
    top: list[RankedHouseholdOut]
    bottom: list[RankedHouseholdOut]
    star_counts: dict[str, int]


class CardOut(Schema):
    number: str
    household_id: int
    household_number: str
    head_name_masked: str
    status: str
    issued_at: dt.datetime
    printed_at: dt.datetime | None


class CardsIssuedOut(Schema):
    issued: int


class CardReissueIn(InputSchema):
    reason: Text = Field(max_length=200, description="挂失或换发的原因")


class RatingsEvaluateIn(InputSchema):
    year: int = Field(ge=2000, le=2100)
    quarter: int | None = Field(None, ge=1, le=4, description="季度；按年评定时不填")


class RatingsEvaluatedOut(Schema):
    period_label: str
    households: int


class ReverseIn(InputSchema):
    reason: Text = Field(max_length=200)


class DuplicateOut(Schema):
    detail: str
    code: str
    field: str | None = None
    errors: dict[str, list[str]] = {}
    original: dict | None = None


def _item_out(i) -> dict:
    return {"id": i.pk, "code": i.code, "version": i.version, "category": i.category.name, "name": i.name,
            "points": i.points, "evidence_required": i.evidence_required, "cap_period": i.cap_period,
            "cap_count": i.cap_count, "cap_points": i.cap_points, "org_unit_id": i.org_unit_id,
            "in_force": getattr(i, "in_force", True)}


def _decl_out(d) -> dict:
    return {"id": d.pk, "household_id": d.household_id, "item_id": d.item_id, "title": d.title, "points": d.points,
            "requested_points": d.requested_points, "quantity": d.quantity, "occurred_on": d.occurred_on.isoformat(),
            "source": d.source, "status": d.status, "review_note": d.review_note,
            "publicity_ends_at": d.publicity_ends_at.isoformat() if d.publicity_ends_at else None,
            "posted_at": d.posted_at.isoformat() if d.posted_at else None}


def _redemption_out(r) -> dict:
    return {"id": r.pk, "shop_id": r.shop_id, "household_id": r.household_id, "total_points": r.total_points,
            "balance_before": r.balance_before, "balance_after": r.balance_after, "created_at": r.created_at.isoformat(),
            "lines": [{"product_id": l.product_id, "name": l.product.name, "quantity": l.quantity,
                       "unit_points": l.unit_points, "points": l.points} for l in r.lines.select_related("product")]}


def _summary_out(household) -> dict:
    from jiceng.people.idnumber import mask_name

    s = selectors.household_summary(household)
    return {"household_id": household.pk, "household_number": household.number,
            "head_name_masked": mask_name(household.head.name) if household.head_id else "",
            "balance": s["balance"], "stars": s["rating"].stars if s["rating"] else None,
            "rating_period": s["rating"].period_label if s["rating"] else None, "period_label": s["period_label"],
            "period_score": s["period_score"], "rank_in_grid": s["rank"], "households_in_grid": s["rank_total"],
            "card_number": s["card"].number if s["card"] else None}


def _item(item_id) -> PointsItem:
    item = PointsItem.objects.unscoped(AUTHORISED).filter(pk=item_id).first()
    if item is None:
        raise NotFoundError(field="item_id")
    return item


def _photo(b64: str | None):
    if not b64:
        return None
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise JicengError("photo_base64 不是有效的 Base64", field="photo_base64") from None
    return ContentFile(data, name="upload")


@router.get("/points/items", response={200: list[ItemOut], **error_responses(404)}, summary="某单元执行的积分清单")
def items(request, org_unit_id: OptionalId = Query(None)):
    if org_unit_id:
        unit = org_unit_get_for_user(request.user, org_unit_id)
    else:
        programme = selectors.programme_for_user(request.user)
        if programme is None:
            raise NotFoundError()
        unit = programme.org_unit
    return [_item_out(i) for i in services.effective_items(unit)]


@router.get("/points/households/{household_id}", response={200: HouseholdPointsOut, **error_responses(404)},
            summary="住户积分：余额、星级、网格排名、积分卡")
def household(request, household_id: Id):
    return _summary_out(selectors.household_get_for_points(request.user, household_id))


@router.get("/points/households/{household_id}/ledger", response={200: list[EntryOut], **error_responses(404)},
            summary="住户积分流水")
def ledger(request, household_id: Id, limit: int = Query(100, ge=1, le=500)):
    hh = selectors.household_get_for_points(request.user, household_id)
    return list(selectors.ledger_for_household(hh, limit=limit))


@router.get("/points/declarations", response={200: list[DeclarationOut], **error_responses()}, summary="积分记录")
def declarations(request, status: Text = Query("", max_length=20), household_id: OptionalId = Query(None),
                 limit: int = Query(100, ge=1, le=500)):
    return [_decl_out(d) for d in selectors.declaration_list(user=request.user, status=status,
                                                            household_id=household_id)[:limit]]


@router.post("/points/declarations", response={200: DeclarationOut, **error_responses(400, 403, 404, 413), 409: DuplicateOut},
             summary="申报（居民本户）或记录（网格员）积分", openapi_extra={"parameters": [
                 {"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"},
                  "description": IDEMPOTENT["Idempotency-Key"]}]})
def declaration_create(request, payload: DeclarationIn):
    require_key(request)
    item = _item(payload.item_id)
    user = request.user

    def call():
        kw = dict(household_id=payload.household_id, item=item, occurred_on=payload.occurred_on,
                  description=payload.description, photo=_photo(payload.photo_base64), quantity=payload.quantity,
                  resident_id=payload.resident_id)
        from jiceng.people.models import Household

        hh = Household.objects.unscoped(AUTHORISED).filter(pk=payload.household_id).first()
        if hh is not None and permissions.can_record_points(user, hh.org_path):
            return services.declaration_record(actor=user, **kw)
        return services.declaration_submit(actor=user, **kw)

    return run_once(request, "points.declaration.create", call, serialise=_decl_out)


@router.post("/points/declarations/{declaration_id}/review",
             response={200: DeclarationOut, **error_responses(400, 403, 404, 413), 409: DuplicateOut}, summary="审核积分记录",
             openapi_extra={"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True,
                                            "schema": {"type": "string"}}]})
def review(request, declaration_id: Id, payload: ReviewIn):
    require_key(request)
    decl = selectors.declaration_get_for_user(request.user, declaration_id)
    return run_once(request, f"points.declaration.review:{declaration_id}", lambda: services.declaration_review(
        actor=request.user, declaration=decl, decision=payload.decision, note=payload.note, points=payload.points),
        serialise=_decl_out)


@router.post("/points/declarations/review-batch",
             response={200: BatchReviewOut, **error_responses(400, 403, 413), 409: DuplicateOut},
             summary="批量审核：勾选的多条记录一次通过或驳回，一条审核意见",
             description="每条记录单独办理（各自一个事务，不是全部成功或全部失败）：不能办理的记录"
                         "（有未处理的异议、缺佐证照片、已被审核、本人或本户的记录、不存在或无权审核）原样保留，"
                         "列在 refused 中并说明原因，其余照常办理。",
             openapi_extra={"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True,
                                            "schema": {"type": "string"}, "description": IDEMPOTENT["Idempotency-Key"]}]})
def review_batch(request, payload: BatchReviewIn):
    require_key(request)
    return run_once(request, "points.declaration.review_batch", lambda: services.declarations_review_batch(
        actor=request.user, declaration_ids=payload.declaration_ids, decision=payload.decision, note=payload.note),
        serialise=lambda r: {"done": [_decl_out(d) for d in r["done"]],
                             "refused": [{"id": pk, "detail": str(msg)} for pk, _d, msg in r["refused"]]})


# Declared after the fixed paths beside it (review-batch), which would otherwise be read as an id.
@router.get("/points/declarations/{declaration_id}", response={200: DeclarationDetailOut, **error_responses(404)},
            summary="一条积分记录，及审核通过前须先处理的事项（未处理的异议、缺佐证照片）")
def declaration(request, declaration_id: Id):
    d = selectors.declaration_get_for_user(request.user, declaration_id)
    blockers = services.approval_blockers(d).errors
    return {**_decl_out(d), "has_photo": bool(d.photo),
            "open_objections": d.objections.filter(resolved_at__isnull=True).count(),
            "approval_blockers": [str(m) for msgs in blockers.values() for m in msgs]}


@router.post("/points/declarations/{declaration_id}/objections/resolve",
             response={200: DeclarationOut, **error_responses(400, 403, 404, 413)},
             summary="核实并处理公示异议（处理后才能审核通过）")
def objection_resolve(request, declaration_id: Id, payload: ObjectionResolveIn):
    decl = selectors.declaration_get_for_user(request.user, declaration_id, purpose="points_review")
    return _decl_out(services.objection_resolve(actor=request.user, declaration=decl, note=payload.note))


@router.post("/points/declarations/{declaration_id}/evidence",
             response={200: DeclarationOut, **error_responses(400, 403, 404, 413)},
             summary="补充佐证照片（待审核的记录）")
def evidence_add(request, declaration_id: Id, payload: EvidenceIn):
    decl = selectors.declaration_get_for_user(request.user, declaration_id)
    return _decl_out(services.declaration_add_evidence(actor=request.user, declaration=decl,
                                                       photo=_photo(payload.photo_base64)))


@router.post("/points/declarations/{declaration_id}/objections", auth=None,
             response={200: dict, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut},
             summary="公示期内提出异议（无需登录）",
             description="未公示过的、不在 community 单元内的记录与不存在的编号一样答 404；"
                         "公示过但公示期已结束答 400 publicity_closed")
def objection(request, declaration_id: Id, payload: ObjectionIn):
    within = None
    if payload.community.strip():
        unit = OrgUnit.objects.filter(code=payload.community.strip()).first()
        if unit is None:
            raise NotFoundError(field="declaration")
        within = unit.path
    o = services.objection_lodge(declaration_id=declaration_id, reason=payload.reason, name=payload.name,
                                 phone=payload.phone, ip_address=client_ip(request), within=within)
    return {"id": o.pk, "declaration_id": declaration_id, "status": "submitted"}


@router.post("/points/grants", response={200: DeclarationOut, **error_responses(400, 403, 404, 413), 409: DuplicateOut},
             summary="按兑换规则奖励积分（供其他业务调用）",
             openapi_extra={"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True,
                                            "schema": {"type": "string"}}]})
def grant(request, payload: GrantIn):
    key = require_key(request)
    hh = selectors.household_get_for_points(request.user, payload.household_id, purpose="points_record")
    return run_once(request, "points.grant", lambda: services.grant_points(
        actor=request.user, household=hh, event_code=payload.event_code, idempotency_key=f"api:{request.user.pk}:{key}",
        reason=payload.reason, source_type=payload.source_type, source_id=payload.source_id), serialise=_decl_out)


@router.get("/points/cards/{number}", response={200: HouseholdPointsOut, **error_responses(400, 404)},
            summary="读卡：卡号对应的住户积分（已挂失的卡返回 400）")
def card(request, number: Text):
    c = card_lookup(number)
    if not (permissions.can_view_points(request.user, c.household.org_path)
            or any(c.household.org_path.startswith(s.org_path) for s in selectors.shops_for_user(request.user))):
        raise NotFoundError(field="card")
    return _summary_out(c.household)


@router.get("/points/shops", response={200: list[ShopOut], **error_responses()}, summary="积分超市")
def shops(request):
    seen = {s.pk: s for s in selectors.shops_for_user(request.user)}
    seen.update({s.pk: s for s in selectors.shops_visible(request.user)})
    return list(seen.values())


@router.get("/points/shops/{shop_id}/products", response={200: list[ProductOut], **error_responses(404)},
            summary="超市商品与库存")
def products(request, shop_id: Id):
    try:
        shop = selectors.shop_get_for_user(request.user, shop_id)
    except NotFoundError:
        shop = selectors.shop_get_for_user(request.user, shop_id, purpose="points_view")
    return [{"id": p.pk, "name": p.name, "price_points": p.price_points, "value_yuan": str(p.value_yuan),
             "unit": p.unit, "stock": None if p.is_service else p.stock, "is_service": p.is_service}
            for p in selectors.products_of(shop)]


@router.post("/points/shops/{shop_id}/redemptions",
             response={200: RedemptionOut, **error_responses(400, 403, 404, 413), 409: DuplicateOut},
             summary="兑换：扣积分、出库、出凭证（同一 Idempotency-Key 只兑换一次）",
             description="400 表示未兑换、可改正后重新提交（用新的 Idempotency-Key），code 区分原因："
                         "insufficient_points（积分不足）、insufficient_stock（库存不足）、card_replaced、"
                         "out_of_scope 等。409 只表示同一 Idempotency-Key 已提交过：未重复扣分，original 为第一次的结果。",
             openapi_extra={"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True,
                                            "schema": {"type": "string"}}],
                            "responses": {400: {"description": REDEMPTION_400}, 409: {"description": REPLAY_409}}})
def redemption(request, shop_id: Id, payload: RedemptionIn):
    key = require_key(request)
    shop = selectors.shop_get_for_user(request.user, shop_id)
    if not payload.household_id and not payload.card_number:
        raise JicengError("请提供 household_id 或 card_number", field="household_id")
    return run_once(request, f"points.redemption:{shop_id}", lambda: services.redemption_create(
        actor=request.user, shop=shop, lines=[(l.product_id, l.quantity) for l in payload.lines], idempotency_key=key,
        household_id=payload.household_id, card_number=payload.card_number), serialise=_redemption_out)


@router.post("/points/shops/{shop_id}/stock", response={200: StockOut, **error_responses(400, 403, 404, 413), 409: DuplicateOut},
             summary="入库、调整、盘点",
             openapi_extra={"parameters": [{"in": "header", "name": "Idempotency-Key", "required": True,
                                            "schema": {"type": "string"}}]})
def stock(request, shop_id: Id, payload: StockIn):
    require_key(request)
    shop = selectors.shop_get_for_user(request.user, shop_id)
    product = shop.products.filter(pk=payload.product_id).first()
    if product is None:
        raise NotFoundError(field="product_id")
    if payload.kind not in StockKind.values or payload.kind == StockKind.REDEMPTION:
        raise JicengError("kind 应为 receipt、adjustment 或 stocktake", field="kind")
    kw = {"counted": payload.quantity} if payload.kind == StockKind.STOCKTAKE else {"quantity": payload.quantity}

    def call():
        services.stock_move(actor=request.user, product=product, kind=payload.kind, note=payload.note, **kw)
        product.refresh_from_db()
        return product

    return run_once(request, f"points.stock:{shop_id}", call,
                    serialise=lambda p: {"product_id": p.pk, "stock": p.stock})


def _masked(household) -> str:
    from jiceng.people.idnumber import mask_name

    return mask_name(household.head.name) if household.head_id else ""


def _card_out(c) -> dict:
    return {"number": c.number, "household_id": c.household_id, "household_number": c.household.number,
            "head_name_masked": _masked(c.household), "status": c.status, "issued_at": c.issued_at,
            "printed_at": c.printed_at}


@router.get("/points/ranking", response={200: RankingOut, **error_responses(400, 404)},
            summary="红黑榜：某单元某期积分最高和最低的住户，及同期星级户数",
            description="不填 year 时为上一个完整评定期；填 year 不填 quarter 时为全年。")
def ranking(request, org_unit_id: OptionalId = Query(None), year: int | None = Query(None, ge=2000, le=2100),
            quarter: int | None = Query(None, ge=1, le=4), limit: int = Query(20, ge=1, le=100)):
    user = request.user
    if org_unit_id:
        unit = org_unit_get_for_user(user, org_unit_id)
    else:
        programme = selectors.programme_for_user(user)
        if programme is None:
            raise NotFoundError(field="org_unit_id")
        unit = programme.org_unit
    r = selectors.ranking_for_user(user=user, unit=unit, year=year, quarter=quarter, limit=limit)
    row = lambda sc, h: {"household_id": h.pk, "household_number": h.number, "head_name_masked": _masked(h), "score": sc}
    return {"org_unit_id": unit.pk, "period_label": str(r["label"]), "start": r["start"], "end": r["end"],
            "top": [row(sc, h) for sc, h in r["top"]], "bottom": [row(sc, h) for sc, h in r["bottom"]],
            "star_counts": {str(s): r["star_counts"].get(s, 0) for s in range(5, -1, -1)}}


@router.post("/points/ratings", response={200: RatingsEvaluatedOut, **error_responses(400, 403, 404)},
             summary="星级评定（某年或某季度）")
def ratings_evaluate(request, payload: RatingsEvaluateIn):
    from jiceng.core.errors import PermissionDeniedError

    from .services.ratings import period_bounds

    programme = selectors.programme_for_user(request.user)
    if programme is None:
        raise NotFoundError()
    if not permissions.can_manage_points_list(request.user, programme.org_path):
        raise PermissionDeniedError()
    start, end, label = period_bounds("quarter" if payload.quarter else "year", payload.year, payload.quarter or 1)
    n = services.ratings_evaluate(actor=request.user, programme=programme, start=start, end=end, label=label)
    return {"period_label": str(label), "households": n}


@router.get("/points/cards", response={200: list[CardOut], **error_responses(404)},
            summary="积分卡列表（某单元以下，新发的在前）")
def cards(request, org_unit_id: OptionalId = Query(None), status: Text = Query("", max_length=20),
          limit: int = Query(100, ge=1, le=500)):
    from jiceng.orgs.selectors import org_roots_for_user

    unit = (org_unit_get_for_user(request.user, org_unit_id) if org_unit_id
            else next(iter(org_roots_for_user(request.user)), None))
    if unit is None:
        raise NotFoundError(field="org_unit_id")
    return [_card_out(c) for c in selectors.cards_for_unit(user=request.user, unit=unit, status=status)[:limit]]


@router.post("/points/units/{org_unit_id}/cards", response={200: CardsIssuedOut, **error_responses(400, 403, 404)},
             summary="为单元内没有积分卡的住户批量发卡")
def cards_issue(request, org_unit_id: Id):
    unit = org_unit_get_for_user(request.user, org_unit_id)
    return {"issued": services.cards_issue_missing(actor=request.user, unit=unit)}


@router.post("/points/households/{household_id}/card", response={200: CardOut, **error_responses(400, 403, 404)},
             summary="为一户发卡")
def card_issue(request, household_id: Id):
    hh = selectors.household_get_for_points(request.user, household_id, purpose="points_record")
    return _card_out(services.card_issue(actor=request.user, household=hh))


@router.post("/points/households/{household_id}/card/reissue", response={200: CardOut, **error_responses(400, 403, 404)},
             summary="挂失换发：旧卡立即停用，发新卡")
def card_reissue(request, household_id: Id, payload: CardReissueIn):
    hh = selectors.household_get_for_points(request.user, household_id, purpose="points_record")
    return _card_out(services.card_reissue(actor=request.user, household=hh, reason=payload.reason))


@router.post("/points/households/{household_id}/ledger/{seq}/reverse",
             response={200: EntryOut, **error_responses(400, 403, 404)}, summary="冲正一笔积分流水（原流水保留）")
def entry_reverse(request, household_id: Id, seq: Id, payload: ReverseIn):
    hh = selectors.household_get_for_points(request.user, household_id, purpose="points_review")
    entry = selectors.ledger_entry_get(hh, seq)
    return services.ledger_reverse(actor=request.user, entry=entry, reason=payload.reason)
