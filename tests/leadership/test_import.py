"""Importing two-committee rosters through the import engine: all rows or none, every reason named by row and
column, terms created in order, the same roster twice changes nothing."""
from __future__ import annotations

import io

from jiceng.imports.engine import import_file
from jiceng.leadership.models import TeamMember, Term
from tests.conftest import make_id


def _csv(rows) -> bytes:
    head = "村（社区）代码,届次,换届日期,身份证号,姓名,党组织职务,村（居）委会职务,学历\n"
    return (head + "\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def test_a_roster_imports_whole_or_not_at_all(site):
    import datetime as dt

    code = site.district.comm_a.code
    wang = make_id(birth=dt.date(1980, 12, 30), gender="M", seq=42)
    zhao = make_id(birth=dt.date(1992, 1, 15), gender="F", seq=43)
    outsider = make_id(birth=dt.date(1985, 1, 1), seq=60)
    bad = _csv([[code, "第12届", "2026-03-18", wang, "王强", "书记", "主任", "本科"],
                [code, "12", "2026-03-19", zhao, "赵敏", "委员", "", "大专"],
                [code, "12", "2026-03-18", outsider, "孙外", "委员", "", "高中"],
                [code, "12", "2026-03-18", zhao, "赵敏", "", "", "硕士后"]])
    result = import_file(actor=site.leader, kind="team_members", filename="roster.csv", data=bad)
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert "换届日期不一致" in reasons[(3, "换届日期")]
    assert "不在甲社区的人口登记里" in reasons[(4, "身份证号")]
    assert "不认识" in reasons[(5, "学历")] and (5, "党组织职务") in reasons
    assert not Term.objects.unscoped("test").exists() and not TeamMember.objects.unscoped("test").exists()

    good = _csv([[code, "第12届", "2026-03-18", wang, "王强", "书记", "主任", "本科"],
                 [code, "12", "2026-03-18", zhao, "赵敏", "委员", "", "大专"]])
    result = import_file(actor=site.leader, kind="team_members", filename="roster.csv", data=good)
    assert result.errors == [] and result.created == 2
    term = Term.objects.unscoped("test").get()
    assert (term.number, str(term.elected_on)) == (12, "2026-03-18")
    assert sorted(term.members.values_list("name", "age_at_election")) == [("王强", 45), ("赵敏", 34)]
    again = import_file(actor=site.leader, kind="team_members", filename="roster.csv", data=good)
    assert again.errors == [] and again.created == 0 and again.unchanged == 2
    older = _csv([[code, "11", "2027-01-01", wang, "王强", "书记", "", "本科"]])
    result = import_file(actor=site.leader, kind="team_members", filename="roster.csv", data=older)
    assert any("重叠或顺序颠倒" in e.reason for e in result.errors)


def test_the_kind_is_on_the_upload_page_with_its_template(site, make_user):
    from django.test import Client
    from openpyxl import load_workbook

    from jiceng.accounts.models import Role
    from tests.conftest import PASSWORD

    street = make_user(Role.STREET_ADMIN, site.district.street, username="street-admin")
    c = Client()
    assert c.login(username=street.username, password=PASSWORD)
    assert "两委班子成员" in c.get("/imports/").content.decode()
    r = c.get("/imports/templates/team_members.xlsx")
    assert r.status_code == 200, r.status_code
    body = b"".join(r.streaming_content) if r.streaming else r.content
    header = next(load_workbook(io.BytesIO(body)).active.values)
    assert "村（社区）代码" in str(header[0]) and "届次" in str(header[1])
