"""The four lists: versions approved by someone other than their drafter; the negative list refuses a task
and a report routing pushed down to a village or community, naming the item, unless an approval covers it."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core.errors import JicengError
from jiceng.leadership import services
from jiceng.leadership.models import DutyListStatus, PushDownRefusal


@pytest.fixture
def negative(site):
    draft = services.duty_list_draft(actor=site.leader, org_unit=site.district.street, kind="negative")
    services.duty_item_save(actor=site.leader, duty_list=draft, code="N-03", name="不得要求村（社区）开展招商引资",
                            basis="基层减负若干措施", keywords="招商引资、招商任务")
    services.duty_item_save(actor=site.leader, duty_list=draft, code="N-07", name="不得将行政执法事项交由村（社区）承担",
                            keywords="执法、违法建筑拆除")
    return services.duty_list_approve(actor=site.leader2, duty_list=draft)


def test_the_drafter_does_not_approve_and_a_new_version_replaces_the_old(site, negative):
    assert negative.status == DutyListStatus.IN_FORCE and negative.version == 1
    v2 = services.duty_list_draft(actor=site.leader, org_unit=site.district.street, kind="negative",
                                  change_note="增加证明事项")
    assert sorted(v2.items.values_list("code", flat=True)) == ["N-03", "N-07"]
    with pytest.raises(JicengError) as e:
        services.duty_item_save(actor=site.leader, duty_list=negative, code="N-09", name="x", keywords="y")
    assert e.value.code == "not_draft"
    services.duty_item_save(actor=site.leader, duty_list=v2, code="N-09", name="不得要求村（社区）出具无犯罪记录证明",
                            keywords="无犯罪记录证明")
    with pytest.raises(JicengError) as e:
        services.duty_list_approve(actor=site.leader, duty_list=v2)
    assert e.value.code == "self_approval"
    services.duty_list_approve(actor=site.leader2, duty_list=v2)
    negative.refresh_from_db()
    assert negative.status == DutyListStatus.SUPERSEDED and v2.version == 2


def test_a_task_pushed_down_to_a_village_on_the_negative_list_is_refused_naming_the_item(site, negative):
    from jiceng.cadre import services as cadre
    from jiceng.cadre.models import Task
    from jiceng.people.models import Cadre

    owner = Cadre.objects.create(name="李村官", gender="M", post="书记", org_unit=site.district.comm_a,
                                 org_path=site.district.comm_a.path)
    tl = cadre.task_list_create(actor=site.leader, org_unit=site.district.street, title="12月任务清单",
                                month=timezone.localdate())
    due = timezone.now() + dt.timedelta(days=5)
    with pytest.raises(JicengError) as e:
        cadre.task_add(actor=site.leader, task_list=tl, title="完成本季度招商引资任务 2 项", org_unit=site.district.comm_a,
                       owner=owner, due_at=due)
    assert e.value.code == "negative_list" and e.value.field == "title"
    assert "N-03" in e.value.message and "不得要求村（社区）开展招商引资" in e.value.message
    assert not Task.objects.unscoped("test").exists()
    refusal = PushDownRefusal.objects.unscoped("test").get()
    assert refusal.item.code == "N-03" and refusal.source_type == "cadre.task" and refusal.keyword == "招商引资"
    # A task the list does not name goes through; so does a listed one at the street's own level.
    cadre.task_add(actor=site.leader, task_list=tl, title="走访独居老人", org_unit=site.district.comm_a, owner=owner,
                   due_at=due)
    # With a recorded approval for the village, the same duty goes down.
    item = negative.items.get(code="N-03")
    services.push_down_approve(actor=site.leader2, item=item, org_unit=site.district.comm_a, subject="年度招商引资线索收集",
                               reason="县委专项部署，限本年度", valid_until=timezone.localdate() + dt.timedelta(days=30))
    cadre.task_add(actor=site.leader, task_list=tl, title="完成本季度招商引资任务 2 项", org_unit=site.district.comm_a,
                   owner=owner, due_at=due)
    assert Task.objects.unscoped("test").count() == 2


def test_a_report_routed_to_a_village_for_a_negative_list_duty_is_refused(site, negative, make_user):
    from jiceng.accounts.models import Role
    from jiceng.reports import services as reports
    from jiceng.reports.models import ReportCategory
    desk = make_user(Role.STREET_ADMIN, site.district.street, username="desk")
    cat = ReportCategory.objects.create(site=site.district.street, code="illegal_building", name="违法建筑拆除",
                                        handler_level="department", sla_hours=72)
    report = reports.report_submit(actor=desk, channel="desk", category_id=cat.pk, description="院内私搭乱建",
                                   org_unit=site.district.comm_a, reporter_name="张大爷", reporter_phone="13800001111")
    before = (report.status, report.handler_unit_id)
    with pytest.raises(JicengError) as e:
        reports.report_assign(actor=desk, report=report, unit=site.district.comm_a)
    assert e.value.code == "negative_list" and e.value.field == "handler" and "N-07" in e.value.message
    report.refresh_from_db()
    assert (report.status, report.handler_unit_id) == before
    assert PushDownRefusal.objects.unscoped("test").get().source_type == "reports.report"
