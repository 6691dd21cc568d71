import pytest

from jiceng.imports.engine import import_file
from jiceng.orgs.models import OrgUnit
from jiceng.people.models import Household, Resident


def csv(lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_org_units_import_in_dependency_order_and_reimport_updates(admin, district):
    data = csv([
        "编码,上级编码,名称,类型,党组织类型,党组织名称",
        "B-2,G-9,2栋,楼栋,党小组,2栋党小组",  # its parent comes later in the file
        f"G-9,{district.comm_a.code},甲九网格,网格,党支部,甲九网格党支部",
        "530124001009,530124001000,丙社区,社区,党委,中共丙社区委员会",
    ])
    result = import_file(actor=admin, kind="org_units", filename="u.csv", data=data)
    assert result.ok, [e.as_dict() for e in result.errors]
    b2 = OrgUnit.objects.get(code="B-2")
    assert b2.parent.code == "G-9" and b2.path.startswith(district.comm_a.path) and b2.party_org_kind == "group"
    again = import_file(actor=admin, kind="org_units", filename="u.csv", data=data.replace("甲九网格,".encode(), "甲九网格（新）,".encode()))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert OrgUnit.objects.get(code="G-9").name == "甲九网格（新）"


@pytest.mark.parametrize("line,column,reason", [
    ("X-1,NO-PARENT,某单元,网格,,", "上级编码", "不存在"),
    ("530124009,530124001000,丁社区,社区,,", "编码", "12位"),
    ("X-2,530124001000,某单元,宇宙,,", "类型", "不在可选值中"),
    ("X-3,530124001000,某单元,网格,大党委,", "党组织类型", "不在可选值中"),
])
def test_org_unit_errors(line, column, reason, admin, district):
    before = OrgUnit.objects.count()
    result = import_file(actor=admin, kind="org_units", filename="u.csv", data=csv(["编码,上级编码,名称,类型,党组织类型,党组织名称", line]))
    assert [(e.row, e.column) for e in result.errors] == [(2, column)] and reason in result.errors[0].reason
    assert OrgUnit.objects.count() == before


def test_community_staff_cannot_import_units(district, make_user):
    staff = make_user("community_staff", district.comm_a)
    result = import_file(actor=staff, kind="org_units", filename="u.csv",
                         data=csv(["编码,上级编码,名称,类型", f"G-7,{district.comm_a.code},甲七网格,网格"]))
    assert result.errors and "管辖范围" in result.errors[0].reason
    assert not OrgUnit.objects.filter(code="G-7").exists()


def test_households_import_and_move_on_reimport(admin, district, make_household):
    data = csv(["户编号,所在单元编码,住址,联系电话", f"H-1,{district.grid_a1.code},甲一网格1号,13800001111",
                f"H-2,{district.grid_a1.code},甲一网格2号,"])
    assert import_file(actor=admin, kind="households", filename="h.csv", data=data).created == 2
    from jiceng.people.services import resident_create
    from tests.conftest import make_id
    h1 = Household.objects.get(number="H-1")
    r = resident_create(actor=admin, household=h1, name="赵一", relationship="head", id_number=make_id(seq=77))
    moved = csv(["户编号,所在单元编码,住址,联系电话", f"H-1,{district.grid_a2.code},甲二网格8号,13800001111",
                 f"H-2,{district.grid_a1.code},甲一网格2号,"])
    result = import_file(actor=admin, kind="households", filename="h.csv", data=moved)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Resident.objects.get(pk=r.pk).org_path == district.grid_a2.path
    from jiceng.people.models import ResidentNameKey

    keys = set(ResidentNameKey.objects.filter(resident=r).values_list("org_path", flat=True))
    assert keys == {district.grid_a2.path}


def test_household_errors_name_row_and_column(admin, district):
    data = csv(["户编号,所在单元编码,住址,联系电话", f"H-1,{district.grid_a1.code},,123",
                f"H-1,{district.comm_a.code}X,2号,"])
    result = import_file(actor=admin, kind="households", filename="h.csv", data=data)
    got = {(e.row, e.column) for e in result.errors}
    assert {(2, "住址"), (2, "联系电话"), (3, "户编号"), (3, "所在单元编码")} <= got
    assert not Household.objects.exists()


def test_households_stream_in_batches_all_or_nothing(admin, district, make_household, monkeypatch):
    """Households are checked and written a batch at a time; a duplicate or a bad row in a later batch
    still rejects the whole file, and every error is listed."""
    from jiceng.imports.engine import HouseholdImporter

    monkeypatch.setattr(HouseholdImporter, "BATCH", 2)
    existing = make_household(district.grid_a1)
    head = "户编号,所在单元编码,住址,联系电话"
    good = [f"S-{i},{district.grid_a1.code},甲一网格{i}号,1380000{i:04d}" for i in range(7)]
    bad = good + [f"S-1,{district.grid_a1.code},又一个,", f"S-9,{district.grid_a2.code},,"]
    result = import_file(actor=admin, kind="households", filename="h.csv", data=csv([head, *bad]))
    assert [(e.row, e.column) for e in result.errors] == [(9, "户编号"), (10, "住址")]
    assert "第3行" in result.errors[0].reason
    assert not result.applied and list(Household.objects.values_list("pk", flat=True)) == [existing.pk]
    rows = good + [f"{existing.number},{district.grid_a2.code},甲二网格9号,"]
    result = import_file(actor=admin, kind="households", filename="h.csv", data=csv([head, *rows]))
    assert result.applied and (result.total, result.created, result.updated, result.unchanged) == (8, 7, 1, 0)
    assert Household.objects.get(pk=existing.pk).org_path == district.grid_a2.path
    assert Resident.objects.get(pk=existing.head_id).org_path == district.grid_a2.path
    assert Household.objects.count() == 8
    dry = import_file(actor=admin, kind="households", filename="h.csv", data=csv([head, *rows]), dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged) == (0, 0, 8)


def test_an_existing_household_named_with_a_bad_unit_gets_row_errors(admin, district, make_household):
    existing = make_household(district.grid_a1)
    data = csv(["户编号,所在单元编码,住址,联系电话", f"{existing.number},NO-SUCH-UNIT,某地1号,",
                f"{existing.number}-2,,某地2号,"])
    for dry_run in (True, False):
        result = import_file(actor=admin, kind="households", filename="h.csv", data=data, dry_run=dry_run)
        assert [(e.row, e.column) for e in result.errors] == [(2, "所在单元编码"), (3, "所在单元编码")]
        assert (result.created, result.updated, result.unchanged) == (0, 0, 0) and not result.applied
    assert Household.objects.get(pk=existing.pk).org_path == district.grid_a1.path


def test_a_household_row_with_a_field_error_is_still_checked_for_duplicates(admin, district):
    data = csv(["户编号,所在单元编码,住址,联系电话", f"H-1,{district.grid_a1.code},甲一网格1号,13800001111",
                f"H-1,{district.grid_a1.code},,12345"])
    result = import_file(actor=admin, kind="households", filename="h.csv", data=data)
    assert sorted((e.row, e.column) for e in result.errors) == [(3, "住址"), (3, "户编号"), (3, "联系电话")]
    assert not Household.objects.exists()


def test_an_org_unit_row_with_a_field_error_is_still_checked_for_duplicates(admin, district):
    before = OrgUnit.objects.count()
    data = csv(["编码,上级编码,名称,类型", f"G-7,{district.comm_a.code},甲七网格,网格", f"G-7,{district.comm_a.code},,宇宙"])
    result = import_file(actor=admin, kind="org_units", filename="u.csv", data=data)
    assert sorted((e.row, e.column) for e in result.errors) == [(3, "名称"), (3, "类型"), (3, "编码")]
    assert OrgUnit.objects.count() == before
