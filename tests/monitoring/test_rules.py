"""Each risk rule raises a signal past its boundary, not at it, and clears when the profile no longer fires it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.monitoring.models import Channel, RiskRule, RiskSignal, RuleCode, SignalStatus
from jiceng.monitoring.services import profile_save, rule_update, rules_run_all

from .conftest import healthy_values


def open_rules(household):
    return set(RiskSignal.objects.filter(household=household, channel=Channel.RULE, status=SignalStatus.OPEN)
               .values_list("rule_code", flat=True))


def save(mon, members=None, year=None, **values):
    return profile_save(actor=mon.grid_worker, household=mon.household, year=year or mon.year,
                        values=healthy_values(**values), members=members)


def test_healthy_profile_raises_nothing(mon):
    p = save(mon)
    assert p.income_per_head == Decimal("14000.00")
    assert open_rules(mon.household) == set()


def test_income_below_line_fires_below_and_not_at_the_line(mon):
    save(mon, wage_income="18000", operating_income="0")  # 6000.00 per head == the line
    assert RuleCode.INCOME_BELOW_LINE not in open_rules(mon.household)
    save(mon, wage_income="17999.97", operating_income="0")  # 5999.99 per head
    assert RuleCode.INCOME_BELOW_LINE in open_rules(mon.household)
    sig = RiskSignal.objects.get(household=mon.household, rule_code=RuleCode.INCOME_BELOW_LINE)
    assert "5999.99" in sig.detail and "6000" in sig.detail
    assert sig.deadline == timezone.localdate() + dt.timedelta(days=15)
    save(mon, wage_income="18000", operating_income="0")
    sig.refresh_from_db()
    assert sig.status == SignalStatus.CLEARED
    assert open_rules(mon.household) == set()


def test_the_line_is_looked_up_per_year(mon):
    # Last year's line is 5800: 5900 per head is above it (no signal) but would be below this year's 6000.
    save(mon, year=mon.year - 1, wage_income="17700", operating_income="0")
    assert RuleCode.INCOME_BELOW_LINE not in open_rules(mon.household)


def test_income_drop_fires_above_the_threshold_only(mon):
    save(mon, year=mon.year - 1, wage_income="30000", operating_income="0")  # 10000 per head
    save(mon, wage_income="21000", operating_income="0")  # 7000: exactly 30 % down
    assert RuleCode.INCOME_DROP not in open_rules(mon.household)
    save(mon, wage_income="20997", operating_income="0")  # 6999: 30.01 %
    assert RuleCode.INCOME_DROP in open_rules(mon.household)


def test_rigid_expense_share_boundary_and_tuned_threshold(mon):
    save(mon, wage_income="20000", operating_income="0", medical_expense="10000", education_expense="0")
    assert RuleCode.RIGID_EXPENSE not in open_rules(mon.household)  # exactly 50 %
    save(mon, wage_income="20000", operating_income="0", medical_expense="10000.01", education_expense="0")
    assert RuleCode.RIGID_EXPENSE in open_rules(mon.household)
    rule_update(actor=mon.street, site=mon.district.street, code=RuleCode.RIGID_EXPENSE, enabled=True, threshold="60")
    rules_run_all()
    assert RuleCode.RIGID_EXPENSE not in open_rules(mon.household)


@pytest.mark.parametrize("years_old,fires", [(5, False), (6, True), (15, True), (16, False)])
def test_school_dropout_counts_compulsory_school_age_only(mon, years_old, fires):
    from jiceng.people.models import Resident

    today = timezone.localdate()
    born = dt.date(today.year - years_old, today.month, today.day) if not (today.month == 2 and today.day == 29) \
        else dt.date(today.year - years_old, 2, 28)
    Resident.objects.filter(pk=mon.child.pk).update(birth_date=born)
    save(mon, members={mon.child.pk: {"enrolled": False, "school_stage": ""}})
    assert (RuleCode.SCHOOL_DROPOUT in open_rules(mon.household)) is fires


def test_member_without_medical_insurance(mon):
    save(mon, members={mon.spouse.pk: {"medical_insured": False}})
    sig = RiskSignal.objects.get(household=mon.household, rule_code=RuleCode.NO_MEDICAL_INSURANCE, status="open")
    assert "王秀英" in sig.detail
    save(mon, members={mon.spouse.pk: {"medical_insured": True}})
    sig.refresh_from_db()
    assert sig.status == SignalStatus.CLEARED


@pytest.mark.parametrize("grade,fires", [("A", False), ("B", False), ("C", True), ("D", True)])
def test_unsafe_housing_is_grade_c_or_d(mon, grade, fires):
    save(mon, housing_grade=grade)
    assert (RuleCode.UNSAFE_HOUSING in open_rules(mon.household)) is fires


def test_unsafe_water(mon):
    save(mon, safe_water=False)
    assert open_rules(mon.household) == {RuleCode.UNSAFE_WATER}


def test_loss_of_main_labour_only_counts_the_main_labour(mon):
    save(mon, members={mon.spouse.pk: {"is_main_labour": False, "labour_loss": "illness"}})
    assert RuleCode.LABOUR_LOSS not in open_rules(mon.household)
    save(mon, members={mon.head.pk: {"is_main_labour": True, "labour_loss": "illness"}})
    assert RuleCode.LABOUR_LOSS in open_rules(mon.household)


def test_disaster_loss_against_the_sites_threshold(mon):
    rule_update(actor=mon.street, site=mon.district.street, code=RuleCode.DISASTER, enabled=True, threshold="5000")
    save(mon, disaster_loss="4999.99")
    assert RuleCode.DISASTER not in open_rules(mon.household)
    save(mon, disaster_loss="5000")
    assert RuleCode.DISASTER in open_rules(mon.household)


def test_a_switched_off_rule_raises_nothing_and_one_open_signal_per_rule(mon):
    rule_update(actor=mon.street, site=mon.district.street, code=RuleCode.UNSAFE_WATER, enabled=False)
    save(mon, safe_water=False)
    assert open_rules(mon.household) == set()
    RiskRule.objects.filter(code=RuleCode.UNSAFE_WATER).update(enabled=True)
    rules_run_all()
    rules_run_all()
    assert RiskSignal.objects.filter(household=mon.household, rule_code=RuleCode.UNSAFE_WATER).count() == 1


def test_bad_numbers_are_refused_with_the_field_and_nothing_written(mon):
    from jiceng.core.errors import JicengError
    from jiceng.monitoring.models import EconomicProfile

    with pytest.raises(JicengError) as exc:
        save(mon, wage_income="-1", transfer_income="abc")
    assert set(exc.value.errors) == {"wage_income", "transfer_income"}
    assert "不能为负数" in exc.value.errors["wage_income"][0]
    assert "不是数字" in exc.value.errors["transfer_income"][0]
    assert not EconomicProfile.objects.exists()


def test_every_change_is_audited_with_before_and_after(mon):
    from jiceng.audit.models import AuditEntry

    save(mon)
    save(mon, wage_income="30000", members={mon.head.pk: {"employment": "casual", "work_place": "昆明"}})
    entry = AuditEntry.objects.filter(action="monitoring.profile.updated").latest("id")
    assert entry.before["wage_income"] == "36000.00"
    assert entry.after["wage_income"] == "30000.00"
    assert entry.after["members"]["李富贵"]["employment"] == ["farming", "casual"]


def test_only_handling_roles_may_write_a_profile(mon, make_user):
    from jiceng.accounts.models import Role
    from jiceng.core.errors import PermissionDeniedError

    for user in (mon.outsider, make_user(Role.BRANCH_SECRETARY, mon.district.grid_a1),
                 make_user(Role.AUDITOR, mon.district.street)):
        with pytest.raises(PermissionDeniedError):
            profile_save(actor=user, household=mon.household, year=mon.year, values=healthy_values())


def test_a_verified_rule_signal_is_not_raised_again_for_the_same_year(mon):
    from jiceng.monitoring.services import signal_dismiss

    save(mon, safe_water=False)
    sig = RiskSignal.objects.get(household=mon.household, rule_code=RuleCode.UNSAFE_WATER)
    signal_dismiss(actor=mon.grid_worker, signal=sig, reason="已接通自来水，档案待更新")
    rules_run_all()
    save(mon, safe_water=False, note="x")
    assert RiskSignal.objects.filter(household=mon.household, rule_code=RuleCode.UNSAFE_WATER).count() == 1


def test_a_rule_not_evaluated_does_not_clear_its_signal(mon):
    save(mon, safe_water=False)
    rule_update(actor=mon.street, site=mon.district.street, code=RuleCode.UNSAFE_WATER, enabled=False)
    rules_run_all()
    assert open_rules(mon.household) == {RuleCode.UNSAFE_WATER}


def test_a_main_labourer_deceased_in_the_registry_is_a_loss_of_labour(mon):
    from jiceng.people.models import Resident

    save(mon, members={mon.head.pk: {"is_main_labour": True}})
    assert RuleCode.LABOUR_LOSS not in open_rules(mon.household)
    Resident.objects.filter(pk=mon.head.pk).update(status="deceased")
    rules_run_all()
    assert RuleCode.LABOUR_LOSS in open_rules(mon.household)
