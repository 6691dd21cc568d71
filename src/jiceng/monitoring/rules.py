"""The risk rules (风险规则) as pure functions of a profile: which fire, and why.

A rule fires strictly past its boundary: income equal to the line is not below it, a drop of exactly
X% is not more than X%, rigid expenses of exactly Y% of income are not above Y%.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .models import RULE_THRESHOLDS, HousingGrade, RuleCode

COMPULSORY_SCHOOL_AGES = range(6, 16)  # 6 to 15 years old: nine years of 义务教育


@dataclass(frozen=True)
class MemberFacts:
    name: str
    birth_date: dt.date
    enrolled: bool
    medical_insured: bool
    is_main_labour: bool
    labour_loss: str
    labour_capacity: str
    living: bool = True      # False: moved out or deceased since the line was written
    deceased: bool = False


@dataclass(frozen=True)
class ProfileFacts:
    year: int
    member_count: int
    total_income: Decimal
    income_per_head: Decimal
    rigid_expense: Decimal
    housing_grade: str
    safe_water: bool
    disaster_loss: Decimal
    members: tuple[MemberFacts, ...]


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def reference_day(year: int, today: dt.date) -> dt.date:
    """The day ages are counted on for a profile year: today in the current year, 31 December before."""
    return min(today, dt.date(year, 12, 31))


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}%"


def evaluate(facts: ProfileFacts, *, line: Decimal | None, previous_per_head: Decimal | None,
             thresholds: dict[str, Decimal | None], today: dt.date) -> dict[str, str]:
    """{rule code: why it fires} for the enabled rules (``thresholds`` has one key per enabled rule)."""
    fired: dict[str, str] = {}

    def threshold(code):
        value = thresholds.get(code)
        if value is None and code in RULE_THRESHOLDS:
            value = RULE_THRESHOLDS[code][1]
        return value

    if RuleCode.INCOME_BELOW_LINE in thresholds and line is not None and facts.income_per_head < line:
        fired[RuleCode.INCOME_BELOW_LINE] = f"人均纯收入 {facts.income_per_head} 元，低于{facts.year}年监测标准 {line} 元"
    if RuleCode.INCOME_DROP in thresholds and previous_per_head and previous_per_head > 0:
        drop = (previous_per_head - facts.income_per_head) * 100 / previous_per_head
        if drop > threshold(RuleCode.INCOME_DROP):
            fired[RuleCode.INCOME_DROP] = (f"人均纯收入由上年 {previous_per_head} 元降至 {facts.income_per_head} 元，"
                                           f"下降 {_pct(drop)}")
    if RuleCode.RIGID_EXPENSE in thresholds and facts.rigid_expense > 0:
        limit = threshold(RuleCode.RIGID_EXPENSE)
        if facts.total_income <= 0 or facts.rigid_expense * 100 / facts.total_income > limit:
            share = facts.rigid_expense * 100 / facts.total_income if facts.total_income > 0 else None
            fired[RuleCode.RIGID_EXPENSE] = (f"刚性支出 {facts.rigid_expense} 元，占家庭纯收入 "
                                             f"{_pct(share) if share is not None else '—'}，超过 {limit}%")
    day = reference_day(facts.year, today)
    if RuleCode.SCHOOL_DROPOUT in thresholds:
        out = [m.name for m in facts.members
               if m.living and age_on(m.birth_date, day) in COMPULSORY_SCHOOL_AGES and not m.enrolled]
        if out:
            fired[RuleCode.SCHOOL_DROPOUT] = "义务教育阶段未在校：" + "、".join(out)
    if RuleCode.NO_MEDICAL_INSURANCE in thresholds:
        out = [m.name for m in facts.members if m.living and not m.medical_insured]
        if out:
            fired[RuleCode.NO_MEDICAL_INSURANCE] = "未参加基本医疗保险：" + "、".join(out)
    if RuleCode.UNSAFE_HOUSING in thresholds and facts.housing_grade in (HousingGrade.C, HousingGrade.D):
        fired[RuleCode.UNSAFE_HOUSING] = f"住房鉴定为{HousingGrade(facts.housing_grade).label}"
    if RuleCode.UNSAFE_WATER in thresholds and not facts.safe_water:
        fired[RuleCode.UNSAFE_WATER] = "饮水不安全"
    if RuleCode.LABOUR_LOSS in thresholds:
        # A main labourer marked dead, seriously ill or disabled on the line, or deceased in the registry.
        out = [m.name for m in facts.members if m.is_main_labour and (m.labour_loss or m.deceased)]
        if out:
            fired[RuleCode.LABOUR_LOSS] = "主要劳动力丧失劳动能力或死亡：" + "、".join(out)
    if RuleCode.DISASTER in thresholds and facts.disaster_loss > 0 and facts.disaster_loss >= threshold(RuleCode.DISASTER):
        fired[RuleCode.DISASTER] = f"灾害或意外损失 {facts.disaster_loss} 元"
    return fired


def guarantees(facts: ProfileFacts, *, today: dt.date) -> dict[str, tuple[bool, str]]:
    """The "3+1" guarantees (三保障和饮水安全): {name: (secured, detail)}."""
    day = reference_day(facts.year, today)
    out_of_school = [m.name for m in facts.members
                     if m.living and age_on(m.birth_date, day) in COMPULSORY_SCHOOL_AGES and not m.enrolled]
    uninsured = [m.name for m in facts.members if m.living and not m.medical_insured]
    return {
        "义务教育": (not out_of_school, "未在校：" + "、".join(out_of_school) if out_of_school else "适龄子女均在校"),
        "基本医疗": (not uninsured, "未参保：" + "、".join(uninsured) if uninsured else "全员参加基本医疗保险"),
        "住房安全": (facts.housing_grade in (HousingGrade.A, HousingGrade.B), HousingGrade(facts.housing_grade).label),
        "饮水安全": (facts.safe_water, "安全" if facts.safe_water else "不安全"),
    }
