"""The template downloads on /imports/ look like live links (link colour, underlined), not greyed out."""
from __future__ import annotations

import pytest

from tests.browser.conftest import shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_template_download_links_are_drawn_as_links(district, make_user, live_server, browser):
    user = make_user("street_admin", district.street)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/imports/")
    links = page.locator("a[href^='/imports/templates/'], a[href*='/template']")
    assert links.count() >= 5
    style = links.first.evaluate("""a => { const s = getComputedStyle(a);
        const probe = document.createElement('a'); probe.href = '#'; document.body.appendChild(probe);
        const link = getComputedStyle(probe).color; probe.remove();
        return {color: s.color, link, decoration: s.textDecorationLine}; }""")
    assert style["color"] == style["link"] and "underline" in style["decoration"], style
    shot(page, "imports-template-links")
    context.close()
