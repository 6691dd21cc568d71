"""Bad input gets a clear message naming the field and the reason, through web and API alike,
and writes nothing."""
import datetime as dt

import pytest
from django.test import Client

from jiceng.audit.models import AuditEntry
from jiceng.people.models import Household, Resident
from tests.conftest import PASSWORD, bad_check_digit, make_id


@pytest.fixture
def worker(district, make_user):
    return make_user("grid_worker", district.grid_a1)


@pytest.fixture
def web(worker):
    c = Client()
    c.login(username=worker.username, password=PASSWORD)
    return c


@pytest.fixture
def api(worker, api_login):
    return api_login(worker)


def counts():
    return Resident.objects.count(), Household.objects.count(), AuditEntry.objects.count()


def form(district, **over):
    data = {"org_unit": district.building_a1.pk, "name": "王小明", "id_number": make_id(birth=dt.date(1990, 1, 1)),
            "ethnicity": "汉族", "status": "living", "phone": "13812340000"}
    data.update(over)
    return data


CASES = [
    ("id_number", lambda: {"id_number": bad_check_digit(make_id(birth=dt.date(1990, 1, 1)))}, "校验位不正确"),
    ("birth_date", lambda: {"birth_date": "1990-01-02"}, "不一致"),
    ("gender", lambda: {"gender": "F"}, "性别与身份证号不一致"),
    ("name", lambda: {"name": ""}, "请填写姓名"),
    ("phone", lambda: {"phone": "12345"}, "格式不正确"),
]


@pytest.mark.parametrize("field,change,message", CASES)
def test_web_form_shows_the_error_next_to_the_field_and_writes_nothing(field, change, message, web, district):
    before = counts()
    r = web.post("/people/residents/new/", form(district, **change()))
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert counts() == before


@pytest.mark.parametrize("field,change,message", CASES)
def test_api_names_the_field_and_writes_nothing(field, change, message, api, district):
    before = counts()
    data = form(district, **change())
    data["org_unit_id"] = data.pop("org_unit")
    if data.get("birth_date") == "":
        data.pop("birth_date")
    r = api.post("/api/residents", data, content_type="application/json")
    assert r.status_code in (400, 422), r.content
    body = r.json()
    assert body["field"] == field or field in body["errors"], body
    assert message in " ".join(body["errors"].get(field, [body["detail"]]))
    assert counts() == before


def test_duplicate_id_number_is_refused_on_web_and_api(web, api, district, admin, make_household):
    existing = make_household(district.grid_a1)
    before = counts()
    r = web.post("/people/residents/new/", form(district, id_number=existing.head.id_number))
    assert "已登记" in " ".join(r.context["form"].errors["id_number"])
    data = form(district, id_number=existing.head.id_number)
    data["org_unit_id"] = data.pop("org_unit")
    r = api.post("/api/residents", data, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "id_number"
    assert counts() == before


def test_moving_a_household_outside_scope_is_refused(web, api, district, make_household):
    h = make_household(district.grid_a1)
    before = counts()
    r = web.post(f"/people/households/{h.pk}/move/", {"to_unit": district.grid_b1.pk})
    assert r.status_code == 200 and "to_unit" in r.context["form"].errors
    r = api.patch(f"/api/households/{h.pk}", {"org_unit_id": district.grid_b1.pk}, content_type="application/json")
    assert r.status_code == 404 and r.json()["field"] == "org_unit_id"
    h.refresh_from_db()
    assert h.org_unit_id == district.grid_a1.pk
    assert counts() == before


def test_missing_required_field_in_api(api, district):
    before = counts()
    r = api.post("/api/residents", {"org_unit_id": district.grid_a1.pk, "name": "王五"}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["field"] == "id_number"
    assert counts() == before


def test_malformed_and_oversized_bodies_get_json_errors(api, district):
    before = counts()
    r = api.post("/api/residents", "{not json", content_type="application/json")
    assert r.status_code in (400, 422) and "detail" in r.json()
    big = '{"name": "' + "王" * 800_000 + '"}'
    r = api.post("/api/residents", big, content_type="application/json")
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert counts() == before


def test_household_head_errors_roll_back_the_household(admin, district):
    from jiceng.core.errors import JicengError
    from jiceng.people.services import household_create
    before = counts()
    with pytest.raises(JicengError) as exc:
        household_create(actor=admin, org_unit=district.grid_a1, address="1号",
                         head={"name": "王五", "id_number": bad_check_digit(make_id())})
    assert "head.id_number" in exc.value.errors
    assert counts() == before
