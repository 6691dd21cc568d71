"""Two-committee teams by term: terms that may not overlap, members from the unit's registry, and the
comparison with the last term equal to a hand computation."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.leadership import services
from jiceng.leadership.models import Term


def _term(site, number, elected, **kw):
    return services.term_create(actor=site.leader, org_unit=site.district.comm_a, number=number, elected_on=elected, **kw)


def test_a_term_that_overlaps_the_last_is_refused_and_nothing_is_written(site):
    first = _term(site, 11, dt.date(2021, 3, 1), ends_on=dt.date(2026, 3, 1))
    with pytest.raises(JicengError) as e:
        _term(site, 12, dt.date(2025, 12, 1))
    assert e.value.field == "elected_on" and "第11届" in e.value.message and "重叠" in e.value.message
    with pytest.raises(JicengError) as e:
        _term(site, 10, dt.date(2019, 1, 1))
    assert "重叠" in str(e.value.errors["elected_on"][0]) and "number" in e.value.errors
    assert Term.objects.unscoped("test").filter(org_unit=site.district.comm_a).count() == 1
    second = _term(site, 12, dt.date(2026, 3, 1))
    assert second.number == 12
    first.refresh_from_db()
    assert first.ends_on == dt.date(2026, 3, 1)


def test_an_open_last_term_is_closed_by_the_next_election(site):
    first = _term(site, 11, dt.date(2021, 3, 1))
    _term(site, 12, dt.date(2026, 3, 5))
    first.refresh_from_db()
    assert first.ends_on == dt.date(2026, 3, 5)


def test_a_member_outside_the_units_registry_is_refused_naming_the_field(site):
    term = _term(site, 12, dt.date(2026, 3, 1))
    with pytest.raises(JicengError) as e:
        services.member_add(actor=site.leader, term=term, resident=site.people["外人"], party_post="secretary",
                            education="bachelor")
    assert e.value.field == "resident" and "不在" in e.value.message
    with pytest.raises(JicengError) as e:
        services.member_add(actor=site.leader, term=term, resident=site.people["王强"], education="bachelor")
    assert "party_post" in e.value.errors
    assert not term.members.exists()


def test_only_the_township_records_teams(site):
    with pytest.raises(PermissionDeniedError):
        services.term_create(actor=site.staff_a, org_unit=site.district.comm_a, number=1, elected_on="2026-03-01")


def test_term_comparison_equals_a_hand_computation(site):
    p = site.people
    last = _term(site, 11, dt.date(2021, 3, 1))
    # Last term: 张建国 (b. 1968-03-02 → 52 on 2021-03-01), 李秀兰 (1975-07-09 → 45), 王强 (1980-12-30 → 40).
    for name, party, committee, edu in [("张建国", "secretary", "director", "senior"),
                                        ("李秀兰", "", "deputy", "junior"), ("王强", "member", "", "college")]:
        services.member_add(actor=site.leader, term=last, resident=p[name], party_post=party, committee_post=committee,
                            education=edu)
    now = _term(site, 12, dt.date(2026, 3, 1))
    # This term: 王强 (→ 45), 赵敏 (1992-01-15 → 34), 刘洋 (1995-06-01 → 30), 陈静 (1990-10-10 → 35).
    for name, party, committee, edu in [("王强", "secretary", "director", "bachelor"), ("赵敏", "member", "", "bachelor"),
                                        ("刘洋", "", "member", "college"), ("陈静", "deputy", "deputy", "senior")]:
        services.member_add(actor=site.leader, term=now, resident=p[name], party_post=party, committee_post=committee,
                            education=edu)
    # A member who joined later does not count among those elected.
    services.member_add(actor=site.leader, term=now, resident=p["李秀兰"], committee_post="member", education="junior",
                        joined_on=dt.date(2026, 6, 1), reason="补选")
    c = services.term_comparison(now)
    assert c["previous_term"] == last
    assert c["previous"] == {"members": 3, "average_age": Decimal("45.7"), "under_35": 0, "college": 1, "women": 1,
                             "party_members": 0, "cross_held": 1}
    assert c["now"] == {"members": 4, "average_age": Decimal("36.0"), "under_35": 2, "college": 3, "women": 2,
                        "party_members": 0, "cross_held": 1}
    assert c["change"]["average_age"] == Decimal("-9.7")
    assert c["change"]["under_35"] == 2 and c["change"]["college"] == 2 and c["change"]["members"] == 1
    sec = services.secretaries_comparison([now], [last])
    assert sec["now"]["average_age"] == Decimal("45.0") and sec["previous"]["average_age"] == Decimal("52.0")
    assert sec["change"]["average_age"] == Decimal("-7.0")


def test_leaving_is_an_adjustment_and_a_second_secretary_waits_for_it(site):
    p = site.people
    term = _term(site, 12, dt.date(2026, 3, 1))
    sec = services.member_add(actor=site.leader, term=term, resident=p["王强"], party_post="secretary",
                              education="bachelor")
    with pytest.raises(JicengError) as e:
        services.member_add(actor=site.leader, term=term, resident=p["赵敏"], party_post="secretary",
                            education="bachelor", joined_on="2026-08-01", reason="调任")
    assert e.value.field == "party_post"
    with pytest.raises(JicengError) as e:
        services.member_leave(actor=site.leader, member=sec, on="2025-01-01", reason="调任")
    assert e.value.field == "on"
    services.member_leave(actor=site.leader, member=sec, on="2026-07-31", reason="调任乡镇")
    services.member_add(actor=site.leader, term=term, resident=p["赵敏"], party_post="secretary",
                        education="bachelor", joined_on="2026-08-01", reason="补选书记")
    assert [a.kind for a in term.adjustments.order_by("on")] == ["left", "joined"]


def test_pledges_and_management_one_level_up(site):
    p = site.people
    term = _term(site, 12, dt.date(2026, 3, 1))
    sec = services.member_add(actor=site.leader, term=term, resident=p["王强"], party_post="secretary",
                              education="bachelor")
    pledge = services.pledge_add(actor=site.leader, term=term, member=sec, text="每周坐班不少于 3 天")
    with pytest.raises(JicengError):
        services.pledge_check(actor=site.leader, pledge=pledge, kept=False)
    services.pledge_check(actor=site.leader, pledge=pledge, kept=True, note="值班记录核实")
    mu = services.managed_up_start(actor=site.leader, member=sec, direction="negative", reason="集体经济收入连续两年未达标",
                                   starts_on="2026-04-01", review_on="2026-10-01")
    with pytest.raises(JicengError):
        services.managed_up_start(actor=site.leader, member=sec, direction="negative", reason="重复",
                                  starts_on="2026-04-02", review_on="2026-10-01")
    services.managed_up_end(actor=site.leader, managed=mu, outcome="整改到位，解除提级管理", on=dt.date(2026, 10, 8))
