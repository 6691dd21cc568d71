"""Points supermarkets (积分超市): shops, products, the stock ledger, and redemption at the counter.

Stock moves on core's ledger primitive (``StockEntry``; each product is an account and its own chain).
"""
from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core import ledger
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError, PermissionDeniedError
from jiceng.people.models import Household, HouseholdStatus

from .. import permissions
from ..lock_objects import products_lock
from ..models import (
    EntryKind, Product, Redemption, RedemptionLine, Shop, StockEntry, StockKind,
)
from .cards import card_lookup
from .ledger import ledger_post, programme_for_path


class DuplicateRedemption(JicengError):
    status = 409

    def __init__(self, redemption: Redemption):
        super().__init__(_("该兑换已经提交过（同一幂等键），单号 %(id)s，未重复扣分") % {"id": redemption.pk},
                         field="idempotency_key", code="duplicate")
        self.redemption = redemption


def shop_create(*, actor, org_unit, name: str, address: str = "", opening_hours: str = "") -> Shop:
    if not permissions.can_manage_points_list(actor, org_unit.path):
        raise PermissionDeniedError()
    programme = programme_for_path(org_unit.path)
    if programme is None:
        raise JicengError(_("该单元尚未实行积分制"), field="org_unit", code="no_programme")
    if not name.strip():
        raise JicengError(_("请填写名称"), field="name")
    with transaction.atomic(durable=True):
        shop = Shop.objects.create(programme=programme, org_unit=org_unit, org_path=org_unit.path, name=name.strip(),
                                   address=address.strip(), opening_hours=opening_hours.strip())
        audit_log(actor=actor, action="points.shop.created", obj=shop, org_path=shop.org_path, after={"name": shop.name})
    return shop


def product_create(*, actor, shop: Shop, name: str, price_points: int, value_yuan=Decimal("0"), unit: str = "件",
                   is_service: bool = False) -> Product:
    if not permissions.can_operate_shop(actor, shop):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if not name.strip():
        errors.add("name", _("请填写名称"))
    if price_points is None or int(price_points) < 1:
        errors.add("price_points", _("所需积分必须是正整数"))
    if value_yuan is not None and Decimal(value_yuan) < 0:
        errors.add("value_yuan", _("折合金额不能为负"))
    errors.raise_if_any()
    with transaction.atomic(durable=True):
        product = Product.objects.create(shop=shop, name=name.strip(), price_points=int(price_points),
                                         value_yuan=Decimal(value_yuan or 0), unit=unit or "件", is_service=is_service)
        audit_log(actor=actor, action="points.product.created", obj=product, org_path=shop.org_path,
                  after={"name": product.name, "price_points": product.price_points})
    return product


def product_update(*, actor, product: Product, **changes) -> Product:
    if not permissions.can_operate_shop(actor, product.shop):
        raise PermissionDeniedError()
    allowed = {"name", "price_points", "value_yuan", "unit", "is_active"}
    changes = {k: v for k, v in changes.items() if k in allowed}
    if "price_points" in changes and int(changes["price_points"]) < 1:
        raise JicengError(_("所需积分必须是正整数"), field="price_points")
    with transaction.atomic(durable=True):
        before = {k: getattr(product, k) for k in changes}
        Product.objects.filter(pk=product.pk).update(**changes)
        product.refresh_from_db()
        audit_log(actor=actor, action="points.product.updated", obj=product, org_path=product.shop.org_path,
                  before=before, after=changes)
    return product


def stock_move(*, actor, product: Product, kind: str, quantity: int | None = None, counted: int | None = None,
               note: str = "", now=None) -> StockEntry | None:
    """Receipt (入库, quantity > 0), adjustment (调整, ± with a note) or stock-take (盘点: the counted
    quantity; the entry is the difference). Refused if it would leave stock below zero."""
    if not permissions.can_operate_shop(actor, product.shop):
        raise PermissionDeniedError()
    if product.is_service:
        raise JicengError(_("服务类项目不计库存"), field="product")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = products_lock([product.pk])[product.pk]
        if kind == StockKind.RECEIPT:
            if quantity is None or int(quantity) < 1:
                raise JicengError(_("入库数量必须是正整数"), field="quantity")
            delta = int(quantity)
        elif kind == StockKind.ADJUSTMENT:
            if quantity is None or int(quantity) == 0:
                raise JicengError(_("调整数量不能为 0"), field="quantity")
            if not note.strip():
                raise JicengError(_("调整库存请填写原因"), field="note")
            delta = int(quantity)
        elif kind == StockKind.STOCKTAKE:
            if counted is None or int(counted) < 0:
                raise JicengError(_("盘点数量必须是 0 或正整数"), field="counted")
            delta = int(counted) - locked.stock
            if delta == 0:
                audit_log(actor=actor, action="points.stock.counted", obj=locked, org_path=product.shop.org_path,
                          after={"counted": int(counted), "difference": 0})
                return None
        else:
            raise JicengError(_("库存变动类型无效"), field="kind")
        entry, _created = ledger.post(StockEntry, account=locked, amount=delta, now=now,
                                      idempotency_key=f"stock-move:{uuid.uuid4().hex}", kind=kind,
                                      note=note.strip()[:200], actor=actor)
        audit_log(actor=actor, action=f"points.stock.{kind}", obj=locked, org_path=product.shop.org_path,
                  before={"stock": locked.stock}, after={"stock": locked.stock + delta, "note": note.strip()})
    return entry


