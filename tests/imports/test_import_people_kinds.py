import datetime as dt

from jiceng.imports.engine import import_file
from jiceng.people.models import Cadre, PartnerUnit, PartyMember


def csv(lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_party_members_import_link_households_and_update_on_reimport(admin, district, make_household):
    member_home = make_household(district.grid_a1, head_name="党员甲")
    served = [make_household(district.grid_a1, head_name=f"群众{x}") for x in "甲乙"]
    head = ["身份证号", "姓名", "所在党组织单元编码", "党员类型", "入党日期", "党内职务", "联系户"]
    line = [member_home.head.id_number, "党员甲", district.grid_a1.code, "正式党员", "2005年7月1日", "",
            "、".join(h.number for h in served)]
    r = import_file(actor=admin, kind="party_members", filename="p.csv", data=csv([",".join(head), ",".join(line)]))
    assert r.ok and r.created == 1, [e.as_dict() for e in r.errors]
    m = PartyMember.objects.get()
    assert m.join_date == dt.date(2005, 7, 1) and m.linked_households.count() == 2
    line[5] = "组织委员"
    line[6] = served[0].number
    r = import_file(actor=admin, kind="party_members", filename="p.csv", data=csv([",".join(head), ",".join(line)]))
    assert (r.created, r.updated) == (0, 1)
    m.refresh_from_db()
    assert m.party_post == "组织委员" and [h.pk for h in m.linked_households.all()] == [served[0].pk]


def test_party_member_errors(admin, district, make_household):
    home = make_household(district.grid_a1, head_name="党员乙", head_birth=dt.date(1980, 1, 1))
    head = "身份证号,姓名,所在党组织单元编码,党员类型,入党日期,联系户"
    lines = [head,
             f"{home.head.id_number},别人,{district.building_a1.code},党员,1979-1-1,NO-SUCH",
             f"530124199001011234,,{district.grid_a1.code},,2005-1-1,"]
    r = import_file(actor=admin, kind="party_members", filename="p.csv", data=csv(lines))
    got = {(e.row, e.column) for e in r.errors}
    assert {(2, "姓名"), (2, "所在党组织单元编码"), (2, "党员类型"), (2, "入党日期"), (2, "联系户"), (3, "身份证号")} <= got
    assert not PartyMember.objects.exists()


def test_cadres_import_and_match_by_name_unit_post(admin, district):
    lines = ["姓名,性别,联系电话,类别,职务,所在单元编码,后备干部,驻村干部",
             f"李四,女,13800001111,社区工作者,社区专职工作者,{district.comm_a.code},是,否"]
    assert import_file(actor=admin, kind="cadres", filename="c.csv", data=csv(lines)).created == 1
    lines[1] = lines[1].replace("13800001111", "13900002222")
    r = import_file(actor=admin, kind="cadres", filename="c.csv", data=csv(lines))
    assert (r.created, r.updated) == (0, 1)
    c = Cadre.objects.get()
    assert c.phone == "13900002222" and c.is_reserve and c.org_path == district.comm_a.path
    bad = import_file(actor=admin, kind="cadres", filename="c.csv",
                      data=csv([lines[0], "王五,未知,123,,书记,NOPE,也许,"]))
    assert {e.column for e in bad.errors} >= {"性别", "联系电话", "所在单元编码", "后备干部"}


def test_partner_units_import_pairings(admin, district, make_user):
    lines = ["单位名称,单位类型,联系人,联系电话,结对社区编码,共建事项",
             f"县医院,医院,赵六,13800003333,{district.comm_a.code}、{district.comm_b.code},义诊"]
    assert import_file(actor=admin, kind="partner_units", filename="u.csv", data=csv(lines)).created == 1
    p = PartnerUnit.objects.get()
    assert {pp.org_unit_id for pp in p.pairings.all()} == {district.comm_a.pk, district.comm_b.pk}
    staff = make_user("community_staff", district.comm_a)
    r = import_file(actor=staff, kind="partner_units", filename="u.csv", data=csv(lines))
    assert any(e.column == "结对社区编码" and "管辖范围" in e.reason for e in r.errors)
