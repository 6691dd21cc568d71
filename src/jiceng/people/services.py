"""Every write to the people registry: one function per use case, transactional, audited.

Each checks the actor's permission itself and raises ``JicengError`` naming the field and the reason.
"""
from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log, diff
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import HOUSEHOLD_KINDS, OrgUnit, OrgUnitKind

from .idnumber import check_id_number
from .models import (
    Gender, Household, HouseholdStatus, PartnerPairing, PartnerUnit, PartnerUnitKind, PartyMember,
    PartyMemberHousehold, PartyMemberStatus, Relationship, Resident, ResidentNameKey, ResidentStatus,
    ResidentTag, SpecialGroup,
)
from .search import name_keys, reverse, to_simplified

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")
NAME_RE = re.compile(r"^[\u3400-\u9fff·•A-Za-z ]{1,50}$")

RESIDENT_FIELDS = (
    "name", "gender", "birth_date", "id_number", "phone", "ethnicity", "registered_address",
    "actual_address", "status", "relationship", "note",
)
HOUSEHOLD_FIELDS = ("address", "status", "phone", "note", "number")


# ----------------------------------------------------------------------------- helpers

def _clean_phone(value: str | None, errors: ErrorCollector, field: str = "phone") -> str:
    phone = re.sub(r"[\s()（）]", "", value or "")
    if phone and not PHONE_RE.match(phone):
        errors.add(field, _("联系电话“%(p)s”格式不正确：应为11位手机号或带区号的固定电话") % {"p": value})
    return phone


def _resident_snapshot(r: Resident) -> dict:
    return {
        "name": r.name, "gender": r.gender, "birth_date": r.birth_date, "id_number": r.id_number,
        "phone": r.phone, "ethnicity": r.ethnicity, "registered_address": r.registered_address,
        "actual_address": r.actual_address, "status": r.status, "relationship": r.relationship,
        "household": r.household_id, "org_unit": r.org_unit_id, "note": r.note,
        "tags": sorted(t.tag for t in r.tags.all()) if r.pk else [],
    }


def _household_snapshot(h: Household) -> dict:
    return {"number": h.number, "address": h.address, "status": h.status, "phone": h.phone,
            "org_unit": h.org_unit_id, "head": h.head_id, "note": h.note}


def _sync_name_keys(resident: Resident) -> None:
    keys = {k.key: (k.kind, resident.org_path) for k in name_keys(resident.name)}
    existing = {key: (kind, path) for key, kind, path in
                ResidentNameKey.objects.filter(resident=resident).values_list("key", "kind", "org_path")}
    stale = [k for k, row in existing.items() if keys.get(k) != row]
    if stale:
        ResidentNameKey.objects.filter(resident=resident, key__in=stale).delete()
    ResidentNameKey.objects.bulk_create(
        [ResidentNameKey(resident=resident, key=k, kind=kind, org_path=path)
         for k, (kind, path) in keys.items() if existing.get(k) != (kind, path)]
    )


def _unit_for_people(actor, unit: OrgUnit | None, errors: ErrorCollector, field: str = "org_unit") -> OrgUnit | None:
    if unit is None:
        errors.add(field, _("请选择所在网格/楼栋"))
        return None
    if not permissions.can_change_path(actor, unit.path):
        errors.add(field, _("“%(u)s”不在您的管辖范围内") % {"u": unit.name})
        return None
    if unit.kind not in HOUSEHOLD_KINDS:
        errors.add(field, _("“%(u)s”是%(k)s，居民和住户只能登记在网格、小区、楼栋、楼层、村或村民小组")
                   % {"u": unit.name, "k": OrgUnitKind(unit.kind).label})
        return None
    return unit


