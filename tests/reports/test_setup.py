"""Set-up pages (办理设置): who may edit categories and routing rules, that the writes are audited,
and that a rule made on the page really routes the next report."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.audit.models import AuditEntry
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.reports import services, setup_services
from jiceng.reports.models import Channel, HandlerLevel, ReportCategory, RoutingRule
from tests.conftest import PASSWORD


def web(user):
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def staff(district, make_user):
    return {
        "street": make_user(Role.STREET_ADMIN, district.street),
        "desk": make_user(Role.COMMUNITY_STAFF, district.comm_a),
        "desk_b": make_user(Role.COMMUNITY_STAFF, district.comm_b),
        "worker": make_user(Role.GRID_WORKER, district.grid_a1),
    }


def rule_post(district, report_site, **kw):
    data = {"category": report_site.litter.pk, "org_unit": district.comm_a.pk, "handler_unit": district.grid_a2.pk,
            "handler_partner": "", "hour_from": "", "hour_to": "", "enabled": "on"}
    data.update(kw)
    return data


def desk_report(staff, report_site, district, category=None):
    return services.report_submit(actor=staff["desk"], channel=Channel.DESK,
                                  category_id=(category or report_site.litter).pk, description="楼下垃圾没人清运",
                                  org_unit=district.building_a1, reporter_name="王阿姨")


def test_grid_worker_cannot_open_or_post_any_setup_page(staff, report_site, district):
    c = web(staff["worker"])
    rule = setup_services.routing_rule_create(actor=staff["street"], site=district.street, org_unit=district.comm_a,
                                              category=report_site.litter, handler_unit=district.grid_a2)
    for url in ("/reports/setup/", "/reports/setup/categories/new/", f"/reports/setup/categories/{report_site.fire.pk}/",
                "/reports/setup/rules/new/", f"/reports/setup/rules/{rule.pk}/"):
        assert c.get(url).status_code in (403, 404), url
    assert c.post("/reports/setup/rules/new/", rule_post(district, report_site)).status_code in (403, 404)
    assert c.post("/reports/setup/categories/new/", {"code": "X1", "name": "新类别", "handler_level": "grid",
                                                     "sla_hours": 24}).status_code in (403, 404)
    assert c.post(f"/reports/setup/rules/{rule.pk}/delete/").status_code in (403, 404)
    assert RoutingRule.objects.count() == 1 and not ReportCategory.objects.filter(code="X1").exists()
    assert "办理设置" not in c.get("/reports/").content.decode()


def test_street_admin_creates_and_edits_a_category_on_the_page_audited(staff, report_site, district):
    c = web(staff["street"])
    assert "办理设置" in c.get("/reports/").content.decode()
    assert c.get("/reports/setup/").status_code == 200
    r = c.post("/reports/setup/categories/new/", {"code": "LH01", "name": "绿化养护", "handler_level": "community",
                                                  "sla_hours": 96, "keywords": "绿化，树木 修剪、草坪,绿化",
                                                  "earns_points": "on", "is_active": "on", "order": 3})
    assert r.status_code == 302, r.content.decode()[-2000:]
    cat = ReportCategory.objects.get(code="LH01")
    assert (cat.site_id, cat.name, cat.sla_hours, cat.handler_level, cat.keywords, cat.earns_points) == (
        district.street.pk, "绿化养护", 96, HandlerLevel.COMMUNITY, "绿化,树木,修剪,草坪", True)
    assert AuditEntry.objects.filter(action="reports.category.created", object_id=str(cat.pk)).exists()
    r = c.post(f"/reports/setup/categories/{cat.pk}/", {"code": "LH01", "name": "绿化养护", "handler_level": "grid",
                                                        "sla_hours": 24, "keywords": "绿化", "is_active": "on"})
    assert r.status_code == 302
    cat.refresh_from_db()
    assert (cat.sla_hours, cat.handler_level, cat.earns_points, cat.keywords) == (24, "grid", False, "绿化")
    entry = AuditEntry.objects.get(action="reports.category.updated", object_id=str(cat.pk))
    assert entry.before["sla_hours"] == 96 and entry.after["sla_hours"] == 24


def test_category_form_shows_a_duplicate_code_next_to_the_field_and_saves_nothing(staff, report_site, district):
    c = web(staff["street"])
    r = c.post("/reports/setup/categories/new/", {"code": report_site.fire.code, "name": "重复", "handler_level": "grid",
                                                  "sla_hours": 24})
    assert r.status_code == 200 and "已被使用" in r.content.decode()
    assert not ReportCategory.objects.filter(name="重复").exists()


def test_community_staff_edit_rules_for_their_community_but_not_categories(staff, report_site, district):
    c = web(staff["desk"])
    assert c.get("/reports/setup/").status_code == 200
    assert c.get("/reports/setup/categories/new/").status_code == 403
    with pytest.raises(PermissionDeniedError):
        setup_services.category_update(actor=staff["desk"], category=report_site.fire, sla_hours=1)
    r = c.post("/reports/setup/rules/new/", rule_post(district, report_site, org_unit=district.comm_b.pk))
    assert r.status_code == 200 and not RoutingRule.objects.exists()     # comm_b is not among their choices
    other = setup_services.routing_rule_create(actor=staff["desk_b"], site=district.street, org_unit=district.comm_b,
                                               handler_unit=district.grid_b1)
    assert c.get(f"/reports/setup/rules/{other.pk}/").status_code == 404
    assert c.post(f"/reports/setup/rules/{other.pk}/delete/").status_code == 404
    assert RoutingRule.objects.filter(pk=other.pk).exists()
    report_site.fire.refresh_from_db()
    assert report_site.fire.sla_hours == 24


def test_rule_created_on_the_page_routes_the_next_report(staff, report_site, district):
    before = services.report_accept(actor=staff["desk"], report=desk_report(staff, report_site, district))
    assert before.handler_unit_id == district.grid_a1.pk                   # default: the grid of the place
    r = web(staff["desk"]).post("/reports/setup/rules/new/", rule_post(district, report_site))
    assert r.status_code == 302, r.content.decode()[-2000:]
    rule = RoutingRule.objects.get()
    assert (rule.org_path, rule.handler_level, rule.category_id) == (district.comm_a.path, HandlerLevel.GRID,
                                                                     report_site.litter.pk)
    assert AuditEntry.objects.filter(action="reports.routing_rule.created", object_id=str(rule.pk)).exists()
    after = services.report_accept(actor=staff["desk"], report=desk_report(staff, report_site, district))
    assert after.handler_unit_id == district.grid_a2.pk
    other = services.report_accept(actor=staff["desk"], report=desk_report(staff, report_site, district,
                                                                           category=report_site.fire))
    assert other.handler_unit_id == district.grid_a1.pk                   # another category: not this rule


def test_rule_for_a_time_of_day_routes_only_within_its_hours(staff, report_site, district):
    setup_services.routing_rule_create(actor=staff["street"], site=district.street, org_unit=district.street,
                                       handler_unit=district.comm_a, hour_from=18, hour_to=24)
    today = timezone.localdate()
    evening = timezone.make_aware(dt.datetime.combine(today, dt.time(20, 30)))
    morning = timezone.make_aware(dt.datetime.combine(today, dt.time(9, 0)))
    r1 = services.report_accept(actor=staff["desk"], report=desk_report(staff, report_site, district), now=evening)
    r2 = services.report_accept(actor=staff["desk"], report=desk_report(staff, report_site, district), now=morning)
    assert (r1.handler_unit_id, r1.handler_level) == (district.comm_a.pk, HandlerLevel.COMMUNITY)
    assert r2.handler_unit_id == district.grid_a1.pk


def test_rule_edit_and_delete_are_audited_and_take_effect(staff, report_site, district):
    c = web(staff["street"])
    rule = setup_services.routing_rule_create(actor=staff["street"], site=district.street, org_unit=district.comm_a,
                                              category=report_site.litter, handler_unit=district.grid_a2)
    r = c.post(f"/reports/setup/rules/{rule.pk}/", rule_post(district, report_site, enabled=""))
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.enabled is False
    assert services.report_accept(actor=staff["desk"], report=desk_report(staff, report_site, district)
                                  ).handler_unit_id == district.grid_a1.pk     # disabled: not used
    assert c.post(f"/reports/setup/rules/{rule.pk}/delete/").status_code == 302
    assert not RoutingRule.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="reports.routing_rule.").order_by("id")
                .values_list("action", flat=True)) == ["reports.routing_rule.created", "reports.routing_rule.updated",
                                                       "reports.routing_rule.deleted"]


@pytest.mark.parametrize("kw, field", [
    ({"handler_unit": None}, "handler_unit"),                                # neither unit nor partner
    ({"hour_from": 18, "hour_to": None}, "hour_from"),
    ({"hour_from": 20, "hour_to": 8}, "hour_from"),                          # overnight windows: two rules
])
def test_routing_rule_refusals_name_the_field(staff, report_site, district, kw, field):
    data = dict(actor=staff["street"], site=district.street, org_unit=district.comm_a, handler_unit=district.grid_a2)
    data.update(kw)
    with pytest.raises(JicengError) as exc:
        setup_services.routing_rule_create(**data)
    assert field in exc.value.errors
    assert not RoutingRule.objects.exists()


def test_keywords_that_are_whole_sentences_are_refused(staff, report_site, district):
    with pytest.raises(JicengError) as exc:
        setup_services.category_update(actor=staff["street"], category=report_site.litter,
                                       keywords="垃圾,小区门口的垃圾桶已经满了好几天都没有人来清运")
    assert "keywords" in exc.value.errors
    report_site.litter.refresh_from_db()
    assert report_site.litter.keywords == "垃圾,卫生,脏乱,堆放"
