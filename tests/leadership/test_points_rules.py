"""A site's points rules for cadre records: a posting review by its grade, a contact visit, a pledge kept or not, a
completed job-shadowing placement each post the rule's points once, in the record's transaction; zero posts nothing;
a changed rule applies to records made after it; only the site's manager changes the rules, audited."""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.leadership import services
from jiceng.leadership.models import ContactVisit, Shadowing
from tests.conftest import PASSWORD

RULES = {"review_excellent_points": 5, "review_competent_points": 2, "review_basic_points": 0,
         "review_incompetent_points": -4, "contact_visit_points": 1, "pledge_kept_points": 3,
         "pledge_broken_points": -2, "shadowing_points": 4}


def _entries(kinds=("posting", "contact", "pledge", "shadowing")) -> dict:
    from jiceng.cadre.models import PerformanceEntry

    return {(e.source_type, int(e.source_id)): (e.account.cadre_id, e.kind, e.amount)
            for e in PerformanceEntry.objects.unscoped("test").filter(kind__in=kinds).select_related("account")}


@pytest.fixture
def cadres(site):
    from jiceng.people.models import Cadre

    d, p = site.district, site.people

    def make(name, unit, post, **kw):
        return Cadre.objects.create(name=name, gender="M", post=post, org_unit=unit, org_path=unit.path, **kw)

    return {"first": make("钱书记", d.comm_a, "驻村第一书记"), "other": make("孙队员", d.comm_a, "驻村工作队员"),
            "leader": make("赵领导", d.street, "党工委副书记"),
            "wang": make("王强", d.comm_a, "村党组织书记", resident=p["王强"]),
            "zhao": make("赵敏", d.comm_a, "村委委员", resident=p["赵敏"])}


def _term_with_pledges(site):
    term = services.term_create(actor=site.leader, org_unit=site.district.comm_a, number=12, elected_on="2026-03-01")
    wang = services.member_add(actor=site.leader, term=term, resident=site.people["王强"], party_post="secretary",
                               committee_post="director", education="bachelor")
    zhao = services.member_add(actor=site.leader, term=term, resident=site.people["赵敏"], party_post="member",
                               education="college")
    return (services.pledge_add(actor=site.leader, term=term, member=wang, text="每周坐班不少于 3 天"),
            services.pledge_add(actor=site.leader, term=term, member=zhao, text="年内建成便民服务站"),
            services.pledge_add(actor=site.leader, term=term, text="集体经济收入翻一番"))


