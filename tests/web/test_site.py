"""Site-wide odds and ends."""


def test_favicon_ico_leads_to_the_site_icon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("web/favicon.svg")
