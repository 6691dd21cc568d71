"""Points supermarkets: redemption at the counter, stock ledger, cards, reconciliation."""
from __future__ import annotations

import pytest

from jiceng.accounts.models import Role
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.points import services
from jiceng.points.models import CardStatus, PointsAccount, PointsCard, Product, Redemption, StockEntry, StockKind
from jiceng.points.selectors import reconciliation
from jiceng.points.roles import SHOP_CLERK

from .conftest import grant


@pytest.fixture
def counter(points_site, district, make_household, make_user):
    hh = make_household(district.grid_a1)
    grant(hh, 20, "seed")
    clerk = make_user(SHOP_CLERK, district.comm_a)
    card = services.card_issue(actor=make_user(Role.GRID_WORKER, district.grid_a1), household=hh)
    return {"hh": hh, "clerk": clerk, "card": card}


def _state(points_site, hh):
    return (PointsAccount.objects.get(household=hh).balance,
            Product.objects.get(pk=points_site.rice.pk).stock, Product.objects.get(pk=points_site.soap.pk).stock,
            Redemption.objects.count(), StockEntry.objects.count())


def test_redeem_by_card_shows_before_and_after_balance(points_site, counter):
    r = services.redemption_create(actor=counter["clerk"], shop=points_site.shop, card_number=counter["card"].number,
                                   lines=[(points_site.rice.pk, 1), (points_site.soap.pk, 3)], idempotency_key="t-1")
    assert (r.balance_before, r.total_points, r.balance_after) == (20, 13, 7)
    assert _state(points_site, counter["hh"])[:3] == (7, 4, 97)
    assert r.card_id == counter["card"].pk
    assert [line.points for line in r.lines.order_by("product_id")] == [7, 6]


def test_double_submitted_redemption_writes_nothing(points_site, counter):
    services.redemption_create(actor=counter["clerk"], shop=points_site.shop, household_id=counter["hh"].pk,
                               lines=[(points_site.soap.pk, 1)], idempotency_key="same")
    before = _state(points_site, counter["hh"])
    with pytest.raises(services.DuplicateRedemption) as exc:
        services.redemption_create(actor=counter["clerk"], shop=points_site.shop, household_id=counter["hh"].pk,
                                   lines=[(points_site.soap.pk, 1)], idempotency_key="same")
    assert "已经提交过" in exc.value.message
    assert _state(points_site, counter["hh"]) == before


@pytest.mark.parametrize("lines,field", [([(1, 0)], "lines"), ([(1, -2)], "lines"), ([], "lines")])
def test_bad_quantities_are_refused(points_site, counter, lines, field):
    lines = [(points_site.soap.pk, q) for _, q in lines]
    before = _state(points_site, counter["hh"])
    with pytest.raises(JicengError) as exc:
        services.redemption_create(actor=counter["clerk"], shop=points_site.shop, household_id=counter["hh"].pk,
                                   lines=lines, idempotency_key="q")
    assert exc.value.field == field
    assert _state(points_site, counter["hh"]) == before


def test_insufficient_points_or_stock_refused_with_nothing_written(points_site, counter):
    before = _state(points_site, counter["hh"])
    with pytest.raises(JicengError) as exc:
        services.redemption_create(actor=counter["clerk"], shop=points_site.shop, household_id=counter["hh"].pk,
                                   lines=[(points_site.rice.pk, 3)], idempotency_key="big")
    assert exc.value.code == "insufficient_points" and "当前余额 20" in exc.value.message
    grant(counter["hh"], 100, "more")
    before = _state(points_site, counter["hh"])
    with pytest.raises(JicengError) as exc:
        services.redemption_create(actor=counter["clerk"], shop=points_site.shop, household_id=counter["hh"].pk,
                                   lines=[(points_site.rice.pk, 6)], idempotency_key="stock")
    assert exc.value.code == "insufficient_stock"
    assert _state(points_site, counter["hh"]) == before


def test_replaced_card_stops_working(points_site, counter, district, make_user):
    worker = make_user(Role.GRID_WORKER, district.grid_a1)
    new = services.card_reissue(actor=worker, household=counter["hh"], reason="遗失")
    assert new.number != counter["card"].number
    with pytest.raises(JicengError) as exc:
        services.redemption_create(actor=counter["clerk"], shop=points_site.shop, card_number=counter["card"].number,
                                   lines=[(points_site.soap.pk, 1)], idempotency_key="old-card")
    assert exc.value.code == "card_replaced"
    services.redemption_create(actor=counter["clerk"], shop=points_site.shop, card_number=new.number,
                               lines=[(points_site.soap.pk, 1)], idempotency_key="new-card")


