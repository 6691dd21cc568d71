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


def _roster(site) -> bytes:
    import datetime as dt

    code = site.district.comm_a.code
    return _csv([[code, "12", "2026-03-18", make_id(birth=dt.date(1980, 12, 30), gender="M", seq=42), "王强", "书记",
                  "主任", "本科"],
                 [code, "12", "2026-03-18", make_id(birth=dt.date(1992, 1, 15), gender="F", seq=43), "赵敏", "委员",
                  "", "大专"]])


def test_a_township_leader_uploads_a_roster_through_the_import_page(site, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from jiceng.imports.models import ImportJob
    from tests.conftest import PASSWORD

    c = Client()
    assert c.login(username=site.leader.username, password=PASSWORD)
    unit = site.district.comm_a
    team_page = c.get(f"/leadership/teams/{unit.pk}/").content.decode()
    assert f"/imports/?kind=team_members&amp;root={unit.pk}" in team_page
    page = c.get(f"/imports/?kind=team_members&root={unit.pk}")
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    assert "两委班子成员" in html and "居民导入模板" not in html  # only the kinds the leader may import
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/imports/", {"kind": "team_members", "root": unit.pk,
                                 "file": SimpleUploadedFile("花名册.csv", _roster(site))})
    assert r.status_code == 302, r.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert (job.status, job.root_id) == ("checked", unit.pk)
    assert not Term.objects.unscoped("test").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(f"/imports/{job.pk}/apply/").status_code == 302
    job.refresh_from_db()
    assert job.status == "applied"
    term = Term.objects.unscoped("test").get()
    assert (term.org_unit_id, term.number) == (unit.pk, 12)
    assert sorted(term.members.values_list("name", flat=True)) == ["王强", "赵敏"]


def test_a_roster_outside_the_leaders_units_is_refused(site, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from jiceng.accounts.models import Role
    from jiceng.imports.models import ImportJob
    from tests.conftest import PASSWORD

    # A leader of comm_b only may not name comm_a as the roster's unit.
    other = make_user(Role.STREET_ADMIN, site.district.comm_b, username="b-admin")
    c = Client()
    assert c.login(username=other.username, password=PASSWORD)
    r = c.post("/imports/", {"kind": "team_members", "root": site.district.comm_a.pk,
                             "file": SimpleUploadedFile("花名册.csv", _roster(site))})
    assert r.status_code == 200 and not ImportJob.objects.exists()


def test_a_grid_worker_or_resident_may_not_upload_a_roster(site, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from jiceng.accounts.models import Role
    from jiceng.imports.models import ImportJob
    from tests.conftest import PASSWORD

    grid = make_user(Role.GRID_WORKER, site.district.grid_a1, username="grid-a1")
    resident = make_user(Role.RESIDENT, site.district.grid_a1, resident=site.people["赵敏"], username="zhao")
    for user in (grid, resident):
        c = Client()
        assert c.login(username=user.username, password=PASSWORD)
        r = c.post("/imports/", {"kind": "team_members", "root": site.district.comm_a.pk,
                                 "file": SimpleUploadedFile("花名册.csv", _roster(site))})
        assert r.status_code == 403, (user.username, r.status_code)
    assert "两委班子成员" not in Client().get("/imports/").content.decode()
    assert not ImportJob.objects.exists() and not Term.objects.unscoped("test").exists()


def test_the_api_checks_then_imports_a_roster_for_a_leader_only(site, api_login, make_user):
    import base64

    from jiceng.accounts.models import Role

    body = {"org_unit_id": site.district.comm_a.pk, "filename": "花名册.csv",
            "file_base64": base64.b64encode(_roster(site)).decode()}
    api = api_login(site.leader)
    r = api.post("/api/leadership/rosters/import", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert (r.json()["ok"], r.json()["total"], r.json()["created"]) == (True, 2, 2)
    assert not Term.objects.unscoped("test").exists()  # a dry run writes nothing
    r = api.post("/api/leadership/rosters/import", {**body, "dry_run": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["created"] == 2
    assert TeamMember.objects.unscoped("test").count() == 2
    grid = api_login(make_user(Role.GRID_WORKER, site.district.grid_a1, username="grid-api"))
    assert grid.post("/api/leadership/rosters/import", {**body, "dry_run": False},
                     content_type="application/json").status_code in (403, 404)
    assert TeamMember.objects.unscoped("test").count() == 2
