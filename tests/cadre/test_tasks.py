"""Task lists: issue, report with evidence, return, grade into points by the site's rules at their boundaries."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.cadre import services
from jiceng.cadre.models import Grade, PerformanceEntry, Task, TaskList, TaskReport, TaskStatus, Timeliness
from jiceng.core import ledger
from jiceng.core.errors import JicengError, PermissionDeniedError


def _balance(cadre, year=None):
    from jiceng.cadre.models import PerformanceAccount

    year = year or timezone.localdate().year
    acc = PerformanceAccount.objects.filter(cadre=cadre, year=year).first()
    return acc.balance if acc else None


def test_a_task_without_owner_or_due_date_is_refused_naming_both_fields_and_nothing_is_written(site):
    tl = services.task_list_create(actor=site.leader, org_unit=site.district.street, title="清单",
                                   month=timezone.localdate())
    with pytest.raises(JicengError) as err:
        services.task_add(actor=site.leader, task_list=tl, title="任务", org_unit=site.district.comm_a, owner=None,
                          due_at=None)
    assert set(err.value.errors) == {"owner", "due_at"}
    assert "责任人" in err.value.errors["owner"][0] and "时限" in err.value.errors["due_at"][0]
    assert not Task.objects.unscoped("test").exists()


def test_an_owner_outside_the_responsible_unit_and_a_bad_weight_are_refused(site):
    tl = services.task_list_create(actor=site.leader, org_unit=site.district.street, title="清单",
                                   month=timezone.localdate())
    with pytest.raises(JicengError) as err:
        services.task_add(actor=site.leader, task_list=tl, title="任务", org_unit=site.district.comm_a,
                          owner=site.other_cadre, due_at=timezone.now(), weight=11)
    assert set(err.value.errors) == {"owner", "weight"}


def test_a_monthly_list_needs_its_month_and_only_a_manager_creates_one(site):
    with pytest.raises(JicengError) as err:
        services.task_list_create(actor=site.leader, org_unit=site.district.street, title="清单", month=None)
    assert err.value.field == "month"
    with pytest.raises(PermissionDeniedError):
        services.task_list_create(actor=site.cadre_user, org_unit=site.district.street, title="清单",
                                  month=timezone.localdate())
    assert not TaskList.objects.unscoped("test").exists()


def test_issuing_sends_each_owner_a_notice_and_an_empty_list_cannot_be_issued(site, issued_task):
    from jiceng.notices.models import Notification

    assert issued_task.status == TaskStatus.ISSUED
    assert Notification.objects.filter(user=site.cadre_user, message__contains="走访独居老人").exists()
    empty = services.task_list_create(actor=site.leader, org_unit=site.district.street, title="空", month=timezone.localdate())
    with pytest.raises(JicengError) as err:
        services.task_list_issue(actor=site.leader, task_list=empty)
    assert err.value.code == "empty_list"


def test_evidence_missing_where_required_is_refused_and_nothing_is_written(site, issued_task):
    Task.objects.unscoped("test").filter(pk=issued_task.pk).update(evidence="photo")
    issued_task.refresh_from_db()
    with pytest.raises(JicengError) as err:
        services.task_report(actor=site.cadre_user, task=issued_task, text="完成了")
    assert err.value.field == "photo" and "照片" in err.value.message
    assert not TaskReport.objects.unscoped("test").exists()
    issued_task.refresh_from_db()
    assert issued_task.status == TaskStatus.ISSUED


def test_only_the_owner_reports_and_the_owner_cannot_grade_their_own_task(site, issued_task):
    with pytest.raises(PermissionDeniedError):
        services.task_report(actor=site.street_admin, task=issued_task, text="代报")
    services.task_report(actor=site.cadre_user, task=issued_task, text="已走访 12 户")
    # The cadre is also made a manager over the street: still not their own task's grader.
    from jiceng.accounts.models import RoleAssignment
    from jiceng.cadre.roles import TOWNSHIP_LEADER

    RoleAssignment.objects.create(user=site.cadre_user, role=TOWNSHIP_LEADER, org_unit=site.district.street)
    site.cadre_user._jiceng_roles = None
    del site.cadre_user._jiceng_roles
    with pytest.raises(PermissionDeniedError):
        services.task_grade(actor=site.cadre_user, task=issued_task, grade=Grade.DONE)
    issued_task.refresh_from_db()
    assert issued_task.status == TaskStatus.REPORTED and not PerformanceEntry.objects.unscoped("t").filter(kind="task")


def test_a_returned_report_goes_back_to_the_owner_with_the_reason(site, issued_task):
    services.task_report(actor=site.cadre_user, task=issued_task, text="已走访")
    with pytest.raises(JicengError) as err:
        services.task_report_return(actor=site.leader, task=issued_task, reason="  ")
    assert err.value.field == "reason"
    report = services.task_report_return(actor=site.leader, task=issued_task, reason="缺少走访记录表")
    issued_task.refresh_from_db()
    assert issued_task.status == TaskStatus.RETURNED and report.return_reason == "缺少走访记录表"
    services.task_report(actor=site.cadre_user, task=issued_task, text="已补充走访记录表")
    issued_task.refresh_from_db()
    assert issued_task.status == TaskStatus.REPORTED


@pytest.mark.parametrize("report_offset, grade, timeliness, points", [
    (dt.timedelta(0), Grade.DONE, Timeliness.ON_TIME, +2 * 2),             # at the due moment: on time
    (dt.timedelta(minutes=1), Grade.DONE, Timeliness.LATE, -1 * 2),        # one minute late
    (-dt.timedelta(days=1), Grade.EXCELLENT, Timeliness.ON_TIME, +3 * 2),  # excellent, on time
    (dt.timedelta(minutes=1), Grade.EXCELLENT, Timeliness.LATE, -1 * 2),   # excellent but late: late's rule
])
def test_points_rules_at_their_boundaries(site, issued_task, report_offset, grade, timeliness, points):
    """Default rules: on time +2, excellent +3, late −1, not done −3; the task's weight is 2."""
    due = issued_task.due_at
    services.task_report(actor=site.cadre_user, task=issued_task, text="完成", now=due + report_offset)
    task = services.task_grade(actor=site.leader, task=issued_task, grade=grade, now=due + dt.timedelta(days=1))
    assert (task.timeliness, task.points) == (timeliness, points)
    assert _balance(site.cadre) == 100 + points
    entry = PerformanceEntry.objects.unscoped("t").get(source_type="cadre.task", source_id=str(task.pk))
    assert entry.amount == points and entry.kind == "task"
    assert ledger.verify(PerformanceEntry).ok


