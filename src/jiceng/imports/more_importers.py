"""Importers for party members, cadres and partner units (same engine, same guarantees)."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.scope import IMPORT_MATCH
from jiceng.people.idnumber import normalise
from jiceng.people.models import (
    Cadre, CadreKind, Gender, Household, PartnerPairing, PartnerUnit, PartnerUnitKind, PartyMember,
    PartyMemberHousehold, PartyMemberStatus, Resident,
)
from jiceng.people.services import PHONE_RE

from .engine import Importer
from .parsers import ParseError, parse_bool, parse_choice, parse_date, split_list
from .spec import SPECS


def _phone(self, n, row, key):
    phone = self.text(n, row, key, max_length=20).replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE_RE.match(phone):
        self.error(n, key, phone, _("联系电话格式不正确：应为11位手机号或带区号的固定电话"))
    return phone


class PartyMemberImporter(Importer):
    spec = SPECS["party_members"]

    def validate(self):
        rows, first = self.sheet.rows, self.sheet.first_row_number
        ids = [normalise(self.cell(r, "id_number")) for r in rows]
        residents = {r.id_number: r for r in Resident.objects.unscoped(IMPORT_MATCH).filter(id_number__in=ids)}
        members = {m.resident_id: m for m in PartyMember.objects.filter(resident__id_number__in=ids)
                   .prefetch_related("linked_households")}
        units = self.units_by_code(self.cell(r, "branch_code") for r in rows)
        numbers = {x for r in rows for x in split_list(self.cell(r, "linked_households"))}
        households = {h.number: h for h in Household.objects.unscoped(IMPORT_MATCH).filter(number__in=list(numbers))}
        seen = {}
        self.plan = []
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            raw = self.text(n, row, "id_number", required=True, max_length=24)
            number = normalise(raw)
            resident = residents.get(number)
            if raw and resident is None:
                self.error(n, "id_number", raw, _("没有登记这个身份证号的居民，请先导入居民"))
            elif resident is not None and not self._writable(resident.org_path):
                self.error(n, "id_number", raw, _("该居民不在您的管辖范围内"))
                resident = None
            name = self.cell(row, "name")
            if resident is not None and name and name not in (resident.name, resident.name_search):
                self.error(n, "name", name, _("姓名与身份证号登记的“%(n)s”不一致") % {"n": resident.name})
            if number in seen:
                self.error(n, "id_number", raw, _("与第%(r)d行重复") % {"r": seen[number]})
            elif number:
                seen[number] = n
            code = self.text(n, row, "branch_code", required=True, max_length=32)
            branch = self.unit_in_scope(n, "branch_code", code, units, party=True)
            try:
                status = parse_choice(self.cell(row, "status"), PartyMemberStatus.choices,
                                      field_label=_("党员类型")) or PartyMemberStatus.FORMAL
            except ParseError as exc:
                status = PartyMemberStatus.FORMAL
                self.error(n, "status", self.cell(row, "status"), str(exc))
            join_text = self.cell(row, "join_date")
            join = None
            try:
                join = parse_date(join_text)
                if join is None:
                    self.error(n, "join_date", join_text, _("必填，不能为空"))
                elif resident is not None and (join <= resident.birth_date or join > dt.date.today()):
                    self.error(n, "join_date", join_text, _("入党日期应在出生日期之后、今天之前"))
            except ParseError as exc:
                self.error(n, "join_date", join_text, str(exc))
            post = self.text(n, row, "party_post", max_length=50)
            linked = []
            for hn in split_list(self.cell(row, "linked_households")):
                h = households.get(hn)
                if h is None:
                    self.error(n, "linked_households", hn, _("户编号不存在"))
                elif not self._writable(h.org_path):
                    self.error(n, "linked_households", hn, _("该户不在您的管辖范围内"))
                else:
                    linked.append(h)
            self.plan.append({"row": n, "resident": resident, "branch": branch, "status": status, "join": join,
                              "post": post, "linked": linked,
                              "existing": members.get(resident.pk) if resident is not None else None})
        if not self.errors:
            self.result.created = sum(1 for p in self.plan if p["existing"] is None)
            self.result.updated = sum(1 for p in self.plan if p["existing"] is not None and self._changes(p))
            self.result.unchanged = len(self.plan) - self.result.created - self.result.updated

    def _writable(self, path):
        from jiceng.accounts import permissions

        if self.root is not None and not path.startswith(self.root.path):
            return False
        return permissions.can_change_path(self.actor, path)

    @staticmethod
    def _changes(p):
        m = p["existing"]
        want = {"branch_id": p["branch"].pk, "org_path": p["branch"].path, "status": p["status"],
                "join_date": p["join"], "party_post": p["post"]}
        changes = {k: v for k, v in want.items() if getattr(m, k) != v}
        linked = sorted(h.pk for h in p["linked"])
        if linked != sorted(h.pk for h in m.linked_households.all()):
            changes["linked_households"] = linked
        return changes

    def apply(self):
        for p in self.plan:
            if p["existing"] is None:
                m = PartyMember.objects.create(resident=p["resident"], branch=p["branch"], org_path=p["branch"].path,
                                               status=p["status"], join_date=p["join"], party_post=p["post"])
                PartyMemberHousehold.objects.bulk_create(
                    [PartyMemberHousehold(party_member=m, household=h) for h in p["linked"]], ignore_conflicts=True)
                continue
            changes = self._changes(p)
            if not changes:
                continue
            m = p["existing"]
            before = {k: getattr(m, k) for k in changes if k != "linked_households"}
            if "linked_households" in changes:
                before["linked_households"] = sorted(h.pk for h in m.linked_households.all())
                PartyMemberHousehold.objects.filter(party_member=m).delete()
                PartyMemberHousehold.objects.bulk_create(
                    [PartyMemberHousehold(party_member=m, household=h) for h in p["linked"]])
            fields = {k: v for k, v in changes.items() if k != "linked_households"}
            if fields:
                PartyMember.objects.filter(pk=m.pk).update(**fields)
            audit_log(actor=self.actor, action="people.party_member.updated", obj=m, before=before, after=changes)


class CadreImporter(Importer):
    spec = SPECS["cadres"]

    def validate(self):
        rows, first = self.sheet.rows, self.sheet.first_row_number
        units = self.units_by_code(self.cell(r, "unit_code") for r in rows)
        self.plan = []
        seen = {}
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            name = self.text(n, row, "name", required=True, max_length=50)
            gender_text = self.cell(row, "gender")
            gender = {"男": Gender.MALE, "女": Gender.FEMALE}.get(gender_text)
            if gender is None:
                self.error(n, "gender", gender_text, _("性别应填写“男”或“女”"))
            phone = _phone(self, n, row, "phone")
            try:
                kind = parse_choice(self.cell(row, "kind"), CadreKind.choices, field_label=_("类别")) or CadreKind.CADRE
            except ParseError as exc:
                kind = CadreKind.CADRE
                self.error(n, "kind", self.cell(row, "kind"), str(exc))
            post = self.text(n, row, "post", required=True, max_length=50)
            code = self.text(n, row, "unit_code", required=True, max_length=32)
            unit = self.unit_in_scope(n, "unit_code", code, units)
            flags = {}
            for key in ("is_reserve", "is_village_stationed"):
                try:
                    flags[key] = parse_bool(self.cell(row, key))
                except ParseError as exc:
                    flags[key] = False
                    self.error(n, key, self.cell(row, key), str(exc))
            ident = (name, code, post)
            if ident in seen:
                self.error(n, "name", name, _("与第%(r)d行是同一人同一职务") % {"r": seen[ident]})
            else:
                seen[ident] = n
            existing = Cadre.objects.filter(name=name, org_unit=unit, post=post).first() if unit else None
            self.plan.append({"row": n, "name": name, "gender": gender, "phone": phone, "kind": kind, "post": post,
                              "unit": unit, **flags, "existing": existing})
        if not self.errors:
            self.result.created = sum(1 for p in self.plan if p["existing"] is None)
            self.result.updated = sum(1 for p in self.plan if p["existing"] is not None and self._changes(p))
            self.result.unchanged = len(self.plan) - self.result.created - self.result.updated

    @staticmethod
    def _changes(p):
        c = p["existing"]
        want = {k: p[k] for k in ("gender", "phone", "kind", "is_reserve", "is_village_stationed")}
        return {k: v for k, v in want.items() if getattr(c, k) != v}

    def apply(self):
        Cadre.objects.bulk_create([
            Cadre(name=p["name"], gender=p["gender"], phone=p["phone"], kind=p["kind"], post=p["post"],
                  org_unit=p["unit"], org_path=p["unit"].path, is_reserve=p["is_reserve"],
                  is_village_stationed=p["is_village_stationed"]) for p in self.plan if p["existing"] is None])
        for p in self.plan:
            if p["existing"] is not None:
                changes = self._changes(p)
                if changes:
                    before = {k: getattr(p["existing"], k) for k in changes}
                    Cadre.objects.filter(pk=p["existing"].pk).update(**changes)
                    audit_log(actor=self.actor, action="people.cadre.updated", obj=p["existing"], before=before,
                              after=changes)


class PartnerUnitImporter(Importer):
    spec = SPECS["partner_units"]

    def validate(self):
        rows, first = self.sheet.rows, self.sheet.first_row_number
        names = [self.cell(r, "name") for r in rows]
        existing = {p.name: p for p in PartnerUnit.objects.filter(name__in=names).prefetch_related("pairings")}
        codes = {c for r in rows for c in split_list(self.cell(r, "communities"))}
        units = self.units_by_code(codes)
        seen = {}
        self.plan = []
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            name = self.text(n, row, "name", required=True, max_length=100)
            if name in seen:
                self.error(n, "name", name, _("与第%(r)d行的单位重复") % {"r": seen[name]})
            elif name:
                seen[name] = n
            try:
                kind = parse_choice(self.cell(row, "kind"), PartnerUnitKind.choices, field_label=_("单位类型"))
                if not kind:
                    self.error(n, "kind", "", _("必填，不能为空"))
            except ParseError as exc:
                kind = ""
                self.error(n, "kind", self.cell(row, "kind"), str(exc))
            communities = []
            codes_here = split_list(self.cell(row, "communities"))
            if not codes_here:
                self.error(n, "communities", "", _("必填，不能为空"))
            for code in codes_here:
                u = self.unit_in_scope(n, "communities", code, units)
                if u is not None:
                    communities.append(u)
            old = existing.get(name)
            if old is not None and not self.may_touch(old):
                self.error(n, "name", name, _("该单位已由其他辖区登记"))
            self.plan.append({
                "row": n, "name": name, "kind": kind, "party_org_name": self.text(n, row, "party_org_name", max_length=100),
                "contact_name": self.text(n, row, "contact_name", max_length=50),
                "contact_phone": _phone(self, n, row, "contact_phone"),
                "address": self.text(n, row, "address"), "commitments": self.text(n, row, "commitments", max_length=2000),
                "communities": communities, "existing": old})
        if not self.errors:
            self.result.created = sum(1 for p in self.plan if p["existing"] is None)
            self.result.updated = sum(1 for p in self.plan if p["existing"] is not None and self._changes(p))
            self.result.unchanged = len(self.plan) - self.result.created - self.result.updated

    def may_touch(self, partner: PartnerUnit) -> bool:
        return any(self.may_write_under(pp.org_unit) for pp in partner.pairings.all())

    @staticmethod
    def _changes(p):
        u = p["existing"]
        want = {k: p[k] for k in ("kind", "party_org_name", "contact_name", "contact_phone", "address")}
        changes = {k: v for k, v in want.items() if getattr(u, k) != v}
        have = sorted(pp.org_unit_id for pp in u.pairings.all())
        if sorted({c.pk for c in p["communities"]}) != have:
            changes["communities"] = sorted({c.pk for c in p["communities"]})
        return changes

    def apply(self):
        for p in self.plan:
            fields = {k: p[k] for k in ("kind", "party_org_name", "contact_name", "contact_phone", "address")}
            if p["existing"] is None:
                unit = PartnerUnit.objects.create(name=p["name"], **fields)
                PartnerPairing.objects.bulk_create([PartnerPairing(partner=unit, org_unit=c, commitments=p["commitments"],
                                                                   since=dt.date.today())
                                                    for c in {c.pk: c for c in p["communities"]}.values()])
                continue
            changes = self._changes(p)
            if not changes:
                continue
            u = p["existing"]
            before = {k: getattr(u, k) for k in changes if k != "communities"}
            PartnerUnit.objects.filter(pk=u.pk).update(**{k: v for k, v in changes.items() if k != "communities"})
            if "communities" in changes:
                before["communities"] = sorted(pp.org_unit_id for pp in u.pairings.all())
                keep = set(changes["communities"])
                PartnerPairing.objects.filter(partner=u).exclude(org_unit_id__in=keep).delete()
                have = set(PartnerPairing.objects.filter(partner=u).values_list("org_unit_id", flat=True))
                PartnerPairing.objects.bulk_create([PartnerPairing(partner=u, org_unit_id=c, commitments=p["commitments"],
                                                                   since=dt.date.today()) for c in keep - have])
            audit_log(actor=self.actor, action="people.partner_unit.updated", obj=u, before=before, after=changes)
