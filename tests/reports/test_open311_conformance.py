"""Open311 GeoReport v2 details a partner system relies on: the jurisdiction of a POST, the reporter's
contact details and media_url, coordinates as numbers, and error descriptions in one language."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from jiceng.accounts.models import Role
from jiceng.reports import services
from jiceng.reports.models import Report

CJK = re.compile(r"[\u4e00-\u9fff]")


def post(client, fmt="json", **data):
    return client.post(f"/open311/v2/requests.{fmt}", data)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_to_a_jurisdiction_that_is_not_the_keys_is_refused_with_404_and_writes_nothing(client, report_site,
                                                                                           district, fmt):
    body = {"api_key": report_site.key, "service_code": "AQ01", "address_id": district.building_a1.code,
            "description": "消防通道被占用"}
    for wrong in ("999999999999", district.comm_a.code):
        r = post(client, fmt, jurisdiction_id=wrong, **body)
        assert r.status_code == 404, r.content
        if fmt == "json":
            assert r["Content-Type"] == "application/json; charset=utf-8"
            errors = r.json()
            assert [e["code"] for e in errors] == [404] and wrong in errors[0]["description"]
            assert "jurisdiction_id" in errors[0]["description"]
        else:
            root = ET.fromstring(r.content)
            assert root.tag == "errors" and root.find("error/code").text == "404"
            assert wrong in root.find("error/description").text
    in_query = client.post(f"/open311/v2/requests.{fmt}?jurisdiction_id=999999999999", body)
    assert in_query.status_code == 404
    assert not Report.objects.exists()
    assert client.get("/open311/v2/requests.json", {"jurisdiction_id": "999999999999"}).status_code == 404
    ok = post(client, fmt, jurisdiction_id=district.street.code, **body)
    assert ok.status_code == 200 and Report.objects.count() == 1
    empty = post(client, fmt, jurisdiction_id="", **body)   # an empty optional argument is an absent one
    assert empty.status_code == 200 and Report.objects.count() == 2


def test_email_phone_and_media_url_are_kept_and_only_media_url_is_published(client, report_site, district,
                                                                           make_user, api_login):
    r = post(client, api_key=report_site.key, service_code="AQ01", address_id=district.building_a1.code,
             description="楼道飞线充电", phone="13800001111", email="li.si@example.com",
             media_url="https://img.example.com/a/1.jpg")
    assert r.status_code == 200, r.content
    report = Report.objects.get(pk=r.json()[0]["service_request_id"])
    assert (report.reporter_phone, report.reporter_email, report.media_url, report.anonymous) == (
        "13800001111", "li.si@example.com", "https://img.example.com/a/1.jpg", False)
    for url in ("/open311/v2/requests.json", f"/open311/v2/requests/{report.pk}.json",
                "/open311/v2/requests.xml", f"/open311/v2/requests/{report.pk}.xml"):
        body = client.get(url).content.decode()
        assert "https://img.example.com/a/1.jpg" in body
        assert "13800001111" not in body and "li.si@example.com" not in body and "example.com/a" in body
    row = client.get(f"/open311/v2/requests/{report.pk}.json").json()[0]
    assert row["media_url"] == "https://img.example.com/a/1.jpg"
    staff = api_login(make_user(Role.COMMUNITY_STAFF, district.comm_a))
    detail = staff.get(f"/api/reports/{report.pk}").json()
    assert (detail["reporter_phone"], detail["reporter_email"], detail["media_url"]) == (
        "13800001111", "li.si@example.com", "https://img.example.com/a/1.jpg")


@pytest.mark.parametrize("field, value", [("email", "not-an-address"), ("media_url", "javascript:alert(1)"),
                                          ("media_url", "ftp://example.com/x.jpg"), ("phone", "1" * 21)])
def test_a_bad_email_media_url_or_phone_is_refused_with_400_and_nothing_written(client, report_site, district,
                                                                               field, value):
    r = post(client, api_key=report_site.key, service_code="AQ01", address_id=district.building_a1.code,
             description="楼道飞线充电", **{field: value})
    assert r.status_code == 400 and r.json()[0]["code"] == 400, r.content
    assert not Report.objects.exists()


def test_coordinates_are_json_numbers_or_null_and_xml_text(client, report_site, district):
    from jiceng.reports.models import ReportSettings

    ReportSettings.objects.update_or_create(site=district.street, defaults=dict(
        min_lat=Decimal("25.1"), max_lat=Decimal("25.35"), min_long=Decimal("102.35"), max_long=Decimal("102.65")))
    located = post(client, api_key=report_site.key, service_code="HJ01", lat="25.2051", long="102.5013",
                   description="垃圾堆放").json()[0]["service_request_id"]
    placed = post(client, api_key=report_site.key, service_code="HJ01", address_id=district.building_a1.code,
                  description="垃圾堆放").json()[0]["service_request_id"]
    rows = {r["service_request_id"]: r for r in json.loads(client.get("/open311/v2/requests.json").content)}
    assert (rows[located]["lat"], rows[located]["long"]) == (25.2051, 102.5013)
    assert rows[placed].get("lat") is None and rows[placed].get("long") is None
    one = client.get(f"/open311/v2/requests/{located}.json").json()[0]
    assert isinstance(one["lat"], float) and isinstance(one["long"], float)
    root = ET.fromstring(client.get(f"/open311/v2/requests/{located}.xml").content)
    assert Decimal(root.find("request/lat").text) == Decimal("25.2051")
    assert Decimal(root.find("request/long").text) == Decimal("102.5013")


def _error_descriptions(client, report_site, district, **headers) -> list[str]:
    key = report_site.key
    calls = [
        client.post("/open311/v2/requests.json", {"service_code": "AQ01"}, **headers),
        client.post("/open311/v2/requests.json", {"api_key": key, "jurisdiction_id": "1"}, **headers),
        client.post("/open311/v2/requests.json", {"api_key": key}, **headers),
        client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "NOPE"}, **headers),
        client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "AQ01"}, **headers),
        client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "AQ01", "lat": "x", "long": "y"},
                    **headers),
        client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "AQ01", "address_id": "NOWHERE"},
                    **headers),
        client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "WY01", "address_string": "3栋"},
                    **headers),
        client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "AQ01", "address_string": "3栋",
                                                  "description": "长" * 4001}, **headers),
        client.get("/open311/v2/requests.json", {"status": "pending"}, **headers),
        client.get("/open311/v2/requests.json", {"start_date": "yesterday"}, **headers),
        client.get("/open311/v2/requests.json", {"start_date": "2026-01-01T00:00:00+08:00",
                                                 "end_date": "2026-06-01T00:00:00+08:00"}, **headers),
        client.get("/open311/v2/requests.json", {"service_request_id": "a,b"}, **headers),
        client.get("/open311/v2/requests.json", {"page": "two"}, **headers),
        client.get("/open311/v2/requests/999999.json", **headers),
        client.get("/open311/v2/services/NOPE.json", **headers),
        client.get("/open311/v2/tokens/nope.json", **headers),
        client.get("/open311/v2/services.json", {"jurisdiction_id": "1"}, **headers),
    ]
    out = []
    for r in calls:
        assert r.status_code in (400, 403, 404), (r.status_code, r.content)
        out.append(r.json()[0]["description"])
    return out


def test_error_descriptions_are_chinese_by_default(client, report_site, district):
    descriptions = _error_descriptions(client, report_site, district)
    assert all(CJK.search(d) for d in descriptions), descriptions
    assert not any(re.search(r"\b(not found|required|must|is not|Invalid)\b", d) for d in descriptions), descriptions


def test_error_descriptions_are_english_under_the_english_locale(client, report_site, district):
    descriptions = _error_descriptions(client, report_site, district, HTTP_ACCEPT_LANGUAGE="en")
    assert not any(CJK.search(d.replace("3栋", "").replace("所在楼层", "")) for d in descriptions), descriptions
    assert descriptions[0] == "Invalid api_key received -- can't proceed with create_request."
    assert descriptions[1] == "jurisdiction_id 1 not found"


def test_service_notice_follows_the_language(client, report_site, district):
    body = {"api_key": report_site.key, "service_code": "AQ01", "address_id": district.building_a1.code}
    assert client.post("/open311/v2/requests.json", body).json()[0]["service_notice"] == "将于受理后 24 小时内办结"
    english = client.post("/open311/v2/requests.json", body, HTTP_ACCEPT_LANGUAGE="en").json()[0]["service_notice"]
    assert english == "To be completed within 24 hours of acceptance"


def test_no_demo_request_was_updated_or_closed_in_the_future(db, client):
    from django.utils import timezone

    from jiceng.core.demo import demo_build

    demo_build(households=40, seed=2026, only=("people", "reports"))
    now = timezone.now()
    reports = list(Report.objects.unscoped("test: every demo report"))
    assert len(reports) == 240
    future = [(r.pk, field) for r in reports for field in ("created_at", "updated_at", "accepted_at", "resolved_at",
                                                           "closed_at")
              if getattr(r, field) is not None and getattr(r, field) > now]
    assert future == []
    rows = json.loads(client.get("/open311/v2/requests.json").content)
    assert rows and max(dt.datetime.fromisoformat(r["updated_datetime"]) for r in rows) <= timezone.now()
    from jiceng.orgs.models import OrgUnit
    from jiceng.reports.demo import DEMO_OPEN311_KEY

    grid = OrgUnit.objects.filter(lat__isnull=False).order_by("path").first()
    r = client.post("/open311/v2/requests.json", {"api_key": DEMO_OPEN311_KEY, "service_code": "HJ01",
                                                  "lat": str(grid.lat), "long": str(grid.long + Decimal("0.001"))})
    assert r.status_code == 200, r.content
    assert Report.objects.unscoped("test").get(pk=r.json()[0]["service_request_id"]).org_unit == grid


def test_a_request_with_only_coordinates_goes_to_the_nearest_lowest_unit_with_a_centre(client, report_site, district,
                                                                                      admin, make_user, api_login):
    from jiceng.orgs.services import org_unit_update
    from jiceng.reports.models import ReportSettings

    ReportSettings.objects.update_or_create(site=district.street, defaults=dict(
        min_lat=Decimal("25.1"), max_lat=Decimal("25.35"), min_long=Decimal("102.35"), max_long=Decimal("102.65")))

    def report_at(lat, long):
        r = post(client, api_key=report_site.key, service_code="HJ01", lat=lat, long=long, description="垃圾堆放")
        assert r.status_code == 200, r.content
        return Report.objects.get(pk=r.json()[0]["service_request_id"])

    assert report_at("25.2", "102.5").org_unit == district.street       # no unit has a centre yet
    org_unit_update(actor=admin, unit=district.comm_a, lat="25.2", long="102.5")   # right at the point, but a grid
    org_unit_update(actor=admin, unit=district.grid_a1, lat="25.21", long="102.5")  # below it has a centre: ~1.1 km
    org_unit_update(actor=admin, unit=district.grid_b1, lat=Decimal("25.205"), long=Decimal("102.5"))  # ~0.56 km
    to_b = report_at("25.2", "102.5")
    assert (to_b.org_unit, to_b.org_path) == (district.grid_b1, district.grid_b1.path)
    to_a = report_at("25.2099", "102.5003")
    assert to_a.org_unit == district.grid_a1
    staff_b = api_login(make_user(Role.COMMUNITY_STAFF, district.comm_b))
    staff_a = api_login(make_user(Role.COMMUNITY_STAFF, district.comm_a))
    assert {r["id"] for r in staff_b.get("/api/reports").json()["results"]} == {to_b.pk}
    assert {r["id"] for r in staff_a.get("/api/reports").json()["results"]} == {to_a.pk}
    row = client.get(f"/open311/v2/requests/{to_b.pk}.json").json()[0]
    assert row["address_id"] == district.grid_b1.code


def test_a_units_centre_needs_both_coordinates_in_range(district, admin):
    from jiceng.core.errors import JicengError
    from jiceng.orgs.models import OrgUnit
    from jiceng.orgs.services import org_unit_update

    for lat, long in (("25.2", None), ("95", "102.5"), ("x", "102.5")):
        with pytest.raises(JicengError) as exc:
            org_unit_update(actor=admin, unit=district.grid_a1, lat=lat, long=long)
        assert exc.value.field == "lat"
    assert OrgUnit.objects.filter(lat__isnull=False).count() == 0
    org_unit_update(actor=admin, unit=district.grid_a1, lat="25.2", long="102.5")
    org_unit_update(actor=admin, unit=district.grid_a1, name="甲一网格（新）")
    district.grid_a1.refresh_from_db()
    assert (district.grid_a1.lat, district.grid_a1.long) == (Decimal("25.200000"), Decimal("102.500000"))
