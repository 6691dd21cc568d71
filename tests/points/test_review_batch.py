"""Review (审核): records with an open objection or missing evidence are resolved before approval;
several records are approved or rejected at once (one transaction per record), on the page and by the API."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.audit.models import AuditEntry
from jiceng.core.errors import JicengError
from jiceng.points import services
from jiceng.points.models import DeclarationStatus, PointsDeclaration, PublicityObjection
from jiceng.people.models import Resident

from .conftest import yesterday


@pytest.fixture
def people(points_site, district, make_user, make_household):
    hh = make_household(district.grid_a1)
    other = make_household(district.grid_a1, head_name="李四")
    return {
        "hh": hh, "other": other,
        "resident": make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh)),
        "worker": make_user(Role.GRID_WORKER, district.grid_a1),
        "reviewer": make_user(Role.COMMUNITY_STAFF, district.comm_a),
    }


def _record(people, site, hh="hh"):
    return services.declaration_record(actor=people["worker"], household_id=people[hh].pk, item=site.filial,
                                       occurred_on=yesterday())


def _objected(people, site):
    """A record approved, then objected to during its publicity: back in the queue with an open objection."""
    decl = _record(people, site)
    now = timezone.now()
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve", now=now)
    services.objection_lodge(declaration_id=decl.pk, reason="这位老人是他自己的父亲", now=now + dt.timedelta(hours=1))
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.SUBMITTED
    return decl


def _without_photo(people, site, photo_bytes):
    """A record of an item that requires a photo, whose photo is missing (an older record, or one whose file was lost)."""
    decl = services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=site.clean,
                                       occurred_on=yesterday(),
                                       photo=SimpleUploadedFile("p.jpg", photo_bytes, content_type="image/jpeg"))
    PointsDeclaration.objects.filter(pk=decl.pk).update(photo="")
    decl.refresh_from_db()
    return decl


def _state(decl):
    decl.refresh_from_db()
    return decl.status, decl.reviewed_by_id, decl.review_note, decl.publicity_ends_at


def test_record_with_open_objection_cannot_be_approved_until_the_objection_is_resolved(people, points_site):
    decl = _objected(people, points_site)
    before = _state(decl)
    for decision, points in (("approve", None), ("adjust", 8)):
        with pytest.raises(JicengError) as exc:
            services.declaration_review(actor=people["reviewer"], declaration=decl, decision=decision,
                                        points=points, note="核实")
        assert exc.value.field == "objections" and "异议" in exc.value.message
    assert _state(decl) == before
    with pytest.raises(JicengError) as exc:
        services.objection_resolve(actor=people["reviewer"], declaration=decl, note="  ")
    assert exc.value.field == "resolution_note"
    services.objection_resolve(actor=people["reviewer"], declaration=decl, note="已走访核实：老人是独居邻居，非亲属")
    objection = PublicityObjection.objects.get(declaration=decl)
    assert objection.resolved_by == people["reviewer"] and objection.resolution_note.startswith("已走访核实")
    assert AuditEntry.objects.filter(action="points.declaration.objection_resolved", object_id=str(decl.pk)).count() == 1
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve")
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.PUBLICISING


def test_record_with_open_objection_may_still_be_rejected(people, points_site):
    decl = _objected(people, points_site)
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="reject", note="异议属实")
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.REJECTED
    assert not PublicityObjection.objects.filter(declaration=decl, resolved_at__isnull=True).exists()


def test_record_missing_its_required_photo_cannot_be_approved_until_a_photo_is_added(people, points_site, photo_bytes):
    decl = _without_photo(people, points_site, photo_bytes)
    before = _state(decl)
    with pytest.raises(JicengError) as exc:
        services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve")
    assert exc.value.field == "photo" and "佐证照片" in exc.value.message
    assert _state(decl) == before
    services.declaration_add_evidence(actor=people["worker"], declaration=decl,
                                      photo=SimpleUploadedFile("q.jpg", photo_bytes, content_type="image/jpeg"))
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve")
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.PUBLICISING and decl.photo


def test_batch_approval_is_one_transaction_per_record_and_names_each_refusal(people, points_site, photo_bytes):
    first, second = _record(people, points_site), _record(people, points_site, "other")
    objected = _objected(people, points_site)
    no_photo = _without_photo(people, points_site, photo_bytes)
    held = {d.pk: _state(d) for d in (objected, no_photo)}
    result = services.declarations_review_batch(
        actor=people["reviewer"], declaration_ids=[first.pk, objected.pk, second.pk, no_photo.pk, 999999],
        decision="approve", note="材料齐全")
    assert [d.pk for d in result["done"]] == [first.pk, second.pk]
    refused = {pk: msg for pk, _d, msg in result["refused"]}
    assert set(refused) == {objected.pk, no_photo.pk, 999999}
    assert "异议" in refused[objected.pk] and "佐证照片" in refused[no_photo.pk]
    assert "#999999" in refused[999999]
    for d in (first, second):
        d.refresh_from_db()
        assert d.status == DeclarationStatus.PUBLICISING and d.review_note == "材料齐全"
    assert {pk: _state(d) for pk, d in ((objected.pk, objected), (no_photo.pk, no_photo))} == held


def test_batch_rejection_needs_a_note_and_then_rejects_every_record(people, points_site):
    decls = [_record(people, points_site), _record(people, points_site, "other")]
    with pytest.raises(JicengError) as exc:
        services.declarations_review_batch(actor=people["reviewer"], declaration_ids=[d.pk for d in decls],
                                           decision="reject")
    assert exc.value.field == "review_note"
    assert all(_state(d)[0] == DeclarationStatus.SUBMITTED for d in decls)
    result = services.declarations_review_batch(actor=people["reviewer"], declaration_ids=[d.pk for d in decls],
                                                decision="reject", note="同一活动重复记录")
    assert len(result["done"]) == 2 and not result["refused"]
    assert all(_state(d)[:3:2] == (DeclarationStatus.REJECTED, "同一活动重复记录") for d in decls)


def test_batch_refuses_records_outside_the_reviewers_scope_as_unknown(people, points_site, district, make_user):
    decl = _record(people, points_site)
    outsider = make_user(Role.COMMUNITY_STAFF, district.comm_b)
    result = services.declarations_review_batch(actor=outsider, declaration_ids=[decl.pk], decision="approve")
    assert not result["done"] and result["refused"][0][1] is None
    assert _state(decl)[0] == DeclarationStatus.SUBMITTED


def test_review_page_approves_ticked_records_and_offers_no_tick_for_blocked_ones(people, points_site, client):
    first, second = _record(people, points_site), _record(people, points_site, "other")
    objected = _objected(people, points_site)
    client.force_login(people["reviewer"])
    page = client.get("/points/review/").content.decode()
    assert f'name="ids" value="{first.pk}"' in page and f'name="ids" value="{objected.pk}"' not in page
    assert "有异议" in page and "批量通过" in page
    r = client.post("/points/review/", {"ids": [first.pk, second.pk, objected.pk], "decision": "approve", "note": ""},
                    follow=True)
    text = r.content.decode()
    assert "已批量通过 2 条" in text and "异议" in text
    assert [_state(d)[0] for d in (first, second, objected)] == [
        DeclarationStatus.PUBLICISING, DeclarationStatus.PUBLICISING, DeclarationStatus.SUBMITTED]
    r = client.post("/points/review/", {"decision": "approve"}, follow=True)
    assert "请至少勾选一条待审核记录" in r.content.decode()


def test_declaration_page_resolves_the_objection_then_approves(people, points_site, client):
    decl = _objected(people, points_site)
    client.force_login(people["reviewer"])
    page = client.get(f"/points/declarations/{decl.pk}/").content.decode()
    assert "暂不能审核通过" in page and "异议已核实处理" in page
    r = client.post(f"/points/declarations/{decl.pk}/", {"action": "review", "decision": "approve", "note": ""})
    assert r.status_code == 200 and "公示异议未处理" in r.content.decode()
    assert _state(decl)[0] == DeclarationStatus.SUBMITTED
    client.post(f"/points/declarations/{decl.pk}/", {"action": "resolve", "note": "核实无误"})
    r = client.post(f"/points/declarations/{decl.pk}/", {"action": "review", "decision": "approve", "note": ""})
    assert r.status_code == 302
    assert _state(decl)[0] == DeclarationStatus.PUBLICISING


def test_api_batch_review_and_objection_resolution(people, points_site, photo_bytes, api_login):
    first = _record(people, points_site)
    objected = _objected(people, points_site)
    no_photo = _without_photo(people, points_site, photo_bytes)
    c = api_login(people["reviewer"])
    shown = c.get(f"/api/points/declarations/{objected.pk}").json()
    assert shown["open_objections"] == 1 and len(shown["approval_blockers"]) == 1
    assert c.get(f"/api/points/declarations/{no_photo.pk}").json()["has_photo"] is False
    r = c.post("/api/points/declarations/review-batch",
               {"declaration_ids": [first.pk, objected.pk, no_photo.pk], "decision": "approve"},
               content_type="application/json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [d["id"] for d in body["done"]] == [first.pk] and body["done"][0]["status"] == "publicising"
    assert [x["id"] for x in body["refused"]] == [objected.pk, no_photo.pk]
    r = c.post(f"/api/points/declarations/{objected.pk}/objections/resolve", {"note": "核实无误"},
               content_type="application/json")
    assert r.status_code == 200, r.content
    r = c.post(f"/api/points/declarations/{no_photo.pk}/evidence",
               {"photo_base64": base64.b64encode(photo_bytes).decode()}, content_type="application/json")
    assert r.status_code == 200, r.content
    r = c.post("/api/points/declarations/review-batch",
               {"declaration_ids": [objected.pk, no_photo.pk], "decision": "approve"},
               content_type="application/json", HTTP_IDEMPOTENCY_KEY="batch-2")
    assert [d["id"] for d in r.json()["done"]] == [objected.pk, no_photo.pk]