def _validate_resident(data: dict, errors: ErrorCollector, *, exclude_id: int | None = None) -> list[str]:
    name = to_simplified((data.get("name") or "").strip()) if data.get("simplify_name") else (data.get("name") or "").strip()
    data["name"] = name
    if not name:
        errors.add("name", _("请填写姓名"))
    elif not NAME_RE.match(name):
        errors.add("name", _("姓名只能包含汉字、字母、空格或间隔号“·”"))
    gender = data.get("gender") or None
    if gender and gender not in Gender.values:
        errors.add("gender", _("性别应为“男”或“女”"))
        gender = None
    birth = data.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = dt.date.fromisoformat(birth) if birth else None
        except ValueError:
            errors.add("birth_date", _("出生日期“%(d)s”无法识别，请按 2023-05-01 的格式填写") % {"d": birth})
            birth = None
    check = check_id_number(data.get("id_number") or "", birth_date=birth, gender=gender)
    for message in check.errors:
        field = "id_number"
        if "出生日期" in message and "不一致" in message:
            field = "birth_date"
        elif "性别" in message:
            field = "gender"
        errors.add(field, message)
    data["id_number"] = check.number
    if check.ok:
        data["birth_date"] = check.birth_date
        data["gender"] = check.gender
        dupe = Resident.objects.unscoped("one person, one record: the registry-wide duplicate check").filter(id_number=check.number).exclude(pk=exclude_id).first()
        if dupe is not None:
            errors.add("id_number", _("身份证号%(n)s已登记（居民编号 %(id)s），同一人不能重复登记")
                       % {"n": check.number[:6] + "********" + check.number[-4:], "id": dupe.pk})
    data["phone"] = _clean_phone(data.get("phone"), errors)
    if data.get("status") and data["status"] not in ResidentStatus.values:
        errors.add("status", _("未知的居住状态：%(s)s") % {"s": data["status"]})
    if data.get("relationship") and data["relationship"] not in Relationship.values:
        errors.add("relationship", _("未知的与户主关系：%(s)s") % {"s": data["relationship"]})
    tags = list(dict.fromkeys(data.get("tags") or []))
    for t in tags:
        if t not in SpecialGroup.values:
            errors.add("tags", _("未知的特殊群体标签：%(t)s") % {"t": t})
    data["tags"] = tags
    return check.warnings


def _set_tags(resident: Resident, tags: list[str]) -> None:
    current = set(resident.tags.values_list("tag", flat=True))
    wanted = set(tags)
    if current - wanted:
        ResidentTag.objects.filter(resident=resident, tag__in=current - wanted).delete()
    ResidentTag.objects.bulk_create([ResidentTag(resident=resident, tag=t, org_path=resident.org_path)
                                     for t in sorted(wanted - current)])


# ----------------------------------------------------------------------------- residents

def resident_create(*, actor, household: Household | None = None, org_unit: OrgUnit | None = None,
                    **data) -> Resident:
    """Register a resident (登记居民), in a household or directly in a unit."""
    if not permissions.can_change_people(actor):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if household is not None:
        if not permissions.can_change_path(actor, household.org_path):
            raise NotFoundError(field="household")
        org_unit = household.org_unit
    else:
        org_unit = _unit_for_people(actor, org_unit, errors)
    unknown = set(data) - set(RESIDENT_FIELDS) - {"tags", "simplify_name"}
    if unknown:
        raise JicengError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    warnings = _validate_resident(data, errors)
    if data.get("relationship") == Relationship.HEAD and household is not None and household.head_id:
        errors.add("relationship", _("该户已有户主%(n)s，请先变更户主") % {"n": household.head.name})
    errors.raise_if_any()
    tags = data.pop("tags")
    data.pop("simplify_name", None)
    try:
        with transaction.atomic():
            resident = Resident(
                household=household, org_unit=org_unit, org_path=org_unit.path,
                name_search=to_simplified(data["name"]), id_number_rev=reverse(data["id_number"]),
                phone_rev=reverse(data.get("phone") or ""),
                **{k: v for k, v in data.items() if v is not None},
            )
            resident.save()
            _set_tags(resident, tags)
            _sync_name_keys(resident)
            if household is not None and resident.relationship == Relationship.HEAD:
                Household.objects.filter(pk=household.pk).update(head=resident)
            audit_log(actor=actor, action="people.resident.created", obj=resident,
                      after={**_resident_snapshot(resident), "warnings": warnings})
    except IntegrityError:
        raise JicengError(_("身份证号已登记，同一人不能重复登记"), field="id_number", code="duplicate") from None
    resident.warnings = warnings
    return resident


