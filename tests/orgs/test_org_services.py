import pytest

from jiceng.audit.models import AuditEntry
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_roots_for_user, org_unit_list
from jiceng.orgs.services import org_unit_create, org_unit_update


def test_street_admin_adds_a_building_branch_under_a_grid(district, make_user):
    admin = make_user("street_admin", district.street)
    unit = org_unit_create(actor=admin, parent=district.grid_a1, kind="building", name="2栋",
                           code="530124001001-G01-B02", party_org_kind="branch", party_org_name="2栋党支部")
    assert unit.path.startswith(district.grid_a1.path) and unit.depth == district.grid_a1.depth + 1
    assert unit.path != district.building_a1.path
    assert AuditEntry.objects.filter(action="orgs.unit.created", object_id=str(unit.pk)).exists()
    assert unit in OrgUnit.objects.subtree(district.comm_a)
    assert unit not in OrgUnit.objects.subtree(district.comm_b)


def test_division_code_must_have_twelve_digits_for_communities(district, make_user):
    admin = make_user("street_admin", district.street)
    with pytest.raises(JicengError) as exc:
        org_unit_create(actor=admin, parent=district.street, kind="community", name="丙社区", code="12345")
    assert exc.value.field == "code" and "12位" in exc.value.message
    with pytest.raises(JicengError) as exc:
        org_unit_create(actor=admin, parent=district.street, kind="community", name="丙社区", code=district.comm_a.code)
    assert "已被其他单元使用" in exc.value.message


def test_community_staff_cannot_change_the_tree(district, make_user):
    staff = make_user("community_staff", district.comm_a)
    before = OrgUnit.objects.count()
    with pytest.raises(NotFoundError):
        org_unit_create(actor=staff, parent=district.comm_a, kind="grid", name="甲三网格", code="X-G03")
    with pytest.raises(NotFoundError):
        org_unit_update(actor=staff, unit=district.comm_a, name="改名")
    assert OrgUnit.objects.count() == before


def test_roots_and_lists_follow_scope(district, make_user):
    worker = make_user("grid_worker", district.grid_a1)
    assert list(org_roots_for_user(worker)) == [district.grid_a1]
    assert set(org_unit_list(user=worker)) == {district.grid_a1, district.building_a1}


def test_org_api_create_and_scope(district, make_user, api_login):
    client = api_login(make_user("street_admin", district.comm_a))
    r = client.post("/api/orgs/", {"parent_id": district.grid_a2.pk, "kind": "building", "name": "5栋",
                                   "code": "530124001001-G02-B05"}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["path"].startswith(district.grid_a2.path)
    r = client.post("/api/orgs/", {"parent_id": district.comm_b.pk, "kind": "grid", "name": "乙二网格", "code": "Y"},
                    content_type="application/json")
    assert r.status_code == 404 and r.json()["field"] == "parent_id"
    names = {u["name"] for u in client.get("/api/orgs/?limit=200").json()["results"]}
    assert "5栋" in names and "乙社区" not in names
