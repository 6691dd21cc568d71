"""The duty pages: the main pages open for the desk's people, the check-in page from the QR code, a visitor
form's errors by field, exports, the public roster, and scope (another community's staff gets 404)."""
from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from jiceng.duty import services
from jiceng.duty.models import DutyShift, ShiftStatus, Visitor
from tests.conftest import PASSWORD
from tests.duty.conftest import at


def _client(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_main_pages_open_for_a_manager(site, shift, client):
    c = _client(client, site.leader)
    for url in ("/duty/", "/duty/shifts/", "/duty/visitors/", "/duty/attendance/", "/duty/attendance/?by=unit",
                "/duty/rules/", "/duty/desks/new/", f"/duty/desks/{site.desk.pk}/", f"/duty/desks/{site.desk.pk}/qr/",
                f"/duty/desks/{site.desk.pk}/visitors/new/", "/duty/mine/"):
        r = c.get(url)
        assert r.status_code == 200, url
    page = c.get(f"/duty/desks/{site.desk.pk}/").content.decode()
    assert "李村官" in page and "添加班次" in page
    qr = c.get(f"/duty/desks/{site.desk.pk}/qr/").content.decode()
    code = services.day_code(site.desk, timezone.localdate())
    assert "<svg" in qr and code in qr and f"/duty/checkin/?desk={site.desk.pk}&amp;code={code}" in qr


def test_rostering_on_the_page_shows_an_overlap_next_to_the_start(site, shift, client):
    c = _client(client, site.leader)
    day = timezone.localdate()
    r = c.post(f"/duty/desks/{site.desk.pk}/", {"cadre": site.cadre.pk, "day": str(day), "start": "17:00",
                                                "end": "19:00"})
    assert r.status_code == 200 and "重叠" in r.content.decode()
    assert DutyShift.objects.unscoped("t").count() == 1
    r = c.post(f"/duty/desks/{site.desk.pk}/", {"cadre": site.other_cadre.pk, "day": str(day), "start": "17:00",
                                                "end": "19:00"})
    assert r.status_code == 302 and DutyShift.objects.unscoped("t").count() == 2


def test_the_qr_code_opens_the_check_in_page_on_the_phone(site, client):
    now = timezone.now()
    services.shift_create(actor=site.leader, desk=site.desk, cadre=site.cadre, starts_at=now - dt.timedelta(minutes=5),
                          ends_at=now + dt.timedelta(hours=3))
    c = _client(client, site.cadre_user)
    code = services.day_code(site.desk, timezone.localdate())
    page = c.get(f"/duty/checkin/?desk={site.desk.pk}&code={code}").content.decode()
    assert "签到" in page and "navigator.geolocation" in page
    r = c.post("/duty/checkin/", {"desk": site.desk.pk, "code": "000000" if code != "000000" else "111111",
                                  "action": "in"})
    assert r.status_code == 400 and 'data-field="code"' in r.content.decode()
    r = c.post("/duty/checkin/", {"desk": site.desk.pk, "code": code, "action": "in", "lat": "24.880100",
                                  "lng": "102.830100"})
    assert r.status_code == 302
    assert DutyShift.objects.unscoped("t").get().status == ShiftStatus.ON_DUTY
    assert "在岗" in c.get("/duty/mine/").content.decode()


def test_a_visitor_without_name_or_purpose_is_shown_by_field(site, client):
    c = _client(client, site.staff_a)
    r = c.post(f"/duty/desks/{site.desk.pk}/visitors/new/", {"kind": "consult", "name": "", "purpose": ""})
    page = r.content.decode()
    assert r.status_code == 200 and "请填写来访人姓名" in page and "请填写来访事由" in page
    assert not Visitor.objects.unscoped("t").exists()
    r = c.post(f"/duty/desks/{site.desk.pk}/visitors/new/", {"kind": "consult", "name": "张大爷", "phone": "13811112222",
                                                           "purpose": "咨询医保", "dispute_outcome": "mediating"})
    assert r.status_code == 302 and Visitor.objects.unscoped("t").count() == 1


def test_phones_are_masked_in_lists_for_people_who_do_not_manage_the_desk(site, client):
    services.visitor_record(actor=site.staff_a, desk=site.desk, name="张大爷", phone="13811112222", purpose="咨询")
    assert "13811112222" in _client(client, site.staff_a).get("/duty/visitors/").content.decode()
    page = _client(client, site.cadre_user).get("/duty/visitors/").content.decode()
    assert "13811112222" not in page and "138****2222" in page


def test_exports_are_workbooks_and_recorded(site, shift, client):
    from openpyxl import load_workbook

    from jiceng.audit.models import AuditEntry

    services.visitor_record(actor=site.staff_a, desk=site.desk, name="张大爷", phone="13811112222", purpose="咨询")
    c = _client(client, site.leader)
    for url in ("/duty/?format=xlsx", "/duty/shifts/?format=xlsx", "/duty/visitors/?format=xlsx",
                "/duty/attendance/?format=xlsx", "/duty/attendance/?by=unit&format=xlsx"):
        r = c.get(url)
        assert r["Content-Type"].startswith("application/vnd.openxmlformats"), url
    ws = load_workbook(io.BytesIO(c.get("/duty/shifts/?format=xlsx").content)).active
    assert ws.cell(2, 3).value == "李村官"
    assert AuditEntry.objects.filter(action="duty.exported").count() == 6


def test_the_public_roster_masks_mobiles_and_shows_the_desk_line(site, shift, client):
    client.logout()
    page = client.get(f"/public/duty/{site.district.comm_a.code}/").content.decode()
    assert "李村官" in page and "0871-67001234" in page
    assert "13912345678" not in page and "139****5678" in page
    assert client.get("/public/duty/no-such-unit/").status_code == 404
    assert "值班表" in client.get(f"/public/{site.district.comm_a.code}/").content.decode()


def test_another_communitys_staff_gets_404_on_the_desk(site, shift, client):
    c = _client(client, site.outsider)
    for url in (f"/duty/desks/{site.desk.pk}/", f"/duty/desks/{site.desk.pk}/qr/",
                f"/duty/desks/{site.desk.pk}/visitors/new/", f"/duty/checkin/?desk={site.desk.pk}&code=1"):
        assert c.get(url).status_code == 404, url
    assert "李村官" not in c.get("/duty/shifts/").content.decode()
    assert c.get(f"/duty/desks/{site.desk_b.pk}/").status_code == 200
    # The village cadre sees the desk but not its QR code page (managers print it).
    assert _client(client, site.cadre_user).get(f"/duty/desks/{site.desk.pk}/qr/").status_code == 404


def test_the_rules_are_set_by_the_street_and_read_by_a_community(site, client):
    from jiceng.duty.models import DutyRules

    c = _client(client, site.staff_a)
    page = c.get("/duty/rules/").content.decode()
    assert "只能查看" in page and c.post("/duty/rules/", {"missed_points": 9}).status_code == 403
    c = _client(client, site.leader)
    data = {"kept_points": 2, "late_points": 1, "missed_points": 4, "early_minutes": 30, "late_minutes": 10,
            "missed_minutes": 60, "max_distance_m": 500}
    assert c.post("/duty/rules/", data).status_code == 302
    assert DutyRules.objects.get(site=site.district.street).missed_points == 4


def test_the_visitor_list_reads_a_fixed_number_of_queries(site, client, django_assert_max_num_queries):
    for i in range(12):
        services.visitor_record(actor=site.staff_a, desk=site.desk, name=f"来访{i}", phone="13811112222", purpose="咨询")
    c = _client(client, site.staff_a)
    with django_assert_max_num_queries(20):
        r = c.get("/duty/visitors/")
    assert r.content.decode().count("来访1") >= 3