def test_household_outside_shop_scope_is_refused(points_site, counter, district, make_household):
    outsider = make_household(district.grid_b1, head_name="赵六")
    grant(outsider, 50, "o")
    with pytest.raises(JicengError) as exc:
        services.redemption_create(actor=counter["clerk"], shop=points_site.shop, household_id=outsider.pk,
                                   lines=[(points_site.soap.pk, 1)], idempotency_key="out")
    assert exc.value.code == "out_of_scope"
    assert PointsAccount.objects.get(household=outsider).balance == 50


def test_clerk_of_another_community_cannot_operate_the_shop(points_site, counter, district, make_user):
    other_clerk = make_user(SHOP_CLERK, district.comm_b)
    with pytest.raises(PermissionDeniedError):
        services.redemption_create(actor=other_clerk, shop=points_site.shop, household_id=counter["hh"].pk,
                                   lines=[(points_site.soap.pk, 1)], idempotency_key="x")


def test_stock_ledger_receipt_adjustment_stocktake(points_site, counter):
    clerk, soap = counter["clerk"], points_site.soap
    services.stock_move(actor=clerk, product=soap, kind=StockKind.RECEIPT, quantity=10)
    with pytest.raises(JicengError):
        services.stock_move(actor=clerk, product=soap, kind=StockKind.RECEIPT, quantity=0)
    with pytest.raises(JicengError):
        services.stock_move(actor=clerk, product=soap, kind=StockKind.ADJUSTMENT, quantity=-3)  # no reason
    services.stock_move(actor=clerk, product=soap, kind=StockKind.ADJUSTMENT, quantity=-3, note="受潮报损")
    entry = services.stock_move(actor=clerk, product=soap, kind=StockKind.STOCKTAKE, counted=100)
    assert entry.quantity == -7 and entry.stock_after == 100
    with pytest.raises(JicengError):
        services.stock_move(actor=clerk, product=soap, kind=StockKind.ADJUSTMENT, quantity=-101, note="x")
    assert Product.objects.get(pk=soap.pk).stock == 100
    assert sum(StockEntry.objects.filter(product=soap).values_list("quantity", flat=True)) == 100


def test_daily_reconciliation_matches_points_and_stock(points_site, counter, admin):
    services.redemption_create(actor=counter["clerk"], shop=points_site.shop, household_id=counter["hh"].pk,
                               lines=[(points_site.rice.pk, 1), (points_site.soap.pk, 2)], idempotency_key="r1")
    rows = reconciliation(user=admin, shop=points_site.shop)
    assert len(rows) == 1
    row = rows[0]
    assert row["points_spent"] == 11 and row["stock_points"] == 11 and row["difference"] == 0
    assert row["redemptions"] == 1 and row["items"] == 3


def test_cards_are_issued_and_reissued_from_the_pages_with_a_message_each(points_site, district, make_household,
                                                                         make_user, client):
    from tests.conftest import PASSWORD

    hh = make_household(district.grid_a1)
    make_household(district.grid_a1)
    worker = make_user(Role.GRID_WORKER, district.grid_a1)
    assert client.login(username=worker.username, password=PASSWORD)
    page = f"/points/households/{hh.pk}/"

    def post(url, body=None):
        resp = client.post(url, body or {}, follow=True)
        return resp.redirect_chain[0], [(m.level_tag, m.message) for m in resp.context["messages"]]

    went, said = post(f"{page}card/")
    card = PointsCard.objects.get(household=hh, status=CardStatus.ACTIVE)
    assert went == (page, 302) and said == [("success", f"已发卡 {card.number}")]
    assert post(f"{page}card/") == ((page, 302), [("error", "该户已有在用的积分卡；遗失请办理挂失换发")])
    assert post(f"{page}card/", {"reissue": "1"}) == ((page, 302), [("error", "请填写换发原因（如遗失、损坏）")])
    assert PointsCard.objects.filter(household=hh).count() == 1
    went, said = post(f"{page}card/", {"reissue": "1", "reason": "遗失"})
    new = PointsCard.objects.get(household=hh, status=CardStatus.ACTIVE)
    assert new.pk != card.pk and said == [("success", f"已换发新卡 {new.number}，旧卡停止使用")]
    cards_page = f"/points/cards/?org={district.grid_a1.pk}"
    assert post("/points/cards/issue/", {"org": district.grid_a1.pk}) == ((cards_page, 302),
                                                                         [("success", "已为 1 户发放积分卡")])
