"""Exports of filtered lists: scoped, masked, formula-safe, recorded."""
import io

import pytest
from openpyxl import load_workbook

from jiceng.audit.models import AuditEntry
from jiceng.people.services import resident_update
from tests.conftest import PASSWORD


@pytest.fixture
def staff(district, make_user, client, make_household, admin):
    h = make_household(district.grid_a1, head_name="甲户主", phone="13811112222")
    resident_update(actor=admin, resident=h.head, tags=["veteran"], actual_address="=1+2")
    make_household(district.grid_a1, head_name="乙户主", phone="13833334444")
    make_household(district.grid_b1, head_name="外户主", phone="13855556666")
    user = make_user("community_staff", district.comm_a)
    client.login(username=user.username, password=PASSWORD)
    return {"user": user, "h": h}


def test_filtered_resident_export_opens_in_openpyxl_with_masked_values(staff, client):
    r = client.get("/people/residents/export/?format=xlsx&tag=veteran")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:4] == ["姓名", "性别", "出生日期", "身份证号"]
    assert [row[0] for row in rows[1:]] == ["甲户主"]  # the filter applies, other communities never appear
    head = staff["h"].head
    assert rows[1][3] == head.id_number[:6] + "********" + head.id_number[-4:]
    assert rows[1][4] == "138****2222"
    entry = AuditEntry.objects.get(action="people.residents.exported")
    assert entry.after["rows"] == 1 and entry.after["filters"]["tag"] == "veteran" and entry.after["unmasked"] is False


def test_full_export_is_unmasked_only_for_roles_that_may_and_is_recorded(staff, client, district, make_user):
    r = client.get("/people/residents/export/?format=csv&full=1")
    body = r.content.decode("utf-8-sig")
    assert staff["h"].head.id_number in body
    assert AuditEntry.objects.get(action="people.residents.exported").after["unmasked"] is True
    auditor = make_user("auditor", district.street)
    client.logout()
    client.login(username=auditor.username, password=PASSWORD)
    body = client.get("/people/residents/export/?format=csv&full=1").content.decode("utf-8-sig")
    assert staff["h"].head.id_number not in body and "外户主" in body


def test_formula_cells_are_neutralised(staff, client):
    for fmt in ("csv", "xlsx"):
        r = client.get(f"/people/residents/export/?format={fmt}")
        if fmt == "csv":
            assert "'=1+2" in r.content.decode("utf-8-sig")
        else:
            ws = load_workbook(io.BytesIO(r.content)).active
            values = [c.value for row in ws.iter_rows() for c in row]
            assert "'=1+2" in values and "=1+2" not in values


def test_household_and_party_member_exports(staff, client):
    ws = load_workbook(io.BytesIO(client.get("/people/households/export/?format=xlsx").content)).active
    assert ws.max_row == 3 and ws.cell(1, 1).value == "户编号"
    ws = load_workbook(io.BytesIO(client.get("/people/party-members/export/?format=xlsx").content)).active
    assert ws.cell(1, 1).value == "姓名"


def test_unknown_format_is_a_clear_error(staff, client):
    r = client.get("/people/residents/export/?format=pdf")
    assert r.status_code == 400 and "csv 或 xlsx" in r.content.decode()