def household_for_counter(*, actor, shop: Shop, household_id=None, card_number: str = ""):
    """The household at the counter, by card or by id; refused if outside the shop's scope."""
    if not permissions.can_operate_shop(actor, shop):
        raise PermissionDeniedError()
    card = None
    if card_number:
        card = card_lookup(card_number)
        household = card.household
    else:
        # By id at the counter: the shop's own area is checked next, with its own message.
        household = (Household.objects.unscoped("a household at the counter, checked against the shop's area next")
                     .select_related("head").filter(pk=household_id).first())
        if household is None:
            raise NotFoundError(field="household")
    if not household.org_path.startswith(shop.org_path):
        raise JicengError(_("该户（%(number)s）不在本超市的服务范围内") % {"number": household.number},
                          field="household", code="out_of_scope")
    if household.status != HouseholdStatus.ACTIVE:
        raise JicengError(_("该户已迁出或注销"), field="household")
    return household, card


def redemption_create(*, actor, shop: Shop, lines: list[tuple[int, int]], idempotency_key: str,
                      household_id=None, card_number: str = "", now=None) -> Redemption:
    """Redeem goods for points at the counter (积分兑换). One transaction: the points entry, the
    stock entries, the receipt. Locks: account → programme → products, so concurrent redemptions
    never overdraw points or stock. The same idempotency key never redeems twice."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise JicengError(_("缺少幂等键（每次兑换提交一个唯一编号）"), field="idempotency_key")
    household, card = household_for_counter(actor=actor, shop=shop, household_id=household_id, card_number=card_number)
    errors = ErrorCollector()
    wanted: dict[int, int] = {}
    for product_id, quantity in lines:
        try:
            q = int(quantity)
        except (TypeError, ValueError):
            q = 0
        if q < 1:
            errors.add("lines", _("数量必须是正整数"))
            continue
        wanted[int(product_id)] = wanted.get(int(product_id), 0) + q
    if not wanted and not errors.errors:
        errors.add("lines", _("请选择要兑换的商品"))
    errors.raise_if_any()
    existing = Redemption.objects.filter(shop=shop, idempotency_key=key).first()
    if existing:
        raise DuplicateRedemption(existing)
    now = now or timezone.now()
    try:
        with transaction.atomic(durable=True):
            products = {p.pk: p for p in Product.objects.filter(pk__in=wanted, shop=shop)}
            for pid in wanted:
                p = products.get(pid)
                if p is None:
                    errors.add("lines", _("商品 #%(id)s 不属于本超市") % {"id": pid})
                elif not p.is_active:
                    errors.add("lines", _("“%(name)s”已下架") % {"name": p.name})
            errors.raise_if_any()
            total = sum(products[pid].price_points * q for pid, q in wanted.items())
            entry, created = ledger_post(
                household=household, kind=EntryKind.REDEMPTION, amount=-total,
                idempotency_key=f"redemption:{shop.pk}:{key}", actor=actor, source_type="points.redemption",
                source_id=key, memo=_("%(shop)s 兑换：%(goods)s") % {
                    "shop": shop.name, "goods": "、".join(f"{products[pid].name}×{q}" for pid, q in sorted(wanted.items()))},
                programme=shop.programme, now=now)
            if not created:
                raise DuplicateRedemption(Redemption.objects.get(ledger_entry=entry))
            before = entry.balance_after + total
            locked = products_lock(wanted)
            for pid, q in sorted(wanted.items()):
                p = locked[pid]
                if not p.is_service and p.stock < q:
                    raise JicengError(_("“%(name)s”库存不足：剩余 %(stock)s%(unit)s，需要 %(n)s")
                                      % {"name": p.name, "stock": p.stock, "unit": p.unit, "n": q},
                                      field="lines", code="insufficient_stock")
            redemption = Redemption.objects.create(
                shop=shop, household=household, org_path=household.org_path, card=card, clerk=actor,
                idempotency_key=key, total_points=total, balance_before=before, balance_after=entry.balance_after,
                ledger_entry=entry, created_at=now)
            for pid, q in sorted(wanted.items()):
                p = locked[pid]
                line = RedemptionLine.objects.create(redemption=redemption, product=p, quantity=q,
                                                     unit_points=p.price_points, points=p.price_points * q)
                if not p.is_service:
                    ledger.post(StockEntry, account=p, amount=-q, idempotency_key=f"redemption-line:{line.pk}",
                                source_type="points.redemption", source_id=redemption.pk, now=now,
                                kind=StockKind.REDEMPTION, redemption_line=line, actor=actor,
                                note=_("兑换单 %(id)s") % {"id": redemption.pk})
            audit_log(actor=actor, action="points.redemption.created", obj=redemption, org_path=household.org_path,
                      object_repr=f"{shop.name} {household.number}",
                      after={"points": total, "balance_after": entry.balance_after,
                             "lines": {locked[pid].name: q for pid, q in wanted.items()}})
    except IntegrityError:
        existing = Redemption.objects.filter(shop=shop, idempotency_key=key).first()
        if existing:
            raise DuplicateRedemption(existing) from None
        raise
    return redemption