def resident_update(*, actor, resident: Resident, **changes) -> Resident:
    if not permissions.can_change_path(actor, resident.org_path):
        raise NotFoundError()
    unknown = set(changes) - set(RESIDENT_FIELDS) - {"tags"}
    if unknown:
        raise JicengError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    before = _resident_snapshot(resident)
    merged = {**before, **changes}
    if "id_number" in changes and "birth_date" not in changes:
        merged["birth_date"] = None
    if "id_number" in changes and "gender" not in changes:
        merged["gender"] = None
    errors = ErrorCollector()
    warnings = _validate_resident(merged, errors, exclude_id=resident.pk)
    if (merged.get("relationship") == Relationship.HEAD and resident.household_id
            and resident.household.head_id not in (None, resident.pk)):
        errors.add("relationship", _("该户已有户主%(n)s，请先变更户主") % {"n": resident.household.head.name})
    errors.raise_if_any()
    try:
        with transaction.atomic():
            locked = Resident.objects.unscoped(AUTHORISED).select_for_update().get(pk=resident.pk)
            for key in RESIDENT_FIELDS:
                setattr(locked, key, merged[key] if merged[key] is not None else getattr(locked, key))
            locked.name_search = to_simplified(locked.name)
            locked.id_number_rev = reverse(locked.id_number)
            locked.phone_rev = reverse(locked.phone)
            locked.save()
            if "tags" in changes:
                _set_tags(locked, merged["tags"])
            _sync_name_keys(locked)
            if locked.household_id:
                if locked.relationship == Relationship.HEAD:
                    Household.objects.unscoped(AUTHORISED).filter(pk=locked.household_id).update(head=locked)
                elif locked.household.head_id == locked.pk:
                    Household.objects.unscoped(AUTHORISED).filter(pk=locked.household_id).update(head=None)
            b, a = diff(before, _resident_snapshot(locked))
            if a:
                audit_log(actor=actor, action="people.resident.updated", obj=locked, before=b, after=a)
    except IntegrityError:
        raise JicengError(_("身份证号已登记，同一人不能重复登记"), field="id_number", code="duplicate") from None
    locked.warnings = warnings
    return locked


def resident_personal_data_view(*, actor, resident: Resident, ip_address: str = "", channel: str = "web") -> dict:
    """Show a resident's full ID number and phone (查看完整信息), recording the view."""
    if not permissions.can_see_personal_data(actor, resident.org_path):
        raise PermissionDeniedError(_("您的角色不能查看完整的身份证号和电话"))
    with transaction.atomic():
        audit_log(actor=actor, action="people.personal_data.viewed", obj=resident, ip_address=ip_address,
                  after={"fields": ["id_number", "phone"], "channel": channel})
    return {"id_number": resident.id_number, "phone": resident.phone}


# ----------------------------------------------------------------------------- households

