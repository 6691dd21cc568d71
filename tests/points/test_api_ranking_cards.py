"""Points API: the red and black lists (红黑榜) for one stated period, the cards list and issuing, ratings,
reversal — each scoped like its page."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.points import services
from jiceng.points.models import CardStatus, PointsCard, StarRating

from .conftest import grant


@pytest.fixture
def site(points_site, district, make_household, make_user):
    good = make_household(district.grid_a1, head_name="王大山")
    bad = make_household(district.grid_a1, head_name="赵小河")
    quiet = make_household(district.grid_a2, head_name="孙平")
    far = make_household(district.grid_b1, head_name="钱多")
    return {"good": good, "bad": bad, "quiet": quiet, "far": far,
            "worker": make_user(Role.GRID_WORKER, district.grid_a1),
            "staff": make_user(Role.COMMUNITY_STAFF, district.comm_a),
            "staff_b": make_user(Role.COMMUNITY_STAFF, district.comm_b),
            "street": make_user(Role.STREET_ADMIN, district.street)}


def _posted(site, hh, item, quantity=1, worker="worker", reviewer="staff"):
    """A record made by a worker, approved by another person, and posted when its publicity is over."""
    decl = services.declaration_record(actor=site[worker], household_id=hh.pk, item=item, quantity=quantity,
                                       occurred_on=timezone.localdate())
    services.declaration_review(actor=site[reviewer], declaration=decl, decision="approve")
    services.publicity_post_due(now=timezone.now() + dt.timedelta(days=8))


def test_ranking_names_one_period_and_lists_top_and_bottom_masked(site, points_site, district, api_login, make_user):
    _posted(site, site["good"], points_site.filial, quantity=3)
    _posted(site, site["bad"], points_site.filial)
    _posted(site, site["bad"], points_site.litter)
    site["worker_b"] = make_user(Role.GRID_WORKER, district.grid_b1)
    _posted(site, site["far"], points_site.filial, quantity=5, worker="worker_b", reviewer="staff_b")
    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    c = api_login(site["staff"])
    r = c.get(f"/api/points/ranking?org_unit_id={district.comm_a.pk}&year={today.year}&quarter={q}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["period_label"] == f"{today.year}年第{q}季度"
    assert body["start"] == dt.date(today.year, 3 * q - 2, 1).isoformat()
    assert [(x["household_id"], x["score"]) for x in body["top"]] == [(site["good"].pk, 30), (site["bad"].pk, 5)]
    assert body["bottom"] == []
    assert body["top"][0]["head_name_masked"] == "王*山"
    assert set(body["star_counts"]) == {"0", "1", "2", "3", "4", "5"}
    # Outside the caller's scope: the same answer as an unknown unit.
    assert c.get(f"/api/points/ranking?org_unit_id={district.comm_b.pk}").status_code == 404


def test_cards_are_listed_by_unit_and_issued_in_bulk_and_one_by_one(site, district, api_login):
    c = api_login(site["worker"])
    assert c.get(f"/api/points/cards?org_unit_id={district.grid_a1.pk}").json() == []
    r = c.post(f"/api/points/units/{district.grid_a1.pk}/cards")
    assert r.status_code == 200 and r.json() == {"issued": 2}
    listed = c.get(f"/api/points/cards?org_unit_id={district.grid_a1.pk}").json()
    assert sorted(x["household_id"] for x in listed) == sorted([site["good"].pk, site["bad"].pk])
    assert all(x["status"] == "active" and "*" in x["head_name_masked"] for x in listed)
    old = PointsCard.objects.get(household=site["good"])
    r = c.post(f"/api/points/households/{site['good'].pk}/card/reissue", {"reason": "丢失"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["number"] != old.number
    old.refresh_from_db()
    assert old.status == CardStatus.REPLACED
    replaced = c.get(f"/api/points/cards?org_unit_id={district.grid_a1.pk}&status=replaced").json()
    assert [x["number"] for x in replaced] == [old.number]
    # Another unit's cards and households are not the worker's.
    assert c.get(f"/api/points/cards?org_unit_id={district.grid_b1.pk}").status_code == 404
    assert c.post(f"/api/points/households/{site['far'].pk}/card").status_code == 404


def test_ratings_are_evaluated_through_the_api_by_the_points_manager_only(site, points_site, api_login):
    _posted(site, site["good"], points_site.filial, quantity=3)
    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    assert api_login(site["worker"]).post("/api/points/ratings", {"year": today.year, "quarter": q},
                                          content_type="application/json").status_code == 403
    r = api_login(site["street"]).post("/api/points/ratings", {"year": today.year, "quarter": q},
                                       content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["period_label"] == f"{today.year}年第{q}季度"
    assert r.json()["households"] == StarRating.objects.count() > 0


def test_a_ledger_entry_is_reversed_through_the_api(site, api_login, admin):
    entry = grant(site["good"], 30, "g1", admin)
    c = api_login(site["staff"])
    r = c.post(f"/api/points/households/{site['good'].pk}/ledger/{entry.seq}/reverse", {"reason": "重复录入"},
               content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["amount"] == -30 and r.json()["balance_after"] == 0
    assert c.post(f"/api/points/households/{site['good'].pk}/ledger/999/reverse", {"reason": "x"},
                  content_type="application/json").status_code == 404
