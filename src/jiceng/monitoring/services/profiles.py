"""Economic profiles (家庭经济档案): one per household per year, every change audited, rules re-run."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log, diff
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.people.models import Resident, ResidentStatus

from .. import permissions
from ..models import (
    EconomicProfile, Employment, HousingGrade, LabourCapacity, LabourLoss, MemberRecord, SchoolStage,
)
from ..rules import MemberFacts, ProfileFacts
from .config import _decimal

MONEY_FIELDS = {
    "wage_income": _("工资性收入"), "operating_income": _("经营净收入"), "property_income": _("财产净收入"),
    "transfer_income": _("转移净收入"), "medical_expense": _("医疗自付支出"), "education_expense": _("教育支出"),
    "other_rigid_expense": _("其他刚性支出"), "disaster_loss": _("灾害/意外损失"),
}
PROFILE_FIELDS = (*MONEY_FIELDS, "member_count", "income_per_head", "housing_grade", "safe_water", "note")
EMPLOYMENT_FIELDS = ("employment", "work_place", "annual_income")
SCHOOLING_FIELDS = ("school_stage", "school", "enrolled")
MEMBER_FIELDS = (*EMPLOYMENT_FIELDS, *SCHOOLING_FIELDS, "medical_insured", "labour_capacity", "is_main_labour",
                 "labour_loss")
_CHOICES = {"employment": Employment, "school_stage": SchoolStage, "labour_capacity": LabourCapacity,
            "labour_loss": LabourLoss}


def living_members(household) -> list[Resident]:
    return list(Resident.objects.unscoped(AUTHORISED).filter(household=household, status=ResidentStatus.LIVING).order_by("birth_date", "id"))


def profile_facts(profile: EconomicProfile, members=None) -> ProfileFacts:
    members = members if members is not None else list(profile.members.select_related("resident"))
    return ProfileFacts(
        year=profile.year, member_count=profile.member_count, total_income=profile.total_income,
        income_per_head=profile.income_per_head, rigid_expense=profile.rigid_expense,
        housing_grade=profile.housing_grade, safe_water=profile.safe_water, disaster_loss=profile.disaster_loss,
        members=tuple(MemberFacts(name=m.resident.name, birth_date=m.resident.birth_date, enrolled=m.enrolled,
                                  medical_insured=m.medical_insured, is_main_labour=m.is_main_labour,
                                  labour_loss=m.labour_loss, labour_capacity=m.labour_capacity,
                                  living=m.resident.status == ResidentStatus.LIVING,
                                  deceased=m.resident.status == ResidentStatus.DECEASED) for m in members))


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "on", "yes", "是")


def _clean_member(resident: Resident, data: dict, errors: ErrorCollector) -> dict:
    out = {}
    prefix = f"m{resident.pk}-"
    for f in MEMBER_FIELDS:
        if f not in data:
            continue
        v = data[f]
        if f == "annual_income":
            try:
                out[f] = _decimal(v or 0, field=prefix + f, label=_("%(n)s的个人年收入") % {"n": resident.name})
            except JicengError as exc:
                errors.add(prefix + f, exc.message)
        elif f in _CHOICES:
            v = v or ""
            if v not in _CHOICES[f].values:
                errors.add(prefix + f, _("%(n)s：“%(v)s”不是可选值") % {"n": resident.name, "v": v})
            else:
                out[f] = v
        elif f in ("enrolled", "medical_insured", "is_main_labour"):
            out[f] = _bool(v)
        else:
            out[f] = str(v or "").strip()[:100]
    return out


def profile_save(*, actor, household, year: int, values: dict, members: dict | None = None,
                 now=None) -> EconomicProfile:
    """Create or change the household's profile for ``year`` and its member lines; re-run the rules.

    ``members`` maps resident id → that member's fields; living members without an entry keep what
    they had (or the defaults). Everything is checked before anything is written."""
    now = now or timezone.now()
    if not permissions.can_record(actor, household.org_path):
        raise PermissionDeniedError()
    year = int(year)
    if not (2000 <= year <= timezone.localdate(now).year):
        raise JicengError(_("年度应在2000年至今年之间"), field="year")
    errors = ErrorCollector()
    clean: dict = {}
    for f, label in MONEY_FIELDS.items():
        if f in values:
            try:
                clean[f] = _decimal(values[f] if values[f] not in (None, "") else 0, field=f, label=label)
            except JicengError as exc:
                errors.add(f, exc.message)
    if "housing_grade" in values:
        if values["housing_grade"] not in HousingGrade.values:
            errors.add("housing_grade", _("住房安全等级应为 A、B、C 或 D"))
        else:
            clean["housing_grade"] = values["housing_grade"]
    if "safe_water" in values:
        clean["safe_water"] = _bool(values["safe_water"])
    if "note" in values:
        clean["note"] = str(values["note"] or "")[:2000]
    people = living_members(household)
    by_id = {r.pk: r for r in people}
    member_data = {}
    for rid, data in (members or {}).items():
        resident = by_id.get(int(rid))
        if resident is None:
            errors.add("members", _("第%(id)s号居民不是这户的在住成员") % {"id": rid})
            continue
        member_data[resident.pk] = _clean_member(resident, data, errors)
    if "member_count" in values and values["member_count"] not in (None, ""):
        try:
            count = int(values["member_count"])
            if count < 1:
                raise ValueError
            clean["member_count"] = count
        except (TypeError, ValueError):
            errors.add("member_count", _("家庭人口应为不小于1的整数"))
    errors.raise_if_any()
    with transaction.atomic(durable=True):
        profile = (EconomicProfile.objects.unscoped(AUTHORISED).select_for_update().filter(household=household, year=year).first())
        created = profile is None
        if created:
            profile = EconomicProfile(household=household, year=year, org_path=household.org_path,
                                      member_count=max(1, len(people)), updated_by=actor)
            before = {}
        else:
            before = {f: getattr(profile, f) for f in PROFILE_FIELDS}
        for f, v in clean.items():
            setattr(profile, f, v)
        if "member_count" not in clean and created:
            profile.member_count = max(1, len(people))
        profile.org_path = household.org_path
        profile.income_per_head = (Decimal(profile.total_income) / profile.member_count).quantize(Decimal("0.01"),
                                                                                      rounding=ROUND_HALF_UP)
        profile.updated_by = actor
        profile.save()
        existing = {m.resident_id: m for m in profile.members.all()}
        member_changes = {}
        for r in people:
            record = existing.get(r.pk)
            new = record is None
            if new:
                record = MemberRecord(profile=profile, resident=r)
                _defaults_for(record, r, year, now.date())
            data = member_data.get(r.pk, {})
            old = {f: getattr(record, f) for f in MEMBER_FIELDS}
            for f, v in data.items():
                setattr(record, f, v)
            changed = [f for f in MEMBER_FIELDS if getattr(record, f) != old[f]]
            # "Records updated" (the figures) counts real entries: schooling for pupils and students,
            # employment for people of working age, and any later change.
            if any(f in EMPLOYMENT_FIELDS for f in changed) or (new and record.labour_capacity != LabourCapacity.NONE
                                                                  and record.employment != Employment.STUDENT):
                record.employment_updated_at = now
            if any(f in SCHOOLING_FIELDS for f in changed) or (new and record.school_stage):
                record.schooling_updated_at = now
            if new or changed:
                record.save()
                if not new:
                    member_changes[r.name] = {f: [old[f], getattr(record, f)] for f in changed}
        after = {f: getattr(profile, f) for f in PROFILE_FIELDS}
        b, a = diff(before, after)
        audit_log(actor=actor, action="monitoring.profile.created" if created else "monitoring.profile.updated",
                  obj=profile, object_repr=f"{household.display_name} {year}", before=b or None,
                  after={**a, **({"members": member_changes} if member_changes else {})})
        from .signals import rules_run_for_household

        rules_run_for_household(household, now=now, actor=actor)
    return profile


def _defaults_for(record: MemberRecord, resident: Resident, year: int, today: dt.date) -> None:
    from ..rules import COMPULSORY_SCHOOL_AGES, age_on, reference_day

    age = age_on(resident.birth_date, reference_day(year, today))
    if age in COMPULSORY_SCHOOL_AGES:
        record.employment = Employment.STUDENT
        record.school_stage = SchoolStage.PRIMARY if age < 12 else SchoolStage.JUNIOR
        record.enrolled = True
        record.labour_capacity = LabourCapacity.NONE
    elif age < 6:
        record.employment = Employment.NONE
        record.labour_capacity = LabourCapacity.NONE
    elif age >= 65:
        record.employment = Employment.RETIRED
        record.labour_capacity = LabourCapacity.WEAK


def profile_viewed(*, actor, household, what: str = "page") -> None:
    """Record that ``actor`` looked at the household's economic record (every view is logged)."""
    audit_log(actor=actor, action="monitoring.profile.viewed", obj=household, after={"via": what})