def test_not_done_is_graded_only_after_the_due_moment_and_deducts_by_the_site_rules(site, issued_task):
    due = issued_task.due_at
    with pytest.raises(JicengError) as err:
        services.task_grade(actor=site.leader, task=issued_task, grade=Grade.NOT_DONE, now=due)
    assert err.value.code == "not_due"
    services.rules_update(actor=site.leader, site=site.district.street, not_done_points=7)
    task = services.task_grade(actor=site.leader, task=issued_task, grade=Grade.NOT_DONE,
                               now=due + dt.timedelta(minutes=1))
    assert task.points == -14 and _balance(site.cadre) == 86
    with pytest.raises(JicengError) as err:
        services.task_grade(actor=site.leader, task=issued_task, grade=Grade.DONE)
    assert err.value.code == "already_graded"


def test_done_needs_a_completion_report(site, issued_task):
    with pytest.raises(JicengError) as err:
        services.task_grade(actor=site.leader, task=issued_task, grade=Grade.DONE)
    assert err.value.code == "no_report"


def test_the_queue_marks_overdue_and_reminds_once_each(site, issued_task):
    from jiceng.notices.models import Notification

    due = issued_task.due_at
    first = services.tasks_check_due(now=due - dt.timedelta(days=1))
    again = services.tasks_check_due(now=due - dt.timedelta(hours=12))
    assert first["reminded"] == 1 and again["reminded"] == 0
    late = services.tasks_check_due(now=due + dt.timedelta(minutes=1))
    assert late["overdue"] == 1 and services.tasks_check_due(now=due + dt.timedelta(hours=1))["overdue"] == 0
    issued_task.refresh_from_db()
    assert issued_task.overdue_at is not None
    assert Notification.objects.filter(user=site.cadre_user, message__contains="已逾期").count() == 1


def test_rules_outside_their_range_are_refused_and_nothing_changes(site):
    with pytest.raises(JicengError) as err:
        services.rules_update(actor=site.leader, site=site.district.street, late_points=-1, appeal_days="x")
    assert set(err.value.errors) == {"late_points", "appeal_days"}
    assert services.rules_for(site.district.street).late_points == 1
    with pytest.raises(PermissionDeniedError):
        services.rules_update(actor=site.cadre_user, site=site.district.street, late_points=2)


def test_a_draft_task_can_be_removed_an_issued_one_cannot(site, issued_task):
    tl = services.task_list_create(actor=site.leader, org_unit=site.district.street, title="草稿", month=timezone.localdate())
    draft = services.task_add(actor=site.leader, task_list=tl, title="写错了", org_unit=site.district.comm_a,
                              owner=site.cadre, due_at=timezone.now())
    services.task_remove(actor=site.leader, task=draft)
    assert not Task.objects.unscoped("t").filter(pk=draft.pk).exists()
    with pytest.raises(JicengError) as err:
        services.task_remove(actor=site.leader, task=issued_task)
    assert err.value.code == "already_issued"
