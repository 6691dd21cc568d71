"""Check-in by the desk's daily code: yesterday's code, another desk's code and a far location are refused naming
the field, and nothing is written; the shift must be now; check-out needs a check-in."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.duty import services
from jiceng.duty.models import DutyShift, ShiftStatus
from jiceng.core.errors import JicengError
from tests.duty.conftest import at


def _unchanged(shift):
    fresh = DutyShift.objects.unscoped("t").get(pk=shift.pk)
    assert fresh.status == ShiftStatus.SCHEDULED and fresh.checked_in_at is None


def test_todays_code_checks_in_on_time_within_the_grace(site, shift):
    now = at(timezone.localdate(), 8, 35)
    done = services.check_in(actor=site.cadre_user, desk=site.desk, code=services.day_code(site.desk, now.date()),
                             lat="24.880500", lng="102.830500", now=now)
    assert done.status == ShiftStatus.ON_DUTY and done.checked_in_at == now and done.late is False


def test_yesterdays_code_is_refused_as_expired(site, shift):
    now = at(timezone.localdate(), 8, 35)
    yesterday = services.day_code(site.desk, now.date() - dt.timedelta(days=1))
    with pytest.raises(JicengError) as err:
        services.check_in(actor=site.cadre_user, desk=site.desk, code=yesterday, now=now)
    assert set(err.value.errors) == {"code"} and "过期" in err.value.errors["code"][0]
    _unchanged(shift)


def test_the_code_changes_every_day_and_differs_between_desks(site):
    day = timezone.localdate()
    codes = {services.day_code(site.desk, day + dt.timedelta(days=i)) for i in range(5)}
    assert len(codes) == 5 and all(len(c) == 6 and c.isdigit() for c in codes)
    assert services.day_code(site.desk, day) != services.day_code(site.desk_b, day)


def test_another_desks_code_is_refused(site, shift):
    now = at(timezone.localdate(), 8, 35)
    with pytest.raises(JicengError) as err:
        services.check_in(actor=site.cadre_user, desk=site.desk, code=services.day_code(site.desk_b, now.date()), now=now)
    assert set(err.value.errors) == {"code"} and "甲社区党群服务中心" in err.value.errors["code"][0]
    _unchanged(shift)


def test_a_check_in_far_from_the_desk_is_refused_when_the_phone_gives_its_location(site, shift):
    now = at(timezone.localdate(), 8, 35)
    code = services.day_code(site.desk, now.date())
    with pytest.raises(JicengError) as err:  # about 1.1 km north
        services.check_in(actor=site.cadre_user, desk=site.desk, code=code, lat="24.890000", lng="102.830000", now=now)
    assert set(err.value.errors) == {"location"} and "1112 米" in err.value.errors["location"][0]
    _unchanged(shift)
    # No location from the phone: the code alone checks in.
    assert services.check_in(actor=site.cadre_user, desk=site.desk, code=code, now=now).status == ShiftStatus.ON_DUTY


def test_no_shift_now_is_refused_and_late_is_marked_after_the_grace(site, shift):
    day = timezone.localdate()
    code = services.day_code(site.desk, day)
    with pytest.raises(JicengError) as err:  # two hours early
        services.check_in(actor=site.cadre_user, desk=site.desk, code=code, now=at(day, 6, 30))
    assert set(err.value.errors) == {"shift"}
    with pytest.raises(JicengError) as err:  # another person's desk has no shift for them
        services.check_in(actor=site.cadre_user, desk=site.desk_b, code=services.day_code(site.desk_b, day),
                          now=at(day, 8, 35))
    assert set(err.value.errors) == {"shift"}
    done = services.check_in(actor=site.cadre_user, desk=site.desk, code=code, now=at(day, 8, 45))
    assert done.late is True


def test_check_out_without_check_in_is_refused_then_kept_posts_the_points_once(site, shift):
    from jiceng.cadre.models import PerformanceEntry

    day = timezone.localdate()
    code = services.day_code(site.desk, day)
    with pytest.raises(JicengError) as err:
        services.check_out(actor=site.cadre_user, desk=site.desk, code=code, now=at(day, 17, 30))
    assert set(err.value.errors) == {"shift"} and "还没有签到" in err.value.errors["shift"][0]
    _unchanged(shift)
    services.check_in(actor=site.cadre_user, desk=site.desk, code=code, now=at(day, 8, 25))
    done = services.check_out(actor=site.cadre_user, desk=site.desk, code=code, now=at(day, 17, 35))
    assert done.status == ShiftStatus.DONE and done.points == 1
    entries = PerformanceEntry.objects.unscoped("t").filter(kind="duty")
    assert [(e.amount, e.source_type, e.source_id, e.idempotency_key) for e in entries] == [
        (1, "duty.shift", str(shift.pk), f"duty-shift:{shift.pk}")]
    with pytest.raises(JicengError):
        services.check_out(actor=site.cadre_user, desk=site.desk, code=code, now=at(day, 17, 40))
    assert entries.count() == 1