def _next_household_number(unit: OrgUnit) -> str:
    """The unit's next household number, "<unit code>-0001" upward (numbers of child units, which
    share the prefix, are not counted; numbers past 9999 compare as numbers, not text)."""
    from django.db.models.functions import Length

    prefix = f"{unit.code}-"
    last = (Household.objects.unscoped("numbers are unique registry-wide; moved households keep theirs")
            .filter(number__regex=rf"^{re.escape(prefix)}[0-9]+$")
            .order_by(Length("number").desc(), "-number").values_list("number", flat=True).first())
    n = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def household_create(*, actor, org_unit: OrgUnit | None, address: str, number: str = "", phone: str = "",
                     status: str = HouseholdStatus.ACTIVE, note: str = "", head: dict | None = None) -> Household:
    """Register a household (登记住户), optionally with its head in the same transaction."""
    if not permissions.can_change_people(actor):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    unit = _unit_for_people(actor, org_unit, errors)
    address = (address or "").strip()
    if not address:
        errors.add("address", _("请填写住址（精确到门牌号或房号）"))
    phone = _clean_phone(phone, errors)
    if status not in HouseholdStatus.values:
        errors.add("status", _("未知的住户状态：%(s)s") % {"s": status})
    number = (number or "").strip()
    if number and Household.objects.unscoped("household numbers are unique registry-wide").filter(number=number).exists():
        errors.add("number", _("户编号“%(n)s”已存在") % {"n": number})
    head_data = dict(head or {})
    if head_data:
        head_errors = ErrorCollector()
        _validate_resident(head_data, head_errors)
        for field, messages in head_errors.errors.items():
            for m in messages:
                errors.add(f"head.{field}", m)
    errors.raise_if_any()
    with transaction.atomic():
        locked_unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        try:
            with transaction.atomic():  # a savepoint: a clash on the number is reported, not a 500
                household = Household.objects.create(
                    number=number or _next_household_number(locked_unit), org_unit=unit, org_path=unit.path,
                    address=address, phone=phone, phone_rev=reverse(phone), status=status, note=note,
                )
        except IntegrityError:
            raise JicengError(_("户编号“%(n)s”已存在，请换一个编号") % {"n": number or "—"}, field="number",
                              code="duplicate") from None
        audit_log(actor=actor, action="people.household.created", obj=household,
                  after=_household_snapshot(household))
        if head_data:
            head_data.pop("tags", None)
            head_data["relationship"] = Relationship.HEAD
            resident_create(actor=actor, household=household,
                            **{k: v for k, v in head_data.items() if k in RESIDENT_FIELDS})
            household.refresh_from_db()
    return household


def household_update(*, actor, household: Household, **changes) -> Household:
    if not permissions.can_change_path(actor, household.org_path):
        raise NotFoundError()
    unknown = set(changes) - set(HOUSEHOLD_FIELDS) - {"head"}
    if unknown:
        raise JicengError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    errors = ErrorCollector()
    if "address" in changes and not (changes["address"] or "").strip():
        errors.add("address", _("请填写住址（精确到门牌号或房号）"))
    if "phone" in changes:
        changes["phone"] = _clean_phone(changes["phone"], errors)
    if "status" in changes and changes["status"] not in HouseholdStatus.values:
        errors.add("status", _("未知的住户状态：%(s)s") % {"s": changes["status"]})
    if "number" in changes and Household.objects.filter(number=changes["number"]).exclude(pk=household.pk).exists():
        errors.add("number", _("户编号“%(n)s”已存在") % {"n": changes["number"]})
    head = changes.pop("head", None) if "head" in changes else False
    if head not in (False, None) and head.household_id != household.pk:
        errors.add("head", _("户主必须是本户成员"))
    errors.raise_if_any()
    with transaction.atomic():
        locked = Household.objects.unscoped(AUTHORISED).select_for_update().get(pk=household.pk)
        before = _household_snapshot(locked)
        for key, value in changes.items():
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
        locked.phone_rev = reverse(locked.phone)
        if head is not False:
            old_head = locked.head_id
            locked.head = head
            if head is not None:
                Resident.objects.unscoped(AUTHORISED).filter(pk=head.pk).update(relationship=Relationship.HEAD)
            if old_head and (head is None or old_head != head.pk):
                Resident.objects.filter(pk=old_head).update(relationship=Relationship.OTHER)
        locked.save()
        b, a = diff(before, _household_snapshot(locked))
        if a:
            audit_log(actor=actor, action="people.household.updated", obj=locked, before=b, after=a)
    return locked


