"""Every collective-economy figure is exactly its records: the value equals their count or the sum of its column,
the per-unit values agree unit by unit, and each figure's page lists the records."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client

from jiceng.assets import services
from jiceng.core.modules import Period, figure_total, figure_values, registry, resolve
from tests.conftest import PASSWORD


def _fill(site):
    d = site.district
    for unit, keeper in ((d.comm_a, site.keeper), (d.comm_b, site.keeper_b)):
        services.income_record(actor=keeper, org_unit=unit, year=2026, kind="operating", amount="41000.10",
                               on=dt.date(2026, 3, 1), description="租金")
        services.income_record(actor=keeper, org_unit=unit, year=2026, kind="subsidy", amount="30000.05",
                               on=dt.date(2026, 4, 1), description="补助")
        services.asset_create(actor=keeper, org_unit=unit, code="FW-1", name="校舍", category="asset", kind="building",
                              original_value="1", current_value="280000.50", status="idle")
    p = services.project_create(actor=site.leader, org_unit=d.comm_a, name="农田", source="linkage", year=2026,
                                allocated="2100000")
    services.reimbursement_record(actor=site.keeper, project=p, amount="1975890", on=dt.date(2026, 5, 1), voucher="1")


def test_each_figure_is_exactly_its_records(site):
    _fill(site)
    d = site.district
    period = Period.year(2026)
    figures = {c: f for c, f in registry.figures().items() if c.startswith("assets.")}
    assert len(figures) == 19
    for code, f in figures.items():
        for unit in (d.street, d.comm_a, d.comm_b):
            value = resolve(f.value)(unit, period)
            assert value == figure_total(f, resolve(f.records)(unit, period)), code
        by_unit = figure_values(f, [d.comm_a, d.comm_b], period)
        assert by_unit == {u.pk: resolve(f.value)(u, period) for u in (d.comm_a, d.comm_b)}, code
    income = figures["assets.income"]
    assert resolve(income.value)(d.street, period) == Decimal("142000.30")
    assert resolve(figures["assets.project_reimbursed"].value)(d.comm_a, period) == Decimal("1975890.00")
    assert resolve(figures["assets.idle_assets"].value)(d.street, period) == 2


def test_a_figures_page_lists_its_records_scoped_to_the_user(site):
    _fill(site)
    c = Client()
    assert c.login(username=site.leader.username, password=PASSWORD)
    home = c.get("/assets/?year=2026").content.decode()
    assert "/assets/figures/income/?year=2026" in home and "142,000.30" in home
    page = c.get("/assets/figures/income/?year=2026").content.decode()
    assert page.count("41,000.10") == 2 and "甲社区" in page and "乙社区" in page
    assert c.get("/assets/figures/nothing/").status_code == 404
    k = Client()
    assert k.login(username=site.keeper.username, password=PASSWORD)
    mine = k.get("/assets/figures/income/?year=2026").content.decode()
    assert "甲社区" in mine and "乙社区" not in mine


def test_a_village_ranking_can_rate_reimbursement_from_the_yuan_figures(site):
    """Cadre work's ranking takes any registered figure: the reimbursement rate (a ratio of two sums in yuan,
    Decimals) ranks the communities like a ratio of counts."""
    from jiceng.cadre.services.ranking import ranking_compute, scheme_save

    d = site.district
    for unit, keeper, reimbursed in ((d.comm_a, site.keeper, "1975890"), (d.comm_b, site.keeper_b, "2100000")):
        p = services.project_create(actor=site.leader, org_unit=unit, name="农田", source="linkage", year=2026,
                                    allocated="2100000")
        services.reimbursement_record(actor=keeper, project=p, amount=reimbursed, on=dt.date(2026, 5, 1), voucher="1")
    scheme = scheme_save(actor=site.leader, site=d.street, name="报账率", level="village", indicators=[
        {"label": "报账率", "numerator": "assets.project_reimbursed", "denominator": "assets.project_allocated",
         "weight": 100}])
    rows = ranking_compute(scheme, Period.year(2026))
    assert [(r["unit"].pk, r["values"][0]["value"]) for r in rows] == [(d.comm_b.pk, 1.0), (d.comm_a.pk, 0.9409)]
