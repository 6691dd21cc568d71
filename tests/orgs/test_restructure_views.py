"""The forms on a unit's page and the API operations that move, split and merge units."""
import datetime as dt

from jiceng.orgs.models import OrgUnit, UnitChange
from jiceng.orgs.services import org_unit_create
from tests.conftest import PASSWORD


def test_street_admin_sees_the_tree_actions_and_moves_a_grid_through_the_form(district, make_user, client):
    user = make_user("street_admin", district.street)
    client.login(username=user.username, password=PASSWORD)
    page = client.get(f"/orgs/{district.grid_a1.pk}/").content.decode()
    assert f"/orgs/{district.grid_a1.pk}/move/" in page and f"/orgs/{district.grid_a1.pk}/merge/" in page
    form = client.get(f"/orgs/{district.grid_a1.pk}/move/").content.decode()
    assert "乙社区" in form and "1栋" not in form  # its own subtree is not offered
    r = client.post(f"/orgs/{district.grid_a1.pk}/move/", {"parent": district.comm_b.pk, "effective_on": "2026-09-01",
                                                            "note": "网格调整"})
    assert r.status_code == 302
    grid = OrgUnit.objects.get(pk=district.grid_a1.pk)
    assert grid.parent_id == district.comm_b.pk
    history = client.get(f"/orgs/{grid.pk}/").content.decode()
    assert "区划调整记录" in history and "网格调整" in history and "2026-09-01" in history


def test_the_form_refuses_a_move_under_its_own_descendant_naming_the_field(district, admin, client):
    client.login(username=admin.username, password=PASSWORD)
    r = client.post(f"/orgs/{district.comm_a.pk}/move/", {"parent": district.grid_a1.pk})
    assert r.status_code == 200  # the subtree is not even a choice
    assert OrgUnit.objects.get(pk=district.comm_a.pk).parent_id == district.street.pk


def test_community_staff_get_no_tree_actions(district, make_user, client):
    user = make_user("community_staff", district.comm_a)
    client.login(username=user.username, password=PASSWORD)
    assert "/move/" not in client.get(f"/orgs/{district.grid_a1.pk}/").content.decode()
    for action in ("move", "split", "merge"):
        assert client.get(f"/orgs/{district.grid_a1.pk}/{action}/").status_code == 404


def test_split_and_merge_forms_keep_the_old_units_as_history(district, admin, client):
    client.login(username=admin.username, password=PASSWORD)
    r = client.post(f"/orgs/{district.comm_a.pk}/split/", {
        "parts": "2", "name_1": "甲东社区", "code_1": "530124001011", "name_2": "甲西社区", "code_2": "530124001012",
        f"child_{district.grid_a1.pk}": "1"})
    assert r.status_code == 200 and "未分配" in r.content.decode() and "甲二网格" in r.content.decode()
    r = client.post(f"/orgs/{district.comm_a.pk}/split/", {
        "parts": "2", "name_1": "甲东社区", "code_1": "530124001011", "name_2": "甲西社区", "code_2": "530124001012",
        f"child_{district.grid_a1.pk}": "1", f"child_{district.grid_a2.pk}": "2", "effective_on": "2026-10-01"})
    assert r.status_code == 302
    old = client.get(f"/orgs/{district.comm_a.pk}/").content.decode()
    assert "已于 2026-10-01 撤销" in old and "甲东社区" in old
    east = OrgUnit.objects.get(code="530124001011")
    r = client.post(f"/orgs/{district.comm_b.pk}/merge/", {"target": east.pk})
    assert r.status_code == 302
    assert OrgUnit.objects.get(pk=district.grid_b1.pk).parent_id == east.pk
    assert OrgUnit.objects.get(pk=district.comm_b.pk).successor_id == east.pk


def test_api_moves_splits_merges_and_lists_changes_within_scope(district, admin, make_user, api_login):
    street_admin = make_user("street_admin", district.street)
    other = org_unit_create(actor=admin, parent=None, kind="street", name="外街道", code="530124009000")
    api = api_login(street_admin)
    r = api.post(f"/api/orgs/{district.grid_a1.pk}/move", {"parent_id": other.pk}, content_type="application/json")
    assert r.status_code == 404 and r.json()["field"] == "parent_id"
    r = api.post(f"/api/orgs/{district.comm_a.pk}/move", {"parent_id": district.building_a1.pk},
                 content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "parent_id"
    r = api.post(f"/api/orgs/{district.grid_a1.pk}/move", {"parent_id": district.comm_b.pk,
                                                           "effective_on": "2026-09-01"},
                 content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "move" and body["effective_on"] == "2026-09-01"
    assert body["paths"][0]["new_path"].startswith(district.comm_b.path)
    r = api.post(f"/api/orgs/{district.comm_a.pk}/merge", {"source_ids": [district.grid_a2.pk]},
                 content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "source_ids"
    r = api.post(f"/api/orgs/{district.comm_b.pk}/split", {"parts": [
        {"name": "乙东社区", "code": "530124001021", "children": [district.grid_b1.pk, district.grid_a1.pk]},
        {"name": "乙西社区", "code": "530124001022", "children": []}], "effective_on": "2026-11-01"},
        content_type="application/json")
    assert r.status_code == 201, r.content
    r = api.post(f"/api/orgs/{district.comm_a.pk}/merge", {"source_ids": [district.comm_b.pk]},
                 content_type="application/json")
    assert r.status_code == 400 and "撤销" in r.json()["detail"]
    changes = api.get(f"/api/orgs/{district.comm_b.pk}/changes").json()
    assert [c["kind"] for c in changes] == ["split", "move"]
    assert UnitChange.objects.count() == 2
    assert dt.date(2026, 11, 1) == OrgUnit.objects.get(pk=district.comm_b.pk).ended_on