def household_move(*, actor, household: Household, to_unit: OrgUnit | None, address: str = "") -> Household:
    """Move a household and its members to another grid/building (迁移住户), in one transaction."""
    if not permissions.can_change_path(actor, household.org_path):
        raise NotFoundError()
    errors = ErrorCollector()
    unit = _unit_for_people(actor, to_unit, errors, field="to_unit")
    if unit is not None and unit.pk == household.org_unit_id and not address:
        errors.add("to_unit", _("住户已在“%(u)s”，请选择其他网格或楼栋") % {"u": unit.name})
    errors.raise_if_any()
    with transaction.atomic():
        locked = Household.objects.unscoped(AUTHORISED).select_for_update().get(pk=household.pk)
        before = _household_snapshot(locked)
        locked.org_unit = unit
        locked.org_path = unit.path
        if address:
            locked.address = address.strip()
        locked.save(update_fields=["org_unit", "org_path", "address", "updated_at"])
        member_ids = list(Resident.objects.filter(household=locked).values_list("pk", flat=True))
        Resident.objects.filter(pk__in=member_ids).update(org_unit=unit, org_path=unit.path)
        ResidentTag.objects.filter(resident_id__in=member_ids).update(org_path=unit.path)
        ResidentNameKey.objects.filter(resident_id__in=member_ids).update(org_path=unit.path)
        b, a = diff(before, _household_snapshot(locked))
        audit_log(actor=actor, action="people.household.moved", obj=locked, before=b,
                  after={**a, "members_moved": len(member_ids)})
    return locked


# ----------------------------------------------------------------------------- party members

def party_member_create(*, actor, resident: Resident, branch: OrgUnit, join_date, status: str = PartyMemberStatus.FORMAL,
                        party_post: str = "", linked_households: list[Household] = ()) -> PartyMember:
    """Register a party member (登记党员) in a branch, with the households they serve."""
    errors = ErrorCollector()
    if not permissions.can_change_path(actor, resident.org_path):
        raise NotFoundError(field="resident")
    if not permissions.can_change_path(actor, branch.path):
        errors.add("branch", _("“%(u)s”不在您的管辖范围内") % {"u": branch.name})
    elif not branch.party_org_kind:
        errors.add("branch", _("“%(u)s”没有设立党组织") % {"u": branch.name})
    if status not in PartyMemberStatus.values:
        errors.add("status", _("党员类型应为正式党员或预备党员"))
    if isinstance(join_date, str):
        try:
            join_date = dt.date.fromisoformat(join_date)
        except ValueError:
            errors.add("join_date", _("入党日期“%(d)s”无法识别") % {"d": join_date})
            join_date = None
    if not join_date:
        errors.add("join_date", _("请填写入党日期")) if "join_date" not in errors.errors else None
    elif join_date <= resident.birth_date or join_date > dt.date.today():
        errors.add("join_date", _("入党日期应在出生日期之后、今天之前"))
    if PartyMember.objects.unscoped("one membership per person, registry-wide").filter(resident=resident).exists():
        errors.add("resident", _("%(n)s已登记为党员") % {"n": resident.name})
    for h in linked_households:
        if not permissions.can_change_path(actor, h.org_path):
            errors.add("linked_households", _("住户%(n)s不在您的管辖范围内") % {"n": h.number})
    errors.raise_if_any()
    with transaction.atomic():
        member = PartyMember.objects.create(resident=resident, branch=branch, org_path=branch.path, status=status,
                                            join_date=join_date, party_post=party_post)
        PartyMemberHousehold.objects.bulk_create(
            [PartyMemberHousehold(party_member=member, household=h) for h in linked_households])
        audit_log(actor=actor, action="people.party_member.created", obj=member,
                  after={"resident": resident.pk, "branch": branch.pk, "status": status, "join_date": join_date,
                         "linked_households": [h.pk for h in linked_households]})
    return member


