"""The menu fits a 1366 px desktop in English too: every entry and the log-out button are on screen."""
from __future__ import annotations

import pytest

from jiceng.core.demo import demo_build
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("locale, logout", [("en-US", "Log out"), ("zh-CN", "退出")])
def test_the_street_admins_menu_fits_1366_px_with_log_out_visible(live_server, browser, locale, logout):
    demo_build(households=30, seed=5)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "demo-street")
    page.fill("#id_password", "jiceng-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    button = page.get_by_role("button", name=logout)
    box = button.bounding_box()
    assert box is not None and button.is_visible()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1366
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    right_edges = page.eval_on_selector_all(".navbar-jc .nav-link", "els => els.map(e => e.getBoundingClientRect().right)")
    assert right_edges and max(right_edges) <= 1366
    shot(page, f"menu-1366-{locale}")
    context.close()