def test_each_record_kind_posts_the_rules_points_exactly_once(site, cadres):
    c, d = cadres, site.district
    today = timezone.localdate()
    services.points_rules_update(actor=site.leader, site=d.street, **RULES)
    p1 = services.posting_start(actor=site.leader, cadre=c["first"], kind="first_secretary", org_unit=d.comm_a,
                                starts_on="2025-06-01")
    p2 = services.posting_start(actor=site.leader, cadre=c["other"], kind="stationed", org_unit=d.comm_a,
                                starts_on="2025-06-01")
    r1 = services.posting_review(actor=site.leader, posting=p1, period="2025年度", rating="excellent",
                                 reviewed_on="2026-01-10")
    r2 = services.posting_review(actor=site.leader, posting=p2, period="2025年度", rating="incompetent",
                                 note="在岗天数不足", reviewed_on="2026-01-10")
    r3 = services.posting_review(actor=site.leader, posting=p2, period="2026年上半年", rating="basic")  # rule 0
    contact = services.contact_assign(actor=site.leader, cadre=c["leader"], org_unit=d.comm_a,
                                      since=today - dt.timedelta(days=60))
    v = services.contact_visit(actor=site.leader, contact=contact, on=today - dt.timedelta(days=2), note="走访困难户")
    kept, broken, team_wide = _term_with_pledges(site)
    services.pledge_check(actor=site.leader, pledge=kept, kept=True, note="值班记录核实", on=dt.date(2026, 9, 1))
    services.pledge_check(actor=site.leader, pledge=broken, kept=False, note="尚未建成", on=dt.date(2026, 9, 1))
    services.pledge_check(actor=site.leader, pledge=team_wide, kept=True, on=dt.date(2026, 9, 1))  # nobody to credit
    done = services.shadowing_record(actor=site.leader, cadre=c["zhao"], host="东莞某镇党群服务中心",
                                     starts_on=today - dt.timedelta(days=40), ends_on=today - dt.timedelta(days=10))
    later = services.shadowing_record(actor=site.leader, cadre=c["wang"], host="深圳某社区",
                                      starts_on=today - dt.timedelta(days=5), ends_on=today + dt.timedelta(days=20))
    expected = {("leadership.posting_review", r1.pk): (c["first"].pk, "posting", 5),
                ("leadership.posting_review", r2.pk): (c["other"].pk, "posting", -4),
                ("leadership.contact_visit", v.pk): (c["leader"].pk, "contact", 1),
                ("leadership.pledge", kept.pk): (c["wang"].pk, "pledge", 3),
                ("leadership.pledge", broken.pk): (c["zhao"].pk, "pledge", -2),
                ("leadership.shadowing", done.pk): (c["zhao"].pk, "shadowing", 4)}
    assert _entries() == expected
    assert ("leadership.posting_review", r3.pk) not in _entries()
    # A placement still running posts when it is over, by the daily job; running the job again posts nothing more.
    assert services.shadowing_points_due(today=today) == 0
    assert services.shadowing_points_due(today=today + dt.timedelta(days=20)) == 1
    assert services.shadowing_points_due(today=today + dt.timedelta(days=21)) == 0
    expected[("leadership.shadowing", later.pk)] = (c["wang"].pk, "shadowing", 4)
    assert _entries() == expected
    # Posting a record's points again (its key) never doubles them; a pledge once checked is not checked again.
    with transaction.atomic():
        services.record_points(cadre=c["first"], amount=5, on=dt.date(2026, 1, 10), kind="posting", reason="again",
                               key=f"leadership.review:{r1.pk}", source_type="leadership.posting_review",
                               source_id=r1.pk)
    with pytest.raises(JicengError) as e:
        services.pledge_check(actor=site.leader, pledge=broken, kept=True, note="改判")
    assert e.value.field == "status"
    assert _entries() == expected
    # The year is the record's: the review of 2026-01-10 counts in 2026.
    from jiceng.cadre.models import PerformanceEntry

    assert PerformanceEntry.objects.unscoped("test").get(source_id=str(r1.pk), kind="posting").account.year == 2026


def test_a_zero_rule_posts_nothing(site, cadres):
    from jiceng.cadre.models import PerformanceAccount, PerformanceEntry

    c, d = cadres, site.district
    today = timezone.localdate()
    p = services.posting_start(actor=site.leader, cadre=c["first"], kind="first_secretary", org_unit=d.comm_a,
                               starts_on="2025-06-01")
    services.posting_review(actor=site.leader, posting=p, period="2025年度", rating="excellent")
    contact = services.contact_assign(actor=site.leader, cadre=c["leader"], org_unit=d.comm_a,
                                      since=today - dt.timedelta(days=60))
    services.contact_visit(actor=site.leader, contact=contact, on=today, note="走访")
    kept, broken, _ = _term_with_pledges(site)
    services.pledge_check(actor=site.leader, pledge=kept, kept=True)
    services.pledge_check(actor=site.leader, pledge=broken, kept=False, note="未建成")
    s = services.shadowing_record(actor=site.leader, cadre=c["zhao"], host="东莞某镇", starts_on=today - dt.timedelta(days=9),
                                  ends_on=today)
    assert s.points == 0 and services.shadowing_points_due(today=today + dt.timedelta(days=1)) == 0
    assert not PerformanceEntry.objects.unscoped("test").exists()
    assert not PerformanceAccount.objects.exists()


def test_a_changed_rule_applies_to_later_records_only(site, cadres):
    c, d = cadres, site.district
    today = timezone.localdate()
    services.points_rules_update(actor=site.leader, site=d.street, contact_visit_points=2, shadowing_points=4)
    contact = services.contact_assign(actor=site.leader, cadre=c["leader"], org_unit=d.comm_a,
                                      since=today - dt.timedelta(days=60))
    first = services.contact_visit(actor=site.leader, contact=contact, on=today - dt.timedelta(days=9), note="第一次")
    running = services.shadowing_record(actor=site.leader, cadre=c["zhao"], host="东莞某镇",
                                        starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=3))
    services.points_rules_update(actor=site.leader, site=d.street, contact_visit_points=5, shadowing_points=9)
    second = services.contact_visit(actor=site.leader, contact=contact, on=today - dt.timedelta(days=1), note="第二次")
    services.shadowing_points_due(today=today + dt.timedelta(days=3))
    assert _entries() == {("leadership.contact_visit", first.pk): (c["leader"].pk, "contact", 2),
                          ("leadership.contact_visit", second.pk): (c["leader"].pk, "contact", 5),
                          ("leadership.shadowing", running.pk): (c["zhao"].pk, "shadowing", 4)}


