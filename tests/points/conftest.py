from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest


@dataclass
class PointsSite:
    programme: object
    clean: object      # +5, evidence required, at most 4 times a month
    filial: object     # +10
    litter: object     # -5
    shop: object
    rice: object       # 7 points, 5 in stock
    soap: object       # 2 points, 100 in stock


@pytest.fixture
def points_site(district, admin):
    from jiceng.points import services
    from jiceng.points.models import PointsCategory, StockKind

    programme = services.programme_create(actor=admin, org_unit=district.street, name="测试街道积分制")
    cats = {c.name: c for c in PointsCategory.objects.filter(programme=programme)}
    clean = services.item_create(actor=admin, org_unit=district.street, code="HJ01", category_id=cats["环境卫生"].pk,
                                 name="参加环境整治", points=5, evidence_required=True, cap_period="month", cap_count=4)
    filial = services.item_create(actor=admin, org_unit=district.street, code="XL01", category_id=cats["孝老爱亲"].pk,
                                  name="照顾孤寡老人", points=10)
    litter = services.item_create(actor=admin, org_unit=district.street, code="HJ90", category_id=cats["环境卫生"].pk,
                                  name="乱扔垃圾", points=-5)
    shop = services.shop_create(actor=admin, org_unit=district.comm_a, name="甲社区积分超市")
    rice = services.product_create(actor=admin, shop=shop, name="大米 5kg", price_points=7, value_yuan=35)
    soap = services.product_create(actor=admin, shop=shop, name="肥皂", price_points=2, value_yuan=1)
    services.stock_move(actor=admin, product=rice, kind=StockKind.RECEIPT, quantity=5)
    services.stock_move(actor=admin, product=soap, kind=StockKind.RECEIPT, quantity=100)
    rice.refresh_from_db()
    soap.refresh_from_db()
    return PointsSite(programme, clean, filial, litter, shop, rice, soap)


@pytest.fixture
def photo_bytes():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buf, "JPEG")
    return buf.getvalue()


def grant(household, points: int, key: str, admin=None):
    from jiceng.points.models import EntryKind
    from jiceng.points.services import ledger_post

    entry, _ = ledger_post(household=household, kind=EntryKind.GRANT if points > 0 else EntryKind.DEDUCTION,
                           amount=points, idempotency_key=key, actor=admin, clamp=points < 0)
    return entry


def yesterday():
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=1)
