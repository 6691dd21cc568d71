"""Every role's pages render in Chromium without server or script errors, on desktop and phone;
screenshots land in var/screenshots for people to look at."""
from __future__ import annotations

import pytest

from jiceng.core.demo import demo_build, demo_logins
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PAGES = ["/", "/orgs/", "/people/households/", "/people/residents/", "/people/party-members/",
               "/people/partners/", "/people/cadres/", "/people/volunteers/", "/reports/", "/reports/new/",
               "/points/", "/points/items/", "/points/ratings/", "/points/shops/"]
MONITORING_PAGES = ["/monitoring/", "/monitoring/signals/", "/monitoring/cases/", "/monitoring/households/?at_risk=1",
                    "/monitoring/figures/", "/monitoring/department-lists/"]
EXTRA_PAGES = {
    "demo-street": ["/audit/", "/points/review/", "/points/cards/", "/points/events/new/", *MONITORING_PAGES,
                    "/monitoring/settings/"],
    "demo-auditor": ["/audit/"],
    "demo-community": ["/points/review/", "/points/cards/", "/points/events/new/", "/reports/figures/",
                       "/reports/disputes/", "/reports/errands/", *MONITORING_PAGES, "/assets/", "/assets/funds/"],
    "demo-grid": ["/points/cards/", "/points/events/new/", "/monitoring/", "/monitoring/signals/",
                  "/monitoring/households/?at_risk=1"],
}
LEADERSHIP_PAGES = ["/leadership/", "/leadership/teams/", "/leadership/cadres/", "/leadership/trainings/",
                    "/leadership/contacts/", "/leadership/selections/", "/leadership/commendations/",
                    "/leadership/duties/", "/leadership/push-downs/", "/leadership/loans-plaques/",
                    "/leadership/inspections/", "/public/honours/530124001001/"]
ASSETS_PAGES = ["/assets/", "/assets/register/", "/assets/register/?flagged=1", "/assets/confirmations/",
                "/assets/listings/", "/assets/enterprises/", "/assets/projects/", "/assets/income/", "/assets/funds/",
                "/public/economy/530124001001/"]
ROLE_PAGES = {
    "demo-resident": ["/", "/points/me/", "/points/me/declare/", "/points/me/shop/", "/public/points/530124001001/",
                      "/reports/mine/", "/reports/new/", "/public/reports/530124001001/", "/monitoring/declare/"],
    "demo-county": ["/", *MONITORING_PAGES, "/monitoring/settings/"],
    "demo-shop": ["/points/shops/", "/points/shops/{shop}/counter/", "/points/shops/{shop}/stock/",
                  "/points/shops/{shop}/reconciliation/"],
    "demo-leader": ["/", "/cadre/", "/cadre/tasks/", "/cadre/tasks/?status=reported", "/cadre/lists/new/",
                    "/cadre/tasks/escalate/", "/cadre/points/", "/cadre/adjustments/", "/cadre/appeals/",
                    "/cadre/ranking/", "/cadre/ranking/schemes/new/", "/cadre/plans/", "/cadre/showcases/",
                    "/cadre/rules/", "/duty/", "/duty/shifts/", "/duty/visitors/", "/duty/attendance/",
                    *LEADERSHIP_PAGES, *ASSETS_PAGES],
    "demo-sanzi": ["/", *ASSETS_PAGES],
    "demo-cadre": ["/", "/cadre/mine/", "/cadre/tasks/", "/cadre/points/", "/cadre/appeals/", "/cadre/ranking/",
                   "/duty/", "/duty/mine/", "/leadership/", "/leadership/teams/", "/leadership/selections/",
                   "/leadership/contacts/", "/assets/", "/assets/register/", "/assets/confirmations/",
                   "/assets/listings/"],
}


def visit(page, url, errors):
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    assert not errors, (url, errors)


@pytest.fixture
def demo(db):
    return demo_build(households=120, seed=5).built["people"]


@pytest.mark.parametrize("username", [u for u, _, _, _ in demo_logins()])
def test_each_demo_role_walks_its_pages(username, demo, live_server, browser):
    for label, viewport in (("desk", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "jiceng-demo")
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        pages = ROLE_PAGES.get(username, STAFF_PAGES) + EXTRA_PAGES.get(username, [])
        from jiceng.points.models import Shop

        shop = Shop.objects.filter(org_unit=demo.communities[0]).first()
        for path in pages:
            path = path.replace("{shop}", str(shop.pk))
            visit(page, live_server.url + path, errors)
            slug = path.strip("/").replace("/", "-") or "home"
            shot(page, f"tour-{username}-{label}-{slug}")
        context.close()
