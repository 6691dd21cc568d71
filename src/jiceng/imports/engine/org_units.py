"""Org units (组织架构): the whole sheet is checked, parents resolved (in the database or in the file,
in dependency order), then new units are created and changed ones updated."""
from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.orgs.models import DIVISION_CODE_KINDS, SEGMENT_WIDTH, OrgUnit, OrgUnitKind, PartyOrgKind

from ..parsers import ParseError, parse_choice
from ..spec import SPECS
from .base import Importer


class OrgUnitImporter(Importer):
    spec = SPECS["org_units"]

    def validate(self):
        rows = self.sheet.rows
        first = self.sheet.first_row_number
        kinds = [(v, str(l)) for v, l in OrgUnitKind.choices] + [("unit_floor", "单元"), ("unit_floor", "楼层")]
        self.plan = []
        seen: dict[str, int] = {}
        codes = [self.cell(r, "code") for r in rows] + [self.cell(r, "parent_code") for r in rows]
        existing = self.units_by_code([c for c in codes if c])
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            code = self.text(n, row, "code", required=True, max_length=32)
            parent_code = self.text(n, row, "parent_code", required=True, max_length=32)
            name = self.text(n, row, "name", required=True, max_length=100)
            kind_text = self.cell(row, "kind")
            try:
                kind = parse_choice(kind_text, kinds, field_label=_("类型"))
                if not kind:
                    self.error(n, "kind", kind_text, _("必填，不能为空"))
            except ParseError as exc:
                kind = ""
                self.error(n, "kind", kind_text, str(exc))
            pk_text = self.cell(row, "party_org_kind")
            try:
                party_kind = parse_choice(pk_text, PartyOrgKind.choices, field_label=_("党组织类型"))
            except ParseError as exc:
                party_kind = ""
                self.error(n, "party_org_kind", pk_text, str(exc))
            party_name = self.text(n, row, "party_org_name", max_length=100)
            if code and kind in DIVISION_CODE_KINDS and not (len(code) == 12 and code.isdigit()):
                self.error(n, "code", code, _("%(k)s的编码应为12位统计用区划代码") % {"k": OrgUnitKind(kind).label})
            if code in seen:
                self.error(n, "code", code, _("与第%(r)d行的编码重复") % {"r": seen[code]})
            elif code:
                seen[code] = n
            self.plan.append({"row": n, "code": code, "parent_code": parent_code, "name": name, "kind": kind,
                              "party_org_kind": party_kind, "party_org_name": party_name})
        # Parents: in the database (and in scope) or earlier/later in this file.
        in_file = {p["code"]: p for p in self.plan}
        for p in self.plan:
            parent = existing.get(p["parent_code"])
            if p["parent_code"] and parent is None and p["parent_code"] not in in_file:
                self.error(p["row"], "parent_code", p["parent_code"], _("上级单元不存在"))
            elif parent is not None and not self.may_write_under(parent, "org"):
                self.error(p["row"], "parent_code", p["parent_code"], _("上级单元不在您的管辖范围内"))
            mine = existing.get(p["code"])
            if mine is not None:
                if not self.may_write_under(mine, "org"):
                    self.error(p["row"], "code", p["code"], _("该编码的单元已存在且不在您的管辖范围内"))
                elif mine.parent is not None and mine.parent.code != p["parent_code"]:
                    self.error(p["row"], "parent_code", p["parent_code"],
                               _("单元已登记在“%(p)s”下，导入不能移动单元") % {"p": mine.parent.name})
            p["existing"] = mine
        # Cycles / order: resolve parents in file order of dependency.
        self.order = []
        placed = {c for c in existing}
        pending = [p for p in self.plan if p["existing"] is None]
        while pending:
            ready = [p for p in pending if p["parent_code"] in placed]
            if not ready:
                for p in pending:
                    if p["parent_code"] in in_file:
                        self.error(p["row"], "parent_code", p["parent_code"], _("上级单元形成循环或无法确定"))
                break
            for p in ready:
                placed.add(p["code"])
                self.order.append(p)
            pending = [p for p in pending if p["code"] not in placed]
        self.existing = existing
        self.result.created = sum(1 for p in self.plan if p["existing"] is None)
        changed = [p for p in self.plan if p["existing"] is not None and self._changes(p)]
        self.result.updated = len(changed)
        self.result.unchanged = len(self.plan) - self.result.created - self.result.updated

    @staticmethod
    def _changes(p) -> dict:
        u = p["existing"]
        want = {"name": p["name"], "kind": p["kind"], "party_org_kind": p["party_org_kind"],
                "party_org_name": p["party_org_name"]}
        return {k: v for k, v in want.items() if getattr(u, k) != v}

    def apply(self):
        by_code = dict(self.existing)
        for p in self.order:
            parent = OrgUnit.objects.select_for_update().get(code=p["parent_code"])
            seq = parent.next_child
            OrgUnit.objects.filter(pk=parent.pk).update(next_child=seq + 1)
            unit = OrgUnit.objects.create(parent=parent, path=parent.path + f"{seq:0{SEGMENT_WIDTH}d}.",
                                          depth=parent.depth + 1, kind=p["kind"], name=p["name"], code=p["code"],
                                          party_org_kind=p["party_org_kind"], party_org_name=p["party_org_name"])
            by_code[p["code"]] = unit
        for p in self.plan:
            if p["existing"] is not None:
                changes = self._changes(p)
                if changes:
                    before = {k: getattr(p["existing"], k) for k in changes}
                    OrgUnit.objects.filter(pk=p["existing"].pk).update(**changes)
                    audit_log(actor=self.actor, action="orgs.unit.updated", obj=p["existing"], before=before,
                              after=changes)


