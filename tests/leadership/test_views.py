"""The leadership pages as their users meet them: every page opens for the township, forms refuse bad input
next to the field and write nothing, actions come back with their message, and another community sees none of
comm_a's records."""
from __future__ import annotations

import pytest
from django.test import Client

from jiceng.leadership import services
from jiceng.leadership.models import LoanedStaff, ReserveCadre, SelectionObjection
from tests.conftest import PASSWORD


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def people_cadres(site):
    from jiceng.people.models import Cadre

    d = site.district
    return {n: Cadre.objects.create(name=n, gender="M", post=p, org_unit=u, org_path=u.path)
            for n, p, u in [("周后备", "委员", d.comm_a), ("赵领导", "副书记", d.street), ("钱书记", "第一书记", d.comm_a)]}


PAGES = ["", "teams/", "cadres/", "trainings/", "contacts/", "selections/", "commendations/", "duties/",
         "push-downs/", "loans-plaques/", "inspections/"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_for_the_township(site, page):
    r = _client(site.leader).get(f"/leadership/{page}")
    assert r.status_code == 200
    assert "班子队伍" in r.content.decode() or "leadership" in r.request["PATH_INFO"]


def test_a_reserve_form_with_the_reserve_as_mentor_shows_the_error_and_writes_nothing(site, people_cadres):
    c = people_cadres
    r = _client(site.leader).post("/leadership/cadres/", {
        "form": "reserve", "org_unit": site.district.comm_a.pk, "cadre": c["周后备"].pk,
        "mentor_leader": c["赵领导"].pk, "mentor_secretary": c["周后备"].pk, "since": "2026-05-01"})
    assert r.status_code == 200
    assert "导师不能是后备干部本人" in r.content.decode()
    assert not ReserveCadre.objects.unscoped("test").exists()


def test_a_return_before_leaving_comes_back_with_the_reason(site, people_cadres):
    loan = services.loan_record(actor=site.leader, cadre=people_cadres["周后备"], org_unit=site.district.comm_a,
                                to_office="县农业农村局", reason="抽调", left_on="2026-04-01")
    client = _client(site.leader)
    r = client.post(f"/leadership/loans/{loan.pk}/return/", {"returned_on": "2026-03-01"}, follow=True)
    assert "早于借出日期" in r.content.decode()
    assert LoanedStaff.objects.unscoped("test").get().returned_on is None


def test_a_training_closed_from_its_page_posts_points(site, people_cadres):
    from jiceng.cadre.models import PerformanceEntry

    t = services.training_create(actor=site.leader, org_unit=site.district.street, title="双提升培训",
                                 starts_on="2026-09-01", ends_on="2026-09-02", points_attended=2,
                                 cadres=[people_cadres["周后备"], people_cadres["钱书记"]])
    r = _client(site.leader).post(f"/leadership/trainings/{t.pk}/", {"attended": [people_cadres["周后备"].pk]},
                                  follow=True)
    assert "培训已结业" in r.content.decode()
    assert list(PerformanceEntry.objects.unscoped("test").filter(kind="training").values_list("amount", flat=True)) == [2]


def test_another_community_sees_none_of_comm_as_records(site, people_cadres):
    services.loan_record(actor=site.leader, cadre=people_cadres["周后备"], org_unit=site.district.comm_a,
                         to_office="县农业农村局", reason="抽调", left_on="2026-04-01")
    body = _client(site.staff_b).get("/leadership/loans-plaques/").content.decode()
    assert "周后备" not in body and "登记借调" not in body
    assert "周后备" in _client(site.staff_a).get("/leadership/loans-plaques/").content.decode()


def test_an_objection_from_the_notice_board_reaches_the_selection(site):
    sel = services.selection_create(actor=site.leader, org_unit=site.district.street, title="党员先锋岗",
                                    kind="pioneer", year=2026)
    n = services.nominate(actor=site.leader, selection=sel, resident=site.people["王强"], deeds="带头服务")
    services.nomination_review(actor=site.leader, nomination=n, approve=True)
    services.publicity_start(actor=site.leader, selection=sel)
    public = Client()
    page = public.get(f"/public/honours/{site.district.comm_a.code}/").content.decode()
    assert "王强" in page and "我有异议" in page
    r = public.post(f"/public/honours/{site.district.comm_a.code}/", {"nomination": n.pk, "text": "请核实"}, follow=True)
    assert "异议已收到" in r.content.decode()
    assert SelectionObjection.objects.unscoped("test").get().nomination_id == n.pk


@pytest.mark.parametrize("what", ["teams", "honours", "refusals", "postings", "inspections"])
def test_each_register_exports_what_the_user_may_see(site, what):
    import io

    from openpyxl import load_workbook

    term = services.term_create(actor=site.leader, org_unit=site.district.comm_a, number=1, elected_on="2026-03-01")
    services.member_add(actor=site.leader, term=term, resident=site.people["王强"], party_post="secretary",
                        education="bachelor")
    r = _client(site.leader).get(f"/leadership/export/{what}.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    rows = list(sheet.values)
    assert rows[0][0]
    if what == "teams":
        assert rows[1][3] == "王强"
        other = _client(site.staff_b).get("/leadership/export/teams.xlsx")
        body = b"".join(other.streaming_content) if other.streaming else other.content
        assert len(list(load_workbook(io.BytesIO(body)).active.values)) == 1


def test_each_figure_opens_exactly_the_records_it_counts(site, people_cadres):
    from jiceng.core.modules import registry

    services.loan_record(actor=site.leader, cadre=people_cadres["周后备"], org_unit=site.district.comm_a,
                         to_office="县农业农村局", reason="抽调", left_on="2026-04-01")
    client = _client(site.leader)
    home = client.get("/leadership/?year=2026").content.decode()
    assert "/leadership/figures/loaned_out/?year=2026" in home
    page = client.get("/leadership/figures/loaned_out/?year=2026").content.decode()
    assert "周后备 → 县农业农村局" in page and "甲社区" in page
    for code in registry.figures():
        if code.startswith("leadership."):
            assert client.get(f"/leadership/figures/{code[11:]}/?year=2026").status_code == 200
    assert client.get("/leadership/figures/nothing/").status_code == 404
    assert "周后备" not in _client(site.staff_b).get("/leadership/figures/loaned_out/?year=2026").content.decode()
