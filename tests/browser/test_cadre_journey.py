"""Cadre work on a phone: the street issues a list → a village cadre reports with a photo → the issuer grades →
the points appear on the cadre's page → the quarterly ranking changes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jiceng.cadre import services
from jiceng.cadre.models import RankingResult, RankingRun, Task, TaskList, TaskStatus, Timeliness
from tests.browser.conftest import shot
from tests.cadre.conftest import site  # noqa: F401 - the fixture
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, url, user):
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login/" not in u)  # each role lands on its own home


def _rank_of(unit) -> int:
    run = RankingRun.objects.unscoped("test").order_by("-id").first()
    return RankingResult.objects.unscoped("test").get(run=run, org_unit=unit).rank


def test_cadre_journey_on_a_phone(live_server, phone_page, site, tmp_path):  # noqa: F811
    from PIL import Image

    d = site.district
    # Another community already finished a task on time this quarter; the ranking scheme counts on-time rate.
    earlier = TaskList.objects.create(org_unit=d.street, org_path=d.street.path, title="上月清单", status="issued",
                                      month=timezone.localdate(), created_by=site.leader, created_at=timezone.now())
    Task.objects.create(task_list=earlier, title="已完成的任务", org_unit=d.comm_b, org_path=d.comm_b.path,
                        owner=site.other_cadre, due_at=timezone.now() + dt.timedelta(hours=1),
                        status=TaskStatus.GRADED, grade="done", timeliness=Timeliness.ON_TIME, points=2,
                        created_at=timezone.now())
    scheme = services.scheme_save(actor=site.leader, site=d.street, name="季度排队", level="village",
                                  advanced_count=1, lagging_count=1, indicators=[
                                      {"label": "按时完成率", "numerator": "cadre.tasks_on_time",
                                       "denominator": "cadre.tasks_issued", "weight": 100}])
    page, url = phone_page, live_server.url

    # 1. The street (a township leader, on the phone) issues a list with one task for the village cadre.
    _login(page, url, site.leader)
    page.goto(f"{url}/cadre/lists/new/")
    page.fill("#id_title", "本月重点任务")
    page.click("button:has-text('建立清单')")
    expect(page.locator("h1")).to_contain_text("本月重点任务")
    due = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_title", "走访辖区独居老人")
    page.fill("#id_due_at", due)
    page.select_option("#id_org_unit", str(d.comm_a.pk))
    page.select_option("#id_owner", str(site.cadre.pk))
    page.select_option("#id_evidence", "photo")
    page.click("button:has-text('添加任务')")
    expect(page.locator("table")).to_contain_text("走访辖区独居老人")
    page.click("button:has-text('下发清单')")
    expect(page.locator(".alert-success")).to_contain_text("已下发")
    shot(page, "cadre-01-list-issued")
    task = Task.objects.unscoped("test").get(title="走访辖区独居老人")
    # The ranking before: 乙社区 has done its task, 甲社区 not yet.
    page.goto(f"{url}/cadre/ranking/")
    page.click("button:has-text('计算排名')")
    expect(page.locator("h1")).to_contain_text("季度排队")
    assert _rank_of(d.comm_a) == 2

    # 2. The village cadre reports with a photo from the phone.
    _login(page, url, site.cadre_user)
    page.goto(f"{url}/cadre/mine/")
    page.click("text=走访辖区独居老人")
    photo = tmp_path / "visit.jpg"
    Image.new("RGB", (320, 240), (40, 140, 90)).save(photo, format="JPEG")
    page.fill("#id_text", "已走访 12 户独居老人，逐户登记需求")
    page.set_input_files("#id_photo", str(photo))
    shot(page, "cadre-02-report")
    page.click("button:has-text('提交')")
    expect(page.locator(".alert-success")).to_contain_text("等待验收")
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED

    # 3. The issuer sees the photo and grades the task 优秀.
    _login(page, url, site.leader)
    page.goto(f"{url}/cadre/tasks/{task.pk}/")
    expect(page.locator("img[alt='佐证照片']")).to_be_visible()
    assert page.evaluate("document.querySelector(\"img[alt='佐证照片']\").naturalWidth") > 0
    page.check("#grade-excellent")
    page.click("button:has-text('评定并记分')")
    expect(page.locator(".alert-success")).to_contain_text("积分已记入")
    shot(page, "cadre-03-graded")

    # 4. The points appear on the cadre's page.
    _login(page, url, site.cadre_user)
    page.goto(f"{url}/cadre/mine/")
    page.click("text=查看明细")
    expect(page.locator(".card-stat .num")).to_have_text("103")
    expect(page.locator("main")).to_contain_text("走访辖区独居老人（优秀·按时）")
    shot(page, "cadre-04-points")

    # 5. The quarterly ranking changes: 甲社区 now ties for first.
    _login(page, url, site.leader)
    page.goto(f"{url}/cadre/ranking/")
    page.click("button:has-text('计算排名')")
    expect(page.locator("h1")).to_contain_text("季度排队")
    shot(page, "cadre-05-ranking")
    assert _rank_of(d.comm_a) == 1
    assert RankingRun.objects.unscoped("test").filter(scheme=scheme).count() == 2
