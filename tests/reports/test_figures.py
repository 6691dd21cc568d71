"""Figures for a unit and period: every number equals the list it links to; export opens in openpyxl."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.people.models import Resident
from jiceng.reports import services
from jiceng.reports.figures import figures
from jiceng.reports.models import Channel
from tests.conftest import PASSWORD


@pytest.fixture
def history(report_site, district, make_user, make_household):
    hh = make_household(district.building_a1)
    resident = make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh))
    desk = make_user(Role.COMMUNITY_STAFF, district.comm_a, username="desk")
    worker = make_user(Role.GRID_WORKER, district.grid_a1)
    now = timezone.now()
    made = []
    for i, (days_ago, outcome) in enumerate([(2, "closed"), (3, "closed_late"), (5, "rejected"), (6, "open"),
                                             (40, "closed")]):
        at = now - dt.timedelta(days=days_ago)
        r = services.report_submit(actor=resident, channel=Channel.RESIDENT, category_id=report_site.fire.pk,
                                   description=f"消防通道堵塞 {i}", org_unit=district.building_a1, now=at)
        if outcome == "rejected":
            services.report_reject(actor=desk, report=r, reason="不属实", now=at)
        else:
            services.report_accept(actor=desk, report=r, now=at)
            if outcome.startswith("closed"):
                late = dt.timedelta(hours=30 if outcome == "closed_late" else 3)
                services.report_resolve(actor=worker, report=r, result="已处理", now=at + late)
                services.report_rate(actor=resident, report=r, rating="satisfied", now=at + late)
        made.append(r)
    return {"desk": desk, "now": now}


def test_figures_count_the_period_and_compare_with_the_previous(history, district):
    now = history["now"]
    start = now - dt.timedelta(days=30)
    data = figures(district.comm_a.path, start, now + dt.timedelta(seconds=1))
    n = data["now"]
    assert (n["received"], n["rejected"], n["done"], n["on_time"], n["rated"], n["satisfied"]) == (4, 1, 2, 1, 2, 2)
    assert n["closure_rate"] == pytest.approx(2 / 3) and n["on_time_rate"] == 0.5 and n["satisfaction_rate"] == 1.0
    assert data["prev"]["received"] == 1
    assert n["median_hours"] == pytest.approx(16.5, abs=0.1)


def test_each_figure_links_to_the_reports_behind_it_and_exports(history, district, client):
    assert client.login(username="desk", password=PASSWORD)
    today = timezone.localdate()
    page = client.get(f"/reports/figures/?org={district.comm_a.pk}&from={today - dt.timedelta(days=29)}&to={today}")
    assert page.status_code == 200
    html = page.content.decode()
    for href, expected in [("&done=1&on_time=1", 1), ("&done=1\"", 2), ("&status=rejected", 1)]:
        m = re.search(r'href="(/reports/\?[^"]*' + re.escape(href.rstrip('"')) + r')"', html)
        assert m, href
        listing = client.get(m.group(1).replace("&amp;", "&"))
        results = listing.content.decode().split('id="results"', 1)[1]
        assert results.count('<td data-label="#">') == expected, href
    xlsx = client.get(f"/reports/figures/?org={district.comm_a.pk}&format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert wb["总体"]["B2"].value == 4
