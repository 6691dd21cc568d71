"""The roster: one person is never on two shifts at once (at any desk); the missed-shift job marks once, posts the
deduction once, and reminds of tomorrow's uncovered desks once."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.cadre.models import PerformanceAccount, PerformanceEntry
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.duty import services
from jiceng.duty.models import DutyShift, ShiftStatus
from tests.duty.conftest import at


def test_an_overlapping_shift_for_the_same_person_is_refused_naming_the_start(site, shift):
    day = timezone.localdate()
    second = services.desk_create(actor=site.leader, org_unit=site.district.comm_a, name="甲社区便民服务点")
    with pytest.raises(JicengError) as err:  # at another desk, overlapping by an hour
        services.shift_create(actor=site.leader, desk=second, cadre=site.cadre, starts_at=at(day, 16, 30),
                              ends_at=at(day, 20, 0))
    assert set(err.value.errors) == {"starts_at"} and err.value.code == "overlap"
    assert "李村官" in err.value.message and "甲社区党群服务中心" in err.value.message
    assert DutyShift.objects.unscoped("t").count() == 1
    # Back to back is no overlap; another person at the same time is fine.
    services.shift_create(actor=site.leader, desk=site.desk, cadre=site.cadre, starts_at=at(day, 17, 30),
                          ends_at=at(day, 20, 0))
    services.shift_create(actor=site.leader, desk=site.desk, cadre=site.other_cadre, starts_at=at(day, 8, 30),
                          ends_at=at(day, 17, 30))
    assert DutyShift.objects.unscoped("t").count() == 3


def test_a_shift_needs_its_person_and_an_end_after_its_start_and_a_manager(site):
    day = timezone.localdate()
    with pytest.raises(JicengError) as err:
        services.shift_create(actor=site.leader, desk=site.desk, cadre=None, starts_at=at(day, 9), ends_at=at(day, 8))
    assert set(err.value.errors) == {"cadre", "ends_at"}
    with pytest.raises(PermissionDeniedError):
        services.shift_create(actor=site.cadre_user, desk=site.desk, cadre=site.cadre, starts_at=at(day, 9),
                              ends_at=at(day, 10))
    with pytest.raises(PermissionDeniedError):  # comm_b's staff cannot roster comm_a's desk
        services.shift_create(actor=site.outsider, desk=site.desk, cadre=site.cadre, starts_at=at(day, 9),
                              ends_at=at(day, 10))
    assert not DutyShift.objects.unscoped("t").exists()


def test_the_missed_shift_job_marks_once_and_posts_the_deduction_once(site, shift):
    from jiceng.notices.models import Notification

    day = timezone.localdate()
    before = services.duty_check(now=at(day, 9, 0))  # within the hour after the start: not yet missed
    assert before["missed"] == 0
    first = services.duty_check(now=at(day, 9, 31))
    second = services.duty_check(now=at(day, 9, 46))
    assert first["missed"] == 1 and second["missed"] == 0
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.MISSED and shift.missed_at == at(day, 9, 31) and shift.points == -2
    entries = PerformanceEntry.objects.unscoped("t").filter(kind="duty")
    assert [(e.amount, e.idempotency_key) for e in entries] == [(-2, f"duty-shift:{shift.pk}")]
    account = PerformanceAccount.objects.unscoped("t").get(cadre=site.cadre)
    assert account.balance == 98
    assert Notification.objects.filter(user=site.cadre_user, message__contains="缺勤").count() == 1
    assert Notification.objects.filter(user=site.staff_a, message__contains="缺勤").count() == 1
    # A missed shift can no longer be checked in to.
    with pytest.raises(JicengError) as err:
        services.check_in(actor=site.cadre_user, desk=site.desk, code=services.day_code(site.desk, day),
                          now=at(day, 9, 40))
    assert set(err.value.errors) == {"shift"}


def test_the_amounts_are_the_sites_settings(site, shift):
    day = timezone.localdate()
    services.rules_update(actor=site.leader, site=site.district.street, missed_points=5, kept_points=3)
    services.duty_check(now=at(day, 10, 0))
    shift.refresh_from_db()
    assert shift.points == -5


def test_a_shift_checked_in_but_never_checked_out_is_settled_at_its_end(site, shift):
    day = timezone.localdate()
    services.check_in(actor=site.cadre_user, desk=site.desk, code=services.day_code(site.desk, day), now=at(day, 8, 50))
    assert services.duty_check(now=at(day, 17, 45))["settled"] == 0
    assert services.duty_check(now=at(day, 18, 31))["settled"] == 1
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.DONE and shift.checked_out_at is None and shift.points == 0  # +1 −1 (late)


def test_tomorrows_uncovered_desk_is_reminded_once(site):
    from jiceng.notices.models import Notification

    now = timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    from jiceng.people.models import Cadre

    b_cadre = Cadre.objects.create(name="乙书记", gender="F", post="党委书记", org_unit=site.district.comm_b,
                                   org_path=site.district.comm_b.path)
    services.shift_create(actor=site.leader, desk=site.desk_b, cadre=b_cadre, starts_at=at(tomorrow, 9),
                          ends_at=at(tomorrow, 12))
    assert services.duty_check(now=now)["uncovered"] == 1  # comm_a's desk opens every day and has nobody
    assert services.duty_check(now=now)["uncovered"] == 0
    assert Notification.objects.filter(user=site.staff_a, message__contains="还没有安排值班人").count() == 1
    assert not Notification.objects.filter(user=site.outsider, message__contains="还没有安排值班人").exists()


def _two_at_once(site):
    from tests.conftest import in_threads

    day = timezone.localdate() + dt.timedelta(days=3)
    return in_threads(2, lambda i: services.shift_create(
        actor=site.leader, desk=site.desk, cadre=site.cadre, starts_at=at(day, 9 + i), ends_at=at(day, 12 + i))
        and "ok")


@pytest.mark.django_db(transaction=True)
def test_without_the_cadre_lock_two_rosters_at_once_double_book_a_person(vendor_is_postgres, site, monkeypatch):
    """The race the lock prevents: both read "no overlap" before either writes, and both shifts land."""
    import threading

    from jiceng.duty.services import roster

    both_checked = threading.Barrier(2, timeout=30)
    checking = roster.first_clash

    def check_then_wait(*args):
        found = checking(*args)
        both_checked.wait()
        return found

    monkeypatch.setattr(roster, "lock_cadre", lambda cadre: None)
    monkeypatch.setattr(roster, "first_clash", check_then_wait)
    assert sorted(_two_at_once(site)) == ["ok", "ok"]
    assert DutyShift.objects.unscoped("t").filter(cadre=site.cadre).count() == 2


@pytest.mark.django_db(transaction=True)
def test_with_the_cadre_lock_two_rosters_at_once_book_the_person_once(vendor_is_postgres, site):
    assert sorted(_two_at_once(site)) == ["ok", "overlap"]
    assert DutyShift.objects.unscoped("t").filter(cadre=site.cadre).count() == 1
