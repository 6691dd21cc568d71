"""Points API: idempotency keys on every posting call, redemption for a shop's own till."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.points import services
from jiceng.points.models import DeclarationStatus, PointsAccount, PointsDeclaration, Product, Redemption
from jiceng.points.roles import SHOP_CLERK

from .conftest import grant


def post(c, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return c.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def setup(points_site, district, make_household, make_user):
    hh = make_household(district.grid_a1)
    worker = make_user(Role.GRID_WORKER, district.grid_a1)
    reviewer = make_user(Role.COMMUNITY_STAFF, district.comm_a)
    clerk = make_user(SHOP_CLERK, district.comm_a)
    return {"hh": hh, "worker": worker, "reviewer": reviewer, "clerk": clerk}


def test_record_review_and_balance_through_the_api(setup, points_site, photo_bytes, api_login):
    c = api_login(setup["worker"])
    body = {"household_id": setup["hh"].pk, "item_id": points_site.clean.pk,
            "occurred_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "quantity": 2,
            "photo_base64": base64.b64encode(photo_bytes).decode()}
    r = post(c, "/api/points/declarations", body, key="rec-1")
    assert r.status_code == 200, r.content
    decl = r.json()
    assert decl["points"] == 10 and decl["status"] == "submitted"
    again = post(c, "/api/points/declarations", body, key="rec-1")
    assert again.status_code == 409 and again.json()["original"]["id"] == decl["id"]
    assert PointsDeclaration.objects.count() == 1
    rv = post(api_login(setup["reviewer"]), f"/api/points/declarations/{decl['id']}/review", {"decision": "approve"},
              key="rv-1")
    assert rv.status_code == 200 and rv.json()["status"] == "publicising"
    services.publicity_post_due(now=timezone.now() + dt.timedelta(days=8))
    summary = c.get(f"/api/points/households/{setup['hh'].pk}").json()
    assert summary["balance"] == 10
    ledger = c.get(f"/api/points/households/{setup['hh'].pk}/ledger").json()
    assert [e["amount"] for e in ledger] == [10]


def test_posting_without_idempotency_key_is_refused(setup, points_site, api_login):
    r = post(api_login(setup["worker"]), "/api/points/declarations",
             {"household_id": setup["hh"].pk, "item_id": points_site.filial.pk,
              "occurred_on": timezone.localdate().isoformat()})
    assert r.status_code == 400 and r.json()["field"] == "Idempotency-Key"
    assert not PointsDeclaration.objects.exists()


@pytest.mark.parametrize("quantity", [0, -3])
def test_zero_or_negative_quantity_gets_a_clear_error(setup, points_site, quantity, api_login):
    r = post(api_login(setup["worker"]), "/api/points/declarations",
             {"household_id": setup["hh"].pk, "item_id": points_site.filial.pk,
              "occurred_on": timezone.localdate().isoformat(), "quantity": quantity}, key=f"q{quantity}")
    assert r.status_code == 400 and r.json()["field"] == "quantity"
    assert not PointsDeclaration.objects.exists()


def test_redemption_by_card_and_duplicate_key(setup, points_site, api_login):
    grant(setup["hh"], 30, "seed")
    card = services.card_issue(actor=setup["worker"], household=setup["hh"])
    c = api_login(setup["clerk"])
    assert c.get(f"/api/points/cards/{card.number}").json()["balance"] == 30
    body = {"card_number": card.number, "lines": [{"product_id": points_site.rice.pk, "quantity": 2}]}
    r = post(c, f"/api/points/shops/{points_site.shop.pk}/redemptions", body, key="till-77")
    assert r.status_code == 200, r.content
    assert (r.json()["balance_before"], r.json()["balance_after"]) == (30, 16)
    again = post(c, f"/api/points/shops/{points_site.shop.pk}/redemptions", body, key="till-77")
    assert again.status_code == 409 and again.json()["original"]["id"] == r.json()["id"]
    assert Redemption.objects.count() == 1
    assert PointsAccount.objects.get(household=setup["hh"]).balance == 16
    assert Product.objects.get(pk=points_site.rice.pk).stock == 3


def test_replaced_card_and_out_of_scope_household_are_refused(setup, points_site, district, make_household, api_login):
    grant(setup["hh"], 30, "seed")
    old = services.card_issue(actor=setup["worker"], household=setup["hh"])
    services.card_reissue(actor=setup["worker"], household=setup["hh"], reason="遗失")
    c = api_login(setup["clerk"])
    r = post(c, f"/api/points/shops/{points_site.shop.pk}/redemptions",
             {"card_number": old.number, "lines": [{"product_id": points_site.soap.pk, "quantity": 1}]}, key="a")
    assert r.status_code == 400 and r.json()["code"] == "card_replaced"
    outsider = make_household(district.grid_b1, head_name="钱七")
    grant(outsider, 30, "o")
    r = post(c, f"/api/points/shops/{points_site.shop.pk}/redemptions",
             {"household_id": outsider.pk, "lines": [{"product_id": points_site.soap.pk, "quantity": 1}]}, key="b")
    assert r.status_code == 400 and r.json()["code"] == "out_of_scope"
    assert not Redemption.objects.exists()


def test_objection_needs_no_login_and_is_refused_after_the_period(setup, points_site):
    decl = services.declaration_record(actor=setup["worker"], household_id=setup["hh"].pk, item=points_site.filial,
                                       occurred_on=timezone.localdate())
    services.declaration_review(actor=setup["reviewer"], declaration=decl, decision="approve")
    r = Client().post(f"/api/points/declarations/{decl.pk}/objections", {"reason": "不属实"},
                      content_type="application/json")
    assert r.status_code == 200
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.SUBMITTED
    r = Client().post(f"/api/points/declarations/{decl.pk}/objections", {"reason": "再次"},
                      content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "publicity_closed"


def test_grant_through_api_uses_exchange_rule(setup, points_site, api_login):
    c = api_login(setup["worker"])
    body = {"household_id": setup["hh"].pk, "event_code": "report.verified", "reason": "问题线索核实办结"}
    r = post(c, "/api/points/grants", body, key="g-1")
    assert r.status_code == 200 and r.json()["points"] == 10
    assert post(c, "/api/points/grants", body, key="g-1").status_code == 409
    assert PointsAccount.objects.get(household=setup["hh"]).balance == 10


def test_stock_moves_through_the_api(setup, points_site, api_login):
    c = api_login(setup["clerk"])
    r = post(c, f"/api/points/shops/{points_site.shop.pk}/stock",
             {"product_id": points_site.soap.pk, "kind": "receipt", "quantity": 0}, key="s0")
    assert r.status_code == 400 and r.json()["field"] == "quantity"
    r = post(c, f"/api/points/shops/{points_site.shop.pk}/stock",
             {"product_id": points_site.soap.pk, "kind": "receipt", "quantity": 20}, key="s1")
    assert r.status_code == 200 and r.json()["stock"] == 120


def test_too_few_points_and_too_little_stock_get_400_with_their_own_codes_not_the_replay_409(setup, points_site,
                                                                                              api_login):
    grant(setup["hh"], 10, "seed")
    c = api_login(setup["clerk"])
    url = f"/api/points/shops/{points_site.shop.pk}/redemptions"
    r = post(c, url, {"household_id": setup["hh"].pk, "lines": [{"product_id": points_site.rice.pk, "quantity": 2}]},
             key="poor")
    assert r.status_code == 400 and (r.json()["code"], r.json()["field"]) == ("insufficient_points", "points")
    grant(setup["hh"], 100, "more")
    r = post(c, url, {"household_id": setup["hh"].pk, "lines": [{"product_id": points_site.rice.pk, "quantity": 6}]},
             key="empty-shelf")
    assert r.status_code == 400 and (r.json()["code"], r.json()["field"]) == ("insufficient_stock", "lines")
    assert not Redemption.objects.exists()
    assert PointsAccount.objects.get(household=setup["hh"]).balance == 110
    assert Product.objects.get(pk=points_site.rice.pk).stock == 5
    r = post(c, f"/api/points/shops/{points_site.shop.pk}/stock",
             {"product_id": points_site.rice.pk, "kind": "adjustment", "quantity": -6, "note": "破损"}, key="s-minus")
    assert r.status_code == 400 and r.json()["code"] == "insufficient_stock"
    assert Product.objects.get(pk=points_site.rice.pk).stock == 5


def test_openapi_declares_409_only_as_a_replay_and_names_the_400_codes_of_a_redemption(client):
    doc = client.get("/api/openapi.json").json()
    op = doc["paths"]["/api/points/shops/{shop_id}/redemptions"]["post"]
    assert op["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/DuplicateOut")
    assert "insufficient_points" in op["responses"]["400"]["description"]
    assert "insufficient_stock" in op["responses"]["400"]["description"]
    assert "409" in op["description"] and "Idempotency-Key" in op["description"]
    for path in ("/api/points/declarations", "/api/points/grants", "/api/points/shops/{shop_id}/stock"):
        ref = doc["paths"][path]["post"]["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/DuplicateOut"), path


def test_objection_to_a_declaration_not_on_public_notice_is_answered_as_unknown(setup, points_site, district,
                                                                                make_household, make_user):
    from jiceng.points.models import PublicityObjection

    hidden = services.declaration_record(actor=setup["worker"], household_id=setup["hh"].pk, item=points_site.filial,
                                         occurred_on=timezone.localdate())
    other_hh = make_household(district.grid_b1, head_name="钱七")
    other = services.declaration_record(actor=make_user(Role.GRID_WORKER, district.grid_b1), household_id=other_hh.pk,
                                        item=points_site.filial, occurred_on=timezone.localdate())
    services.declaration_review(actor=make_user(Role.COMMUNITY_STAFF, district.comm_b), declaration=other,
                                decision="approve")
    unknown = Client().post("/api/points/declarations/999999/objections", {"reason": "x"},
                            content_type="application/json")
    assert unknown.status_code == 404
    not_public = Client().post(f"/api/points/declarations/{hidden.pk}/objections", {"reason": "不属实"},
                               content_type="application/json")
    assert (not_public.status_code, not_public.json()) == (404, unknown.json())
    elsewhere = Client().post(f"/api/points/declarations/{other.pk}/objections",
                              {"reason": "不属实", "community": district.comm_a.code}, content_type="application/json")
    assert (elsewhere.status_code, elsewhere.json()) == (404, unknown.json())
    assert not PublicityObjection.objects.exists()
    hidden.refresh_from_db()
    other.refresh_from_db()
    assert (hidden.status, other.status) == (DeclarationStatus.SUBMITTED, DeclarationStatus.PUBLICISING)
    ok = Client().post(f"/api/points/declarations/{other.pk}/objections",
                       {"reason": "不属实", "community": district.comm_b.code}, content_type="application/json")
    assert ok.status_code == 200
