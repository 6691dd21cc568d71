"""Selections: nominate → review → publicity → award; never an award before the publicity ends, and an open
objection stops it."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.leadership import services
from jiceng.leadership.models import Nomination, NominationStatus, SelectionStatus


@pytest.fixture
def selection(site):
    return services.selection_create(actor=site.leader, org_unit=site.district.street, title="红旗党支部", kind="branch",
                                     year=2026, publicity_days=5)


def _publicised(site, selection, units):
    noms = [services.nominate(actor=site.leader, selection=selection, unit=u, deeds="组织有力，群众满意") for u in units]
    for n in noms:
        services.nomination_review(actor=site.leader, nomination=n, approve=True)
    start = timezone.now() - dt.timedelta(days=1)
    services.publicity_start(actor=site.leader, selection=selection, now=start)
    selection.refresh_from_db()
    return noms, start


def test_no_award_before_the_publicity_ends(site, selection):
    noms, start = _publicised(site, selection, [site.district.grid_a1])
    with pytest.raises(JicengError) as e:
        services.selection_award(actor=site.leader, selection=selection)
    assert e.value.code == "publicity_running" and e.value.field == "publicity_ends_at"
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.PUBLICITY
    assert Nomination.objects.unscoped("test").get(pk=noms[0].pk).status == NominationStatus.APPROVED
    services.selection_award(actor=site.leader, selection=selection, now=start + dt.timedelta(days=5))
    assert Nomination.objects.unscoped("test").get(pk=noms[0].pk).status == NominationStatus.AWARDED


def test_an_open_objection_stops_the_award_and_an_upheld_one_withdraws_the_nominee(site, selection):
    (a, b), start = _publicised(site, selection, [site.district.grid_a1, site.district.grid_b1])
    obj = services.objection_file(nomination_id=a.pk, text="该支部今年组织生活未按时开展", contact="138****")
    after = start + dt.timedelta(days=6)
    with pytest.raises(JicengError) as e:
        services.selection_award(actor=site.leader, selection=selection, now=after)
    assert e.value.code == "open_objection" and "甲一网格" in e.value.message
    services.objection_resolve(actor=site.leader, objection=obj, upheld=True, resolution="经核实属实，撤销推荐")
    services.selection_award(actor=site.leader, selection=selection, now=after)
    statuses = dict(Nomination.objects.unscoped("test").values_list("nominee_name", "status"))
    assert statuses == {"甲一网格": NominationStatus.WITHDRAWN, "乙一网格": NominationStatus.AWARDED}


def test_objections_only_while_the_publicity_runs(site, selection):
    (a,), start = _publicised(site, selection, [site.district.grid_a1])
    with pytest.raises(JicengError) as e:
        services.objection_file(nomination_id=a.pk, text="晚了", now=start + dt.timedelta(days=5, seconds=1))
    assert e.value.code == "publicity_closed"
    with pytest.raises(NotFoundError):
        services.objection_file(nomination_id=a.pk + 999, text="不存在")


def test_nominations_follow_the_kind_the_scope_and_the_stage(site, selection):
    with pytest.raises(JicengError) as e:
        services.nominate(actor=site.leader, selection=selection, resident=site.people["王强"], deeds="x")
    assert "nominee_unit" in e.value.errors
    with pytest.raises(PermissionDeniedError):
        services.nominate(actor=site.staff_a, selection=selection, unit=site.district.grid_b1, deeds="跨社区推荐")
    n = services.nominate(actor=site.staff_a, selection=selection, unit=site.district.grid_a1, deeds="本社区推荐")
    with pytest.raises(JicengError):
        services.nominate(actor=site.leader, selection=selection, unit=site.district.grid_a1, deeds="重复")
    with pytest.raises(JicengError) as e:
        services.publicity_start(actor=site.leader, selection=selection)
    assert e.value.code == "pending"
    with pytest.raises(PermissionDeniedError):
        services.nomination_review(actor=site.staff_a, nomination=n, approve=True)
    with pytest.raises(JicengError) as e:
        services.nomination_review(actor=site.leader, nomination=n, approve=False)
    assert e.value.field == "review_note"


def test_commendations_tie_to_the_unit_they_thank(site):
    c = services.commendation_record(actor=site.staff_a, org_unit=site.district.comm_a, kind="banner", giver="张大爷",
                                     text="为民解忧 情系百姓", received_on="2026-11-02", errand="楼道漏水修好了")
    assert c.org_path == site.district.comm_a.path
    with pytest.raises(PermissionDeniedError):
        services.commendation_record(actor=site.staff_b, org_unit=site.district.comm_a, kind="banner", giver="x",
                                     text="y", received_on="2026-11-02")
    with pytest.raises(JicengError) as e:
        services.commendation_record(actor=site.staff_a, org_unit=site.district.comm_a, kind="banner", giver="",
                                     text="", received_on="2026-13-40")
    assert {"giver", "text", "received_on"} <= set(e.value.errors)
