"""Declaring, recording, reviewing and publicising points."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.points import services
from jiceng.points.models import DeclarationStatus, PointsAccount, PointsDeclaration, PointsLedgerEntry, PointsItem
from jiceng.points.services import ratings
from jiceng.people.models import Resident

from .conftest import yesterday


def _photo(photo_bytes, name="p.jpg"):
    return SimpleUploadedFile(name, photo_bytes, content_type="image/jpeg")


@pytest.fixture
def people(points_site, district, make_user, make_household):
    hh = make_household(district.grid_a1)
    other = make_household(district.grid_b1, head_name="李四")
    resident = Resident.objects.get(household=hh)
    return {
        "hh": hh, "other": other,
        "resident": make_user(Role.RESIDENT, district.grid_a1, resident=resident),
        "worker": make_user(Role.GRID_WORKER, district.grid_a1),
        "reviewer": make_user(Role.COMMUNITY_STAFF, district.comm_a),
        "reviewer_b": make_user(Role.COMMUNITY_STAFF, district.comm_b),
    }


def test_resident_declares_with_photo_and_reviewer_approves_into_publicity(people, points_site, photo_bytes):
    decl = services.declaration_submit(actor=people["resident"], household_id=people["hh"].pk, item=points_site.clean,
                                       occurred_on=yesterday(), description="清理楼道", photo=_photo(photo_bytes))
    assert decl.status == DeclarationStatus.SUBMITTED and decl.points == 5 and decl.photo.name.endswith(".jpg")
    now = timezone.now()
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve", now=now)
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.PUBLICISING
    assert decl.publicity_ends_at == now + dt.timedelta(days=7)


def test_evidence_required_item_refuses_declaration_without_photo(people, points_site):
    with pytest.raises(JicengError) as exc:
        services.declaration_submit(actor=people["resident"], household_id=people["hh"].pk, item=points_site.clean,
                                    occurred_on=yesterday())
    assert exc.value.field == "photo"
    assert not PointsDeclaration.objects.exists()


def test_non_image_photo_is_refused(people, points_site):
    with pytest.raises(JicengError) as exc:
        services.declaration_submit(actor=people["resident"], household_id=people["hh"].pk, item=points_site.clean,
                                    occurred_on=yesterday(), photo=SimpleUploadedFile("x.jpg", b"not an image"))
    assert exc.value.code == "bad_image"
    assert not PointsDeclaration.objects.exists()


def test_resident_cannot_declare_for_another_household(people, points_site):
    from jiceng.core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.declaration_submit(actor=people["resident"], household_id=people["other"].pk, item=points_site.filial,
                                    occurred_on=yesterday())


def test_cap_per_month_is_enforced(people, points_site, photo_bytes):
    on = yesterday()
    services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.clean,
                                occurred_on=on, quantity=3, photo=_photo(photo_bytes))
    with pytest.raises(JicengError) as exc:
        services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.clean,
                                    occurred_on=on, quantity=2, photo=_photo(photo_bytes))
    assert "超出限额" in exc.value.message and "最多 4 次" in exc.value.message
    assert PointsDeclaration.objects.count() == 1


@pytest.mark.parametrize("quantity", [0, -1])
def test_zero_or_negative_quantity_is_refused(people, points_site, quantity):
    with pytest.raises(JicengError) as exc:
        services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                    occurred_on=yesterday(), quantity=quantity)
    assert exc.value.field == "quantity"
    assert not PointsDeclaration.objects.exists()


def test_retired_item_and_superseded_version_are_refused(people, points_site, admin):
    new = services.item_update(actor=admin, item=points_site.filial, points=12)
    assert new.version == 2 and new.points == 12
    with pytest.raises(JicengError) as exc:
        services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                    occurred_on=yesterday())
    assert exc.value.field == "item"
    services.item_retire(actor=admin, item=new)
    with pytest.raises(JicengError):
        services.declaration_record(actor=people["worker"], household_id=people["hh"].pk,
                                    item=PointsItem.objects.get(pk=new.pk), occurred_on=yesterday())
    assert not PointsDeclaration.objects.exists()


def test_changing_an_item_never_changes_points_already_granted(people, points_site, admin):
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                       occurred_on=yesterday())
    services.item_update(actor=admin, item=points_site.filial, points=20)
    decl.refresh_from_db()
    assert decl.points == 10 and decl.item.version == 1


def test_overridden_item_below_replaces_the_inherited_one(points_site, admin, district):
    services.item_create(actor=admin, org_unit=district.comm_a, code="XL01", category_id=points_site.filial.category_id,
                         name="照顾孤寡老人（甲社区）", points=15)
    services.item_create(actor=admin, org_unit=district.comm_a, code="HJ90", category_id=points_site.litter.category_id,
                         name="乱扔垃圾", points=-5, is_active=False)
    at_a = {i.code: i for i in services.effective_items(district.grid_a1)}
    at_b = {i.code: i for i in services.effective_items(district.grid_b1)}
    assert at_a["XL01"].points == 15 and at_b["XL01"].points == 10
    assert "HJ90" not in at_a and "HJ90" in at_b


def test_reviewer_cannot_approve_their_own_record(people, points_site, district, make_user):
    reviewer = people["reviewer"]
    decl = services.declaration_record(actor=reviewer, household_id=people["hh"].pk, item=points_site.filial,
                                       occurred_on=yesterday())
    with pytest.raises(PermissionDeniedError):
        services.declaration_review(actor=reviewer, declaration=decl, decision="approve")
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.SUBMITTED


def test_reviewer_outside_scope_and_reject_without_reason_are_refused(people, points_site):
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                       occurred_on=yesterday())
    with pytest.raises(PermissionDeniedError):
        services.declaration_review(actor=people["reviewer_b"], declaration=decl, decision="approve")
    with pytest.raises(JicengError) as exc:
        services.declaration_review(actor=people["reviewer"], declaration=decl, decision="reject")
    assert exc.value.field == "review_note"
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="reject", note="照片不清楚")
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.REJECTED and decl.review_note == "照片不清楚"


def test_adjusted_points_are_what_posts(people, points_site):
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                       occurred_on=yesterday())
    now = timezone.now()
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="adjust", points=6,
                                note="只照顾了半天", now=now)
    services.publicity_post_due(now=now + dt.timedelta(days=8))
    assert PointsAccount.objects.get(household=people["hh"]).balance == 6


def test_publicity_job_posts_exactly_once_even_if_run_twice(people, points_site):
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                       occurred_on=yesterday())
    now = timezone.now()
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve", now=now)
    assert services.publicity_post_due(now=now + dt.timedelta(days=6)) == 0
    later = now + dt.timedelta(days=7, seconds=1)
    assert services.publicity_post_due(now=later) == 1
    assert services.publicity_post_due(now=later) == 0
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.POSTED
    assert PointsLedgerEntry.objects.filter(source_type="points.declaration", source_id=str(decl.pk)).count() == 1
    assert PointsAccount.objects.get(household=people["hh"]).balance == 10


def test_objection_sends_back_to_review_and_stops_posting(people, points_site):
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                       occurred_on=yesterday())
    now = timezone.now()
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve", now=now)
    services.objection_lodge(declaration_id=decl.pk, reason="这位老人是他自己的父亲", now=now + dt.timedelta(days=2))
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.SUBMITTED
    assert services.publicity_post_due(now=now + dt.timedelta(days=30)) == 0
    assert not PointsLedgerEntry.objects.exists()


def test_objection_after_period_closed_is_refused(people, points_site):
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                       occurred_on=yesterday())
    now = timezone.now()
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve", now=now)
    with pytest.raises(JicengError) as exc:
        services.objection_lodge(declaration_id=decl.pk, reason="晚了", now=now + dt.timedelta(days=7, minutes=1))
    assert exc.value.code == "publicity_closed"
    assert not decl.objections.exists()


def test_negative_item_deducts_but_never_below_zero(people, points_site):
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.litter,
                                       occurred_on=yesterday())
    now = timezone.now()
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve", now=now)
    services.publicity_post_due(now=now + dt.timedelta(days=8))
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.POSTED and decl.ledger_entry is None
    # Nothing to take from a household that never had points: no entry, and no account opened for it.
    assert not PointsAccount.objects.filter(household=people["hh"]).exists()


def test_event_bulk_recording_is_all_or_nothing(people, points_site, district, make_household):
    second = make_household(district.grid_a1, head_name="王五")
    event, decls = services.event_record(actor=people["worker"], org_unit=district.grid_a1, name="周六大扫除",
                                         held_on=yesterday(), item=points_site.filial,
                                         household_ids=[people["hh"].pk, second.pk])
    assert len(decls) == 2 and all(d.event_id == event.pk for d in decls)
    with pytest.raises(JicengError):
        services.event_record(actor=people["worker"], org_unit=district.grid_a1, name="再来",
                              held_on=yesterday(), item=points_site.filial,
                              household_ids=[people["hh"].pk, people["other"].pk])
    assert PointsDeclaration.objects.count() == 2


def test_grant_points_uses_exchange_rule_and_is_idempotent(people, points_site, admin):
    d1 = services.grant_points(actor=admin, household=people["hh"], event_code="report.verified",
                               idempotency_key="report:17", reason="问题线索核实办结", source_type="reports.report",
                               source_id=17)
    d2 = services.grant_points(actor=admin, household=people["hh"], event_code="report.verified",
                               idempotency_key="report:17", reason="问题线索核实办结")
    assert d1.pk == d2.pk and d1.points == 10
    assert PointsAccount.objects.get(household=people["hh"]).balance == 10


def test_star_ratings_by_threshold_and_by_category(people, points_site, admin):
    on = yesterday()
    start, end, label = ratings.period_bounds("quarter", on.year, (on.month - 1) // 3 + 1)
    for item in (points_site.filial, points_site.filial):
        decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=item,
                                           occurred_on=on)
        services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve")
    services.publicity_post_due(now=timezone.now() + dt.timedelta(days=8))
    services.ratings_evaluate(actor=admin, programme=points_site.programme, start=start, end=end, label=label)
    rating = people["hh"].star_ratings.get()
    assert rating.score == 20 and rating.stars == 2      # thresholds 10,20,40,60,80
    services.programme_update(actor=admin, programme=points_site.programme, rating_method="category")
    services.ratings_evaluate(actor=admin, programme=points_site.programme, start=start, end=end, label=label)
    assert people["hh"].star_ratings.get().stars == 1   # one category earned


def test_exchange_rule_change_applies_to_new_grants_only(people, points_site, admin):
    from jiceng.points.models import ExchangeRule
    from jiceng.points.services.programme import exchange_rule_update, suggested_price

    first = services.grant_points(actor=admin, household=people["hh"], event_code="report.verified",
                                  idempotency_key="r1", reason="线索1")
    rule = ExchangeRule.objects.get(programme=points_site.programme, event_code="report.verified")
    exchange_rule_update(actor=admin, rule=rule, points=15)
    second = services.grant_points(actor=admin, household=people["hh"], event_code="report.verified",
                                   idempotency_key="r2", reason="线索2")
    first.refresh_from_db()
    assert (first.points, second.points) == (10, 15)
    with pytest.raises(JicengError):
        exchange_rule_update(actor=admin, rule=rule, points=0)
    assert suggested_price(points_site.programme, 5) == 10     # 10 points buy 5 yuan


def test_reversal_through_the_household_page(people, points_site, client):
    from tests.conftest import PASSWORD

    services.grant_points(actor=people["reviewer"], household=people["hh"], event_code="report.verified",
                          idempotency_key="r1", reason="线索1")
    assert client.login(username=people["reviewer"].username, password=PASSWORD)
    r = client.post(f"/points/households/{people['hh'].pk}/entries/1/reverse/", {"reason": "重复奖励"})
    assert r.status_code == 302
    assert PointsAccount.objects.get(household=people["hh"]).balance == 0
    client.logout()
    assert client.login(username=people["worker"].username, password=PASSWORD)
    r = client.post(f"/points/households/{people['hh'].pk}/entries/1/reverse/", {"reason": "再冲一次"})
    assert r.status_code == 404   # a grid worker does not reverse entries
