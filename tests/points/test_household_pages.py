"""A household's points page pages its history (a phone screen at a time); a resident's own page states one
period, with the stars, the score and the rank of that same period."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.people.models import Resident
from jiceng.points import services
from jiceng.points.services.ratings import current_period, previous_period
from tests.conftest import PASSWORD

from .conftest import grant


@pytest.fixture
def people(points_site, district, make_user, make_household):
    hh = make_household(district.grid_a1)
    neighbour = make_household(district.grid_a1, head_name="李四")
    return {"hh": hh, "neighbour": neighbour,
            "resident": make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh)),
            "worker": make_user(Role.GRID_WORKER, district.grid_a1),
            "reviewer": make_user(Role.COMMUNITY_STAFF, district.comm_a)}


def _posted(people, hh, item, on, quantity=1):
    decl = services.declaration_record(actor=people["worker"], household_id=hh.pk, item=item, quantity=quantity,
                                       occurred_on=on)
    services.declaration_review(actor=people["reviewer"], declaration=decl, decision="approve")
    services.publicity_post_due(now=timezone.now() + dt.timedelta(days=8))
    return decl


def test_household_page_pages_its_records_and_ledger_ten_at_a_time(people, points_site, client, admin):
    for n in range(23):
        services.declaration_record(actor=people["worker"], household_id=people["hh"].pk, item=points_site.filial,
                                    occurred_on=timezone.localdate() - dt.timedelta(days=1 + n))
    for n in range(12):
        grant(people["hh"], 1, f"g{n}", admin)
    client.force_login(people["reviewer"])
    url = f"/points/households/{people['hh'].pk}/"
    page = client.get(url).content.decode()
    assert page.count('href="/points/declarations/') == 10
    assert page.count('data-label="#"') == 10
    assert "第 1 / 3 页" in page and "第 1 / 2 页" in page and "dpage=2" in page and "epage=2" in page
    last = client.get(url + "?dpage=3&epage=2").content.decode()
    assert last.count('href="/points/declarations/') == 3 and last.count('data-label="#"') == 2


def test_my_points_states_one_period_with_its_stars_score_and_rank(people, points_site, client):
    programme = points_site.programme
    start, end, label = previous_period(programme)
    _posted(people, people["hh"], points_site.filial, start + dt.timedelta(days=3), quantity=2)
    _posted(people, people["neighbour"], points_site.filial, start + dt.timedelta(days=4), quantity=5)
    _posted(people, people["hh"], points_site.filial, timezone.localdate(), quantity=9)  # this period: top of the grid
    services.ratings_evaluate(actor=None, programme=programme, start=start, end=end, label=label)
    client.login(username=people["resident"].username, password=PASSWORD)
    page = client.get("/points/me/").content.decode()
    _cs, _ce, current_label = current_period(programme)
    assert label in page and current_label not in page
    assert "得 20 分，在本网格 2 户中排第 2 名" in page


def test_before_any_rating_my_points_states_the_current_period_in_progress(people, points_site, client):
    _posted(people, people["hh"], points_site.filial, timezone.localdate())
    client.login(username=people["resident"].username, password=PASSWORD)
    page = client.get("/points/me/").content.decode()
    _cs, _ce, current_label = current_period(points_site.programme)
    assert current_label in page and "本期进行中" in page
    assert "得 10 分，在本网格 2 户中排第 1 名" in page