def test_a_record_and_its_points_are_written_together_or_not_at_all(site, cadres):
    d = site.district
    services.points_rules_update(actor=site.leader, site=d.street, contact_visit_points=2)
    contact = services.contact_assign(actor=site.leader, cadre=cadres["leader"], org_unit=d.comm_a,
                                      since=timezone.localdate() - dt.timedelta(days=60))
    with mock.patch("jiceng.cadre.services.performance.performance_account_open", side_effect=RuntimeError("ledger down")):
        with pytest.raises(RuntimeError):
            services.contact_visit(actor=site.leader, contact=contact, on=timezone.localdate(), note="走访")
    assert not ContactVisit.objects.unscoped("test").exists()


def test_only_the_sites_manager_changes_the_rules_and_it_is_audited(site):
    from jiceng.audit.models import AuditEntry as AuditEvent
    from jiceng.leadership.models import LeadershipRules

    street = site.district.street
    with pytest.raises(PermissionDeniedError):
        services.points_rules_update(actor=site.staff_a, site=street, contact_visit_points=3)
    with pytest.raises(PermissionDeniedError):
        services.points_rules_update(actor=site.leader, site=site.district.comm_a, contact_visit_points=3)
    with pytest.raises(JicengError) as e:
        services.points_rules_update(actor=site.leader, site=street, contact_visit_points=500, pledge_kept_points="x")
    assert set(e.value.errors) == {"contact_visit_points", "pledge_kept_points"}
    assert not LeadershipRules.objects.exists()
    services.points_rules_update(actor=site.leader, site=street, contact_visit_points=3, review_incompetent_points=-5)
    event = AuditEvent.objects.get(action="leadership.rules.updated")
    assert (event.before["contact_visit_points"], event.after["contact_visit_points"]) == (0, 3)
    assert event.after["review_incompetent_points"] == -5


def test_the_rules_page_and_api(site, client, api_login):
    from jiceng.leadership.models import LeadershipRules

    assert client.login(username=site.leader.username, password=PASSWORD)
    page = client.get("/leadership/rules/")
    assert page.status_code == 200 and "联系点走访一次" in page.content.decode()
    r = client.post("/leadership/rules/", {**RULES, "contact_visit_points": 7})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert LeadershipRules.objects.get(site=site.district.street).contact_visit_points == 7
    bad = client.post("/leadership/rules/", {**RULES, "shadowing_points": 1000})
    assert bad.status_code == 200 and LeadershipRules.objects.get().shadowing_points == 4
    client.logout()
    assert client.login(username=site.staff_a.username, password=PASSWORD)
    seen = client.get("/leadership/rules/")
    assert seen.status_code == 200 and "<form" not in seen.content.decode().split('class="page-title"')[1]
    assert client.post("/leadership/rules/", RULES).status_code == 403

    api = api_login(site.leader)
    got = api.get("/api/leadership/points-rules")
    assert got.status_code == 200 and got.json()["contact_visit_points"] == 7
    put = api.put("/api/leadership/points-rules", {**RULES, "pledge_broken_points": -3}, content_type="application/json")
    assert put.status_code == 200 and put.json()["pledge_broken_points"] == -3
    whole = api.put("/api/leadership/points-rules", {**RULES, "pledge_broken_points": -3, "shadowing_points": 4.0},
                    content_type="application/json")
    assert whole.status_code == 200 and whole.json()["shadowing_points"] == 4
    for wrong in (False, "3", 101, 2.5):
        r = api.put("/api/leadership/points-rules", {**RULES, "shadowing_points": wrong}, content_type="application/json")
        assert r.status_code == 422, (wrong, r.status_code)
    assert LeadershipRules.objects.get().shadowing_points == RULES["shadowing_points"]
    staff = api_login(site.staff_a)
    assert staff.put("/api/leadership/points-rules", RULES, content_type="application/json").status_code == 403
    assert LeadershipRules.objects.get().pledge_broken_points == -3