def party_member_update(*, actor, member: PartyMember, **changes) -> PartyMember:
    if not permissions.can_change_path(actor, member.org_path):
        raise NotFoundError()
    allowed = {"status", "join_date", "party_post", "branch", "linked_households"}
    unknown = set(changes) - allowed
    if unknown:
        raise JicengError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    errors = ErrorCollector()
    if "status" in changes and changes["status"] not in PartyMemberStatus.values:
        errors.add("status", _("党员类型应为正式党员或预备党员"))
    branch = changes.get("branch")
    if branch is not None:
        if not permissions.can_change_path(actor, branch.path):
            errors.add("branch", _("“%(u)s”不在您的管辖范围内") % {"u": branch.name})
        elif not branch.party_org_kind:
            errors.add("branch", _("“%(u)s”没有设立党组织") % {"u": branch.name})
    if "join_date" in changes:
        jd = changes["join_date"]
        if not jd or jd <= member.resident.birth_date or jd > dt.date.today():
            errors.add("join_date", _("入党日期应在出生日期之后、今天之前"))
    households = changes.pop("linked_households", None)
    for h in households or []:
        if not permissions.can_change_path(actor, h.org_path):
            errors.add("linked_households", _("住户%(n)s不在您的管辖范围内") % {"n": h.number})
    errors.raise_if_any()
    with transaction.atomic():
        locked = PartyMember.objects.unscoped(AUTHORISED).select_for_update().get(pk=member.pk)
        before = {"status": locked.status, "join_date": locked.join_date, "party_post": locked.party_post,
                  "branch": locked.branch_id,
                  "linked_households": sorted(locked.linked_households.values_list("pk", flat=True))}
        for key, value in changes.items():
            setattr(locked, key, value)
        if branch is not None:
            locked.org_path = branch.path
        locked.save()
        if households is not None:
            wanted = {h.pk for h in households}
            PartyMemberHousehold.objects.filter(party_member=locked).exclude(household_id__in=wanted).delete()
            have = set(PartyMemberHousehold.objects.filter(party_member=locked).values_list("household_id", flat=True))
            PartyMemberHousehold.objects.bulk_create(
                [PartyMemberHousehold(party_member=locked, household_id=pk) for pk in sorted(wanted - have)])
        after = {"status": locked.status, "join_date": locked.join_date, "party_post": locked.party_post,
                 "branch": locked.branch_id,
                 "linked_households": sorted(locked.linked_households.values_list("pk", flat=True))}
        b, a = diff(before, after)
        if a:
            audit_log(actor=actor, action="people.party_member.updated", obj=locked, before=b, after=a)
    return locked


# ----------------------------------------------------------------------------- partner units

def partner_unit_create(*, actor, name: str, kind: str, communities: list[OrgUnit], party_org_name: str = "",
                        contact_name: str = "", contact_phone: str = "", address: str = "",
                        commitments: str = "") -> PartnerUnit:
    """Register a partner unit (共驻共建单位) and pair it with communities."""
    if not permissions.can_change_people(actor):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("请填写单位名称"))
    elif PartnerUnit.objects.filter(name=name).exists():
        errors.add("name", _("单位“%(n)s”已登记") % {"n": name})
    if kind not in PartnerUnitKind.values:
        errors.add("kind", _("请选择单位类型"))
    if not communities:
        errors.add("communities", _("请至少选择一个结对社区或村"))
    for c in communities:
        if not permissions.can_change_path(actor, c.path):
            errors.add("communities", _("“%(u)s”不在您的管辖范围内") % {"u": c.name})
    contact_phone = _clean_phone(contact_phone, errors, "contact_phone")
    errors.raise_if_any()
    with transaction.atomic():
        unit = PartnerUnit.objects.create(name=name, kind=kind, party_org_name=party_org_name,
                                          contact_name=contact_name, contact_phone=contact_phone, address=address)
        for c in communities:
            PartnerPairing.objects.create(partner=unit, org_unit=c, since=dt.date.today(), commitments=commitments)
        audit_log(actor=actor, action="people.partner_unit.created", obj=unit, org_path=communities[0].path,
                  after={"name": name, "kind": kind, "communities": [c.code for c in communities]})
    return unit
