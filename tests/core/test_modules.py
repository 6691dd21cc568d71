"""The module registry: every module's claims checked at start-up, demo order, menus, panels and figures."""
import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiceng.core.modules import (
    ApiMount, DemoStep, Figure, ImportKind, Job, Module, Period, PublicNotice, Purpose, Registry, RoleDef, UrlMount,
    figure_total, figure_values, registry,
)


def _noop(*args, **kwargs):
    return None


@pytest.mark.parametrize("field, claim, word", [
    ("urls", [UrlMount("sample/", "x.urls")], "URL 前缀"),
    ("api", [ApiMount("/sample", "x.api:router")], "接口前缀"),
    ("roles", [RoleDef("clerk", "店员")], "角色"),
    ("purposes", {"sample_view": Purpose(frozenset({"clerk"}))}, "权限用途"),
    ("figures", [Figure("sample.count", "数", "个", _noop, _noop)], "指标代码"),
    ("import_kinds", [ImportKind("households", "住户", _noop)], "导入类型"),
    ("jobs", [Job("sample.tick", {"minute": "*"}, _noop)], "定时任务"),
    ("notices", [PublicNotice("sample.board", "公开", "x")], "公开栏栏目"),
    ("audit_labels", {"sample.thing.done": "办完"}, "审计操作"),
])
def test_two_modules_claiming_the_same_thing_is_a_start_up_error_naming_both(field, claim, word):
    first = Module(label="alpha", name="甲", **{field: claim})
    second = Module(label="beta", name="乙", **{field: claim})
    with pytest.raises(ImproperlyConfigured) as err:
        Registry().install([first, second])
    message = str(err.value)
    assert "alpha" in message and "beta" in message and word in message


def test_distinct_claims_install_and_a_missing_demo_dependency_is_named():
    Registry().install([Module(label="alpha", name="甲", urls=[UrlMount("a/", "x")]),
                        Module(label="beta", name="乙", urls=[UrlMount("b/", "x")])])
    with pytest.raises(ImproperlyConfigured, match="gamma.*people"):
        Registry().install([Module(label="gamma", name="丙", demo=DemoStep(_noop, after=("people",)))])


def test_demo_order_puts_each_module_after_what_it_needs():
    r = Registry()
    r.install([Module(label="c", name="丙", demo=DemoStep(_noop, after=("b",))),
               Module(label="b", name="乙", demo=DemoStep(_noop, after=("a",))),
               Module(label="a", name="甲", demo=DemoStep(_noop))])
    assert [m.label for m in r.demo_order()] == ["a", "b", "c"]
    r.install([Module(label="x", name="甲", demo=DemoStep(_noop, after=("y",))),
               Module(label="y", name="乙", demo=DemoStep(_noop, after=("x",)))])
    with pytest.raises(ImproperlyConfigured, match="环"):
        r.demo_order()


def test_the_platform_registers_each_module_once():
    labels = [m.label for m in registry.modules()]
    assert labels == ["audit", "orgs", "accounts", "people", "imports", "points", "reports", "monitoring", "cadre",
                      "duty", "leadership", "assets"]
    assert [m.label for m in registry.demo_order()] == ["people", "points", "reports", "monitoring", "cadre", "duty",
                                                        "leadership", "assets"]
    assert {"shop_clerk", "county_approver", "street_admin", "resident"} <= {r.code for r in registry.roles()}
    assert {"view", "points_view", "monitoring_manage"} <= set(registry.purposes())
    assert set(registry.import_kinds()) == {"org_units", "households", "residents", "party_members", "cadres",
                                           "partner_units", "team_members", "assets"}


def test_an_unknown_purpose_is_an_error_not_an_empty_scope(district, make_user):
    from jiceng.accounts.scope import scope_for

    user = make_user("street_admin", district.street)
    with pytest.raises(KeyError):
        scope_for(user, purpose="no_such_purpose")


def test_every_registered_figure_counts_exactly_its_drill_down(district, make_household):
    make_household(district.building_a1, head_name="王一")
    make_household(district.grid_b1, head_name="李二")
    year = Period.year(dt.date.today().year)
    figures = registry.figures()
    assert {"people.households", "people.residents", "people.party_members"} <= set(figures)
    for code, figure in figures.items():
        for unit in (district.street, district.comm_a, district.comm_b):
            value = figure.value(unit, year)
            records = figure.records(unit, year)
            assert value == figure_total(figure, records), (code, unit.name)
    assert figures["people.households"].value(district.comm_a, year) == 1
    assert figures["people.households"].value(district.street, year) == 2
    assert figures["people.households"].value(district.street, Period.year(2000)) == 0


