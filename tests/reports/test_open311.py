"""Open311 GeoReport v2 against a live server: a stock read client (georeport) and form-encoded
POSTs made with requests, in JSON and XML, as the spec describes."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import requests

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server, report_site):
    return f"{live_server.url}/open311/v2"


def test_stock_client_lists_services_reads_a_definition_posts_and_reads_back(base, report_site, district):
    from georeport import GeoReport

    client = GeoReport(base + "/", api_key=report_site.key)
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"AQ01", "HJ01", "WY01"} <= codes
    definition = client.get_service_definition("WY01")
    assert definition["attributes"][0]["code"] == "floor" and definition["attributes"][0]["required"] is True

    r = requests.post(f"{base}/requests.json", data={
        "api_key": report_site.key, "service_code": "AQ01", "address_id": district.building_a1.code,
        "description": "消防通道被占用", "first_name": "明", "last_name": "王", "phone": "13800000000"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    created = r.json()
    assert isinstance(created, list) and created[0]["service_request_id"]
    rid = created[0]["service_request_id"]
    one = client.get_service_request(rid)
    row = one[0] if isinstance(one, list) else one
    assert row["service_code"] == "AQ01" and row["status"] == "open"
    assert "王" not in str(row) and "13800000000" not in str(row)

    x = requests.get(f"{base}/requests/{rid}.xml", timeout=10)
    assert x.headers["Content-Type"].startswith("text/xml") and x.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(x.content)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == rid
    listed = requests.get(f"{base}/requests.json", params={"service_code": "AQ01", "status": "open"}, timeout=10).json()
    assert [r["service_request_id"] for r in listed] == [rid]


def test_post_errors_use_the_spec_format(base, report_site, district):
    r = requests.post(f"{base}/requests.json", data={"service_code": "AQ01", "address_string": "x"}, timeout=10)
    assert r.status_code == 403 and r.json()[0]["code"] == 403
    r = requests.post(f"{base}/requests.xml", data={"api_key": "wrong", "service_code": "AQ01", "address_string": "x"},
                      timeout=10)
    assert r.status_code == 403 and ET.fromstring(r.content).find("error/code").text == "403"
    r = requests.post(f"{base}/requests.json", data={"api_key": report_site.key, "service_code": "NOPE",
                                                      "address_string": "x"}, timeout=10)
    assert r.status_code == 404
    r = requests.post(f"{base}/requests.json", data={"api_key": report_site.key, "service_code": "WY01",
                                                      "address_string": "3栋"}, timeout=10)
    assert r.status_code == 400 and "floor" in r.json()[0]["description"]
    r = requests.post(f"{base}/requests.json", data={"api_key": report_site.key, "service_code": "AQ01"}, timeout=10)
    assert r.status_code == 400
    r = requests.post(f"{base}/requests.json", data={"api_key": report_site.key, "service_code": "AQ01",
                                                      "address_id": "NOT-A-PLACE"}, timeout=10)
    assert r.status_code == 400
    from jiceng.reports.models import Report

    assert not Report.objects.exists()
    assert requests.get(f"{base}/requests/999999.json", timeout=10).status_code == 404
    assert requests.get(f"{base}/services/NOPE.json", timeout=10).status_code == 404
    assert requests.get(f"{base}/tokens/nope.json", timeout=10).status_code == 404


def test_attribute_values_and_token_lookup(base, report_site, district):
    from jiceng.reports.models import Report

    r = requests.post(f"{base}/requests.xml", data={"api_key": report_site.key, "service_code": "WY01",
                                                     "address_id": district.building_a1.code,
                                                     "attribute[floor]": "5", "description": "电梯停运"}, timeout=10)
    assert r.status_code == 200, r.text
    rid = ET.fromstring(r.content).find("request/service_request_id").text
    report = Report.objects.get(pk=rid)
    assert report.attributes["floor"] == "5" and report.channel == "open311"
    t = requests.get(f"{base}/tokens/{report.token}.json", timeout=10).json()
    assert t == [{"service_request_id": rid, "token": report.token}]
