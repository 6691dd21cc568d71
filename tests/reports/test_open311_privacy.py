"""Open311 GET (no api_key needed): descriptions are public, as the spec has them, but who reported
a problem never is — reporter fields are not output, and names, phones, e-mails and ID numbers typed
into the text are masked."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from jiceng.accounts.models import Role
from jiceng.reports import services
from jiceng.reports.models import Channel, Report
from jiceng.reports.privacy import mask_personal

SECRETS = ["13912345678", "139 1234 5678", "zhang.san@example.com", "王秀英", "张建国", "0871-65123456",
           "53012419800501123X", "王女士"]


@pytest.fixture
def reports(report_site, district, make_user, client):
    desk = make_user(Role.COMMUNITY_STAFF, district.comm_a)
    by_desk = services.report_submit(
        actor=desk, channel=Channel.DESK, category_id=report_site.fire.pk, org_unit=district.building_a1,
        description="我是1栋的王秀英，消防通道被电动车堵了，电话139 1234 5678，邮箱 zhang.san@example.com",
        reporter_name="王秀英", reporter_phone="13912345678", address="1栋2单元 王女士家门口")
    services.report_accept(actor=desk, report=by_desk)
    r = client.post("/open311/v2/requests.json", {
        "api_key": report_site.key, "service_code": "HJ01", "address_id": district.building_a1.code,
        "description": "垃圾没人清运。联系人：张建国 0871-65123456 身份证53012419800501123X",
        "first_name": "建国", "last_name": "张", "phone": "13800001111", "email": "zhang.san@example.com"})
    assert r.status_code == 200, r.content
    return by_desk, Report.objects.get(pk=r.json()[0]["service_request_id"])


def test_get_requests_without_api_key_shows_descriptions_but_no_personal_details(client, reports):
    by_desk, by_partner = reports
    body = client.get("/open311/v2/requests.json").content.decode()
    rows = json.loads(body)
    assert {r["service_request_id"] for r in rows} == {str(by_desk.pk), str(by_partner.pk)}
    for secret in SECRETS + ["13800001111", "建国"]:
        assert secret not in body, secret
    text = {r["service_request_id"]: r for r in rows}
    assert "消防通道被电动车堵了" in text[str(by_desk.pk)]["description"]          # the problem itself is public
    assert "垃圾没人清运" in text[str(by_partner.pk)]["description"]
    assert text[str(by_desk.pk)]["address"] == "1栋2单元 *女士家门口"
    for row in rows:
        assert not {"reporter_name", "reporter_phone", "first_name", "last_name", "phone", "email"} & set(row)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_single_request_in_both_formats_masks_the_same(client, reports, fmt):
    for report in reports:
        body = client.get(f"/open311/v2/requests/{report.pk}.{fmt}").content.decode()
        if fmt == "xml":
            ET.fromstring(body.encode())
        for secret in SECRETS:
            assert secret not in body, (fmt, secret)


def test_status_notes_mask_a_name_the_handler_typed(client, reports, district, make_user):
    by_desk, _ = reports
    worker = make_user(Role.GRID_WORKER, district.grid_a1)
    services.report_resolve(actor=worker, report=by_desk, result="已联系王秀英，电话13912345678，车已挪走")
    row = client.get(f"/open311/v2/requests/{by_desk.pk}.json").json()[0]
    assert row["status_notes"] == "已联系***，电话***，车已挪走"


def test_staff_still_read_the_unmasked_text(reports):
    by_desk, _ = reports
    by_desk.refresh_from_db()
    assert "139 1234 5678" in by_desk.description and by_desk.reporter_phone == "13912345678"


@pytest.mark.parametrize("text, expected", [
    ("电话：13912345678", "电话：***"),
    ("+86 139-1234-5678", "***"),
    ("座机0871 6512345", "座机***"),
    ("邮箱a.b@qq.com谢谢", "邮箱***谢谢"),
    ("我叫李四，住3栋", "我叫***，住3栋"),
    ("找陈师傅", "找*师傅"),
    ("维修师傅明天来", "维修师傅明天来"),             # not a surname: left alone
    ("3号楼2单元501，已经3天了，500元", "3号楼2单元501，已经3天了，500元"),
])
def test_mask_personal(text, expected):
    assert mask_personal(text) == expected
