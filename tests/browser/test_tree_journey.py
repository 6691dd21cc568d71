"""Changing the tree in the browser: the street administrator splits a community on the phone and sees the
old one kept as history; the forms render without errors at desk width too."""
from __future__ import annotations

import pytest

from tests.browser.conftest import shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def _watch(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def test_the_street_administrator_splits_a_community_on_the_phone(live_server, phone_page, district, make_user):
    from jiceng.orgs.models import OrgUnit

    user = make_user("street_admin", district.street)
    page = phone_page
    errors = _watch(page)
    _login(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/orgs/{district.comm_a.pk}/")
    page.click("text=拆分")
    page.wait_for_url(f"**/orgs/{district.comm_a.pk}/split/")
    page.fill("#id_name_1", "甲东社区")
    page.fill("#id_code_1", "530124001011")
    page.fill("#id_name_2", "甲西社区")
    page.fill("#id_code_2", "530124001012")
    page.select_option(f"#id_child_{district.grid_a1.pk}", "1")
    shot(page, "orgs-split-phone")
    page.click("button[type=submit]")
    assert "未分配" in page.content()  # one grid left out: refused, nothing written
    assert not OrgUnit.objects.filter(code="530124001011").exists()
    page.select_option(f"#id_child_{district.grid_a2.pk}", "2")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/split/" not in url)
    east = OrgUnit.objects.get(code="530124001011")
    assert OrgUnit.objects.get(pk=district.grid_a1.pk).parent_id == east.pk
    page.goto(f"{live_server.url}/orgs/{district.comm_a.pk}/")
    assert "撤销" in page.content() and "甲东社区" in page.content()
    shot(page, "orgs-history-phone")
    assert errors == []


def test_the_move_and_merge_forms_at_desk_width(live_server, desk_page, district, admin):
    page = desk_page
    errors = _watch(page)
    _login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/orgs/{district.grid_a1.pk}/move/")
    shot(page, "orgs-move-desk")
    page.select_option("#id_parent", str(district.comm_b.pk))
    page.click("button[type=submit]")
    page.wait_for_url(f"**/orgs/{district.grid_a1.pk}/")
    shot(page, "orgs-moved-desk")
    page.goto(f"{live_server.url}/orgs/{district.comm_b.pk}/merge/")
    shot(page, "orgs-merge-desk")
    assert errors == []