def test_the_menu_comes_from_the_registry_per_role(district, make_user, client):
    from tests.conftest import PASSWORD

    clerk = make_user("shop_clerk", district.comm_a)
    client.login(username=clerk.username, password=PASSWORD)
    page = client.get("/points/shops/").content.decode()
    assert "积分超市" in page and "组织体系" not in page and "问题诉求" not in page
    client.logout()
    admin = make_user("street_admin", district.street)
    client.login(username=admin.username, password=PASSWORD)
    page = client.get("/people/households/").content.decode()
    for label in ("组织体系", "住户", "居民", "党员", "干部与工作人员", "导入台账", "问题诉求", "积分制", "防返贫监测", "审计日志"):
        assert label in page, label


def test_the_notice_board_lists_each_modules_public_page(district, client):
    page = client.get(f"/public/{district.comm_a.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/public/points/{district.comm_a.code}/" in html and f"/public/reports/{district.comm_a.code}/" in html
    assert client.get("/public/000000000000/").status_code == 404


def test_every_figure_on_the_demo_district_equals_its_records(db):
    """On a living district (people, points, reports, monitoring built by the demo), each registered figure of
    each unit is exactly the number of records its drill-down returns, and every module's figures count some."""
    from jiceng.core.demo import demo_build

    run = demo_build(households=40, seed=4)
    b = run.built["people"]
    year = Period.year(dt.date.today().year)
    seen = {}
    for code, figure in registry.figures().items():
        for unit in [b.street, *b.communities]:
            records = figure.records(unit, year)
            assert figure.value(unit, year) == figure_total(figure, records), (code, unit.name)
            assert records.count() == len(list(records)), (code, unit.name)
        # Many units at once (a ranking's read) agrees with each unit's own value.
        assert figure_values(figure, b.communities, year) == {u.pk: figure.value(u, year) for u in b.communities}, code
        seen[code] = figure.value(b.street, year)
    assert seen["people.households"] == 40
    assert seen["reports.received"] > 0 and seen["monitoring.monitored"] > 0
    assert seen["cadre.tasks_issued"] > 0 and seen["cadre.additions"] > 0 and seen["cadre.deductions"] > 0
    assert seen["cadre.deduction_points"] >= seen["cadre.deductions"] > 0  # every deduction is at least 1 point


def test_every_audit_action_the_demo_writes_has_a_readable_name_from_its_module(db):
    """The audit list shows 积分兑换, not points.redemption.created: each module names the actions it writes,
    the ones built at run time (a report's steps, a monitoring case's stages) through its label function."""
    from jiceng.audit.labels import action_label
    from jiceng.audit.models import AuditEntry
    from jiceng.core.demo import demo_build

    demo_build(households=40, seed=4)
    codes = set(AuditEntry.objects.values_list("action", flat=True).distinct())
    assert "demo.built" in codes and any(c.startswith("points.") for c in codes)
    assert any(c.startswith("reports.report.") for c in codes) and any(c.startswith("monitoring.case.") for c in codes)
    unnamed = sorted(c for c in codes if action_label(c) == c)
    assert not unnamed, unnamed
    assert action_label("monitoring.case.identification.posting") == "识别纳入 · 村级公示"
    assert action_label("no.such.code") == "no.such.code"


def test_a_module_grants_its_own_roles_another_modules_purpose_and_nothing_else():
    base = Module(label="alpha", name="甲", purposes={"alpha_view": Purpose(frozenset({"clerk"}))})
    r = Registry()
    r.install([base, Module(label="beta", name="乙", roles=[RoleDef("porter", "门卫")],
                            grants={"alpha_view": frozenset({"porter"})})])
    assert r.purposes()["alpha_view"].roles == {"clerk", "porter"}
    with pytest.raises(ImproperlyConfigured, match="gamma.*no_such"):
        Registry().install([base, Module(label="gamma", name="丙", grants={"no_such": frozenset()})])
    with pytest.raises(ImproperlyConfigured, match="delta.*clerk"):
        Registry().install([base, Module(label="delta", name="丁", grants={"alpha_view": frozenset({"clerk"})})])


def test_a_village_cadre_records_a_dispute_through_the_grant(district, make_user):
    from jiceng.cadre.roles import VILLAGE_CADRE
    from jiceng.reports.services import dispute_record

    cadre = make_user(VILLAGE_CADRE, district.comm_a)
    d = dispute_record(actor=cadre, org_unit=district.comm_a, kind="neighbour", parties="张三、李四", description="占道",
                       mediator="李村官", occurred_on=dt.date.today())
    assert d.pk
    from jiceng.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        dispute_record(actor=cadre, org_unit=district.comm_b, kind="neighbour", parties="王五", description="噪音",
                       mediator="李村官", occurred_on=dt.date.today())
