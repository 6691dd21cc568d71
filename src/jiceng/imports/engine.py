"""The import engine: read every row, check everything, and only then write, all in one
transaction. One bad row rejects the file and the user gets every error at once."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.orgs.models import DIVISION_CODE_KINDS, HOUSEHOLD_KINDS, SEGMENT_WIDTH, OrgUnit, OrgUnitKind, PartyOrgKind
from jiceng.people.idnumber import check_id_number
from jiceng.people.models import (
    Household, HouseholdStatus, Relationship, Resident, ResidentNameKey, ResidentStatus, ResidentTag,
    SpecialGroup,
)
from jiceng.people.search import name_keys, reverse, to_simplified
from jiceng.people.services import NAME_RE, PHONE_RE

from .parsers import ParseError, looks_like_formula, parse_choice, parse_date, split_list
from .readers import Sheet
from .spec import SPECS, KindSpec, normalise_header

RELATIONSHIP_WORDS = {
    "本人": "head", "户主": "head", "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse", "配偶": "spouse",
    "子": "child", "女": "child", "儿子": "child", "女儿": "child", "长子": "child", "次子": "child", "三子": "child",
    "长女": "child", "次女": "child", "三女": "child", "独生子": "child", "独生女": "child", "子女": "child",
    "父亲": "parent", "母亲": "parent", "父": "parent", "母": "parent", "父母": "parent",
    "公公": "parent", "婆婆": "parent", "岳父": "parent", "岳母": "parent",
    "祖父": "grandparent", "祖母": "grandparent", "外祖父": "grandparent", "外祖母": "grandparent",
    "孙子": "grandchild", "孙女": "grandchild", "外孙子": "grandchild", "外孙女": "grandchild", "外孙": "grandchild",
    "兄": "sibling", "弟": "sibling", "姐": "sibling", "妹": "sibling", "哥哥": "sibling", "弟弟": "sibling",
    "姐姐": "sibling", "妹妹": "sibling", "兄弟姐妹": "sibling",
    "儿媳": "child_in_law", "女婿": "child_in_law", "其他": "other",
}


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    applied: bool = False
    sha256: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"kind": self.kind, "dry_run": self.dry_run, "total": self.total, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "applied": self.applied, "ok": self.ok,
                "errors": [e.as_dict() for e in self.errors], "warnings": [w.as_dict() for w in self.warnings],
                **self.extra}


class Cancelled(Exception):
    pass


class Importer:
    spec: KindSpec

    def __init__(self, *, actor, sheet: Sheet, root: OrgUnit | None = None, simplify: bool = False,
                 progress=None, should_cancel=None):
        self.actor = actor
        self.sheet = sheet
        self.root = root
        self.simplify = simplify
        self.progress = progress or (lambda done, total: None)
        self.should_cancel = should_cancel or (lambda: False)
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.result = ImportResult(kind=self.spec.kind, dry_run=True, total=len(sheet.rows))
        self.index: dict[str, int] = {}

    # -------------------------------------------------------------- headers and cells
    def map_headers(self) -> None:
        known = self.spec.header_map()
        for i, h in enumerate(self.sheet.headers):
            key = known.get(normalise_header(h))
            if key and key not in self.index:
                self.index[key] = i
        for col in self.spec.columns:
            if col.required and col.key not in self.index:
                self.errors.append(RowError(self.sheet.first_row_number - 1, col.header, "",
                                            _("缺少必填列“%(h)s”（请用模板中的表头）") % {"h": col.header}))

    def header_of(self, key: str) -> str:
        i = self.index.get(key)
        if i is not None:
            return self.sheet.headers[i]
        return next(c.header for c in self.spec.columns if c.key == key)

    def cell(self, row: list[str], key: str) -> str:
        i = self.index.get(key)
        value = row[i].strip() if i is not None else ""
        return value

    def error(self, rownum: int, key: str, value: str, reason: str) -> None:
        self.errors.append(RowError(rownum, self.header_of(key), value, reason))

    def text(self, rownum, row, key, *, required=False, max_length=255) -> str:
        value = self.cell(row, key)
        if required and not value:
            self.error(rownum, key, value, _("必填，不能为空"))
        elif looks_like_formula(value):
            self.error(rownum, key, value, _("内容以 =、+、-、@ 开头，像是电子表格公式，已拒绝"))
        elif len(value) > max_length:
            self.error(rownum, key, value[:40] + "…", _("超过%(n)d个字") % {"n": max_length})
        elif "\x00" in value:
            self.error(rownum, key, "", _("含有不可见的控制字符"))
        elif self.simplify:
            value = to_simplified(value)
        return value

    # -------------------------------------------------------------- scope helpers
    def units_by_code(self, codes) -> dict[str, OrgUnit]:
        codes = list(set(codes))
        found: dict[str, OrgUnit] = {}
        for i in range(0, len(codes), 5000):
            for u in OrgUnit.objects.filter(code__in=codes[i:i + 5000]):
                found[u.code] = u
        return found

    def may_write_under(self, unit: OrgUnit, purpose: str = "change") -> bool:
        if self.root is not None and not unit.path.startswith(self.root.path):
            return False
        if purpose == "org":
            return permissions.can_change_org_unit(self.actor, unit)
        return permissions.can_change_path(self.actor, unit.path)

    def unit_in_scope(self, n: int, key: str, code: str, units: dict, *, for_people: bool = False,
                      party: bool = False) -> OrgUnit | None:
        """The unit a row names, or None after recording why it cannot be used."""
        if not code:
            return None
        unit = units.get(code)
        if unit is None:
            self.error(n, key, code, _("单元编码不存在"))
        elif not self.may_write_under(unit):
            self.error(n, key, code, _("单元“%(u)s”不在您的管辖范围内") % {"u": unit.name})
        elif for_people and unit.kind not in HOUSEHOLD_KINDS:
            self.error(n, key, code, _("“%(u)s”是%(k)s，住户和居民只能登记在网格、小区、楼栋、楼层、村或村民小组")
                       % {"u": unit.name, "k": OrgUnitKind(unit.kind).label})
        elif party and not unit.party_org_kind:
            self.error(n, key, code, _("“%(u)s”没有设立党组织") % {"u": unit.name})
        else:
            return unit
        return None

    # -------------------------------------------------------------- driver
    def run(self, *, dry_run: bool) -> ImportResult:
        self.result.dry_run = dry_run
        self.map_headers()
        if not self.errors:
            self.validate()
        self.result.errors = self.errors
        self.result.warnings = self.warnings
        if self.errors or dry_run:
            return self.result
        with transaction.atomic():
            self.apply()
            audit_log(actor=self.actor, action=f"imports.{self.spec.kind}.imported", object_type=f"imports.{self.spec.kind}",
                      object_repr=_("导入%(k)s %(n)d 行") % {"k": self.spec.label, "n": self.result.total},
                      org_path=self.root.path if self.root else "",
                      after={"rows": self.result.total, "created": self.result.created, "updated": self.result.updated,
                             "unchanged": self.result.unchanged, "sha256": self.result.sha256, **self.result.extra})
        self.result.applied = True
        return self.result

    def tick(self, i: int) -> None:
        if i % 2000 == 0:
            if self.should_cancel():
                raise Cancelled()
            self.progress(i, self.result.total)

    def validate(self) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        raise NotImplementedError


# ============================================================================ org units

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


# ============================================================================ households and residents

def _status(text, choices, label, default):
    return parse_choice(text, choices, field_label=label) or default


class HouseholdImporter(Importer):
    spec = SPECS["households"]

    def validate(self):
        rows = self.sheet.rows
        first = self.sheet.first_row_number
        units = self.units_by_code(self.cell(r, "unit_code") for r in rows)
        numbers = [self.cell(r, "number") for r in rows]
        existing = {h.number: h for h in Household.objects.filter(number__in=[n for n in numbers if n])}
        seen: dict[str, int] = {}
        self.plan = []
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            number = self.text(n, row, "number", required=True, max_length=32)
            code = self.text(n, row, "unit_code", required=True, max_length=32)
            address = self.text(n, row, "address", required=True)
            phone = self.text(n, row, "phone", max_length=20).replace(" ", "").replace("-", "")
            if phone and not PHONE_RE.match(phone):
                self.error(n, "phone", phone, _("联系电话格式不正确：应为11位手机号或带区号的固定电话"))
            try:
                status = _status(self.cell(row, "status"), HouseholdStatus.choices, _("状态"), HouseholdStatus.ACTIVE)
            except ParseError as exc:
                status = ""
                self.error(n, "status", self.cell(row, "status"), str(exc))
            unit = self.unit_in_scope(n, "unit_code", code, units, for_people=True)
            if number in seen:
                self.error(n, "number", number, _("与第%(r)d行的户编号重复") % {"r": seen[number]})
            elif number:
                seen[number] = n
            old = existing.get(number)
            if old is not None and not self.may_write_under_path(old.org_path):
                self.error(n, "number", number, _("该户编号已在其他辖区登记"))
            self.plan.append({"row": n, "number": number, "unit": unit, "address": address, "phone": phone,
                              "status": status, "existing": old})
        self._count()

    def may_write_under_path(self, path: str) -> bool:
        if self.root is not None and not path.startswith(self.root.path):
            return False
        return permissions.can_change_path(self.actor, path)

    @staticmethod
    def _changes(p) -> dict:
        h = p["existing"]
        want = {"org_unit_id": p["unit"].pk, "org_path": p["unit"].path, "address": p["address"], "phone": p["phone"],
                "status": p["status"]}
        return {k: v for k, v in want.items() if getattr(h, k) != v}

    def _count(self):
        if self.errors:
            return
        self.result.created = sum(1 for p in self.plan if p["existing"] is None)
        self.result.updated = sum(1 for p in self.plan if p["existing"] is not None and self._changes(p))
        self.result.unchanged = len(self.plan) - self.result.created - self.result.updated

    def apply(self):
        new = [Household(number=p["number"], org_unit=p["unit"], org_path=p["unit"].path, address=p["address"],
                         phone=p["phone"], phone_rev=reverse(p["phone"]), status=p["status"])
               for p in self.plan if p["existing"] is None]
        Household.objects.bulk_create(new, batch_size=5000)
        updated = []
        for p in self.plan:
            if p["existing"] is None:
                continue
            changes = self._changes(p)
            if not changes:
                continue
            h = p["existing"]
            before = {k: getattr(h, k) for k in changes}
            for k, v in changes.items():
                setattr(h, k, v)
            h.phone_rev = reverse(h.phone)
            updated.append(h)
            audit_log(actor=self.actor, action="people.household.updated", obj=h, before=before, after=changes)
        Household.objects.bulk_update(updated, ["org_unit", "org_path", "address", "phone", "phone_rev", "status"],
                                      batch_size=5000)
        moved = [h.pk for h in updated]
        if moved:
            for h in updated:
                Resident.objects.filter(household=h).update(org_unit=h.org_unit, org_path=h.org_path)
                ResidentTag.objects.filter(resident__household=h).update(org_path=h.org_path)
                ResidentNameKey.objects.filter(resident__household=h).update(org_path=h.org_path)


RESIDENT_UPDATE_FIELDS = ["name", "name_search", "gender", "birth_date", "phone", "phone_rev", "ethnicity",
                          "registered_address", "actual_address", "status", "relationship", "household",
                          "org_unit", "org_path"]


class ResidentImporter(Importer):
    spec = SPECS["residents"]

    def validate(self):
        rows = self.sheet.rows
        first = self.sheet.first_row_number
        units = self.units_by_code(self.cell(r, "unit_code") for r in rows if self.cell(r, "unit_code"))
        hh_numbers = {self.cell(r, "household_number") for r in rows} - {""}
        households = {}
        hh_list = list(hh_numbers)
        for i in range(0, len(hh_list), 5000):
            for h in Household.objects.filter(number__in=hh_list[i:i + 5000]):
                households[h.number] = h
        ids = []
        for r in rows:
            try:
                ids.append(check_id_number(self.cell(r, "id_number")).number)
            except Exception:
                pass
        existing: dict[str, Resident] = {}
        for i in range(0, len(ids), 5000):
            for r in Resident.objects.filter(id_number__in=ids[i:i + 5000]).prefetch_related("tags"):
                existing[r.id_number] = r
        heads_in_db = {}
        for i in range(0, len(hh_list), 5000):  # chunked: SQLite limits the variables of one statement
            heads_in_db.update(Household.objects.filter(number__in=hh_list[i:i + 5000], head__isnull=False)
                               .values_list("number", "head__id_number"))
        tag_choices = list(SpecialGroup.choices)
        rel_choices = list(Relationship.choices)
        seen: dict[str, int] = {}
        heads_in_file: dict[str, int] = {}
        new_households: dict[str, dict] = {}
        self.plan = []
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            name = self.text(n, row, "name", required=True, max_length=50)
            if name and not self.errors_for(n, "name") and not NAME_RE.match(name):
                self.error(n, "name", name, _("姓名只能包含汉字、字母、空格或间隔号“·”"))
            raw_id = self.cell(row, "id_number")
            gender_text = self.cell(row, "gender")
            gender = None
            if gender_text:
                gender = {"男": "M", "女": "F", "m": "M", "f": "F"}.get(gender_text.lower())
                if gender is None:
                    self.error(n, "gender", gender_text, _("性别应填写“男”或“女”"))
            birth_text = self.cell(row, "birth_date")
            birth = None
            try:
                birth = parse_date(birth_text)
            except ParseError as exc:
                self.error(n, "birth_date", birth_text, str(exc))
            check = None
            if not raw_id:
                self.error(n, "id_number", raw_id, _("必填，不能为空"))
            else:
                check = check_id_number(raw_id, birth_date=birth, gender=gender)
                for message in check.errors:
                    key = "birth_date" if ("出生日期" in message and "不一致" in message) else (
                        "gender" if "性别" in message else "id_number")
                    self.error(n, key, {"birth_date": birth_text, "gender": gender_text}.get(key, raw_id), message)
                for message in check.warnings:
                    self.warnings.append(RowError(n, self.header_of("id_number"), raw_id, message))
            number = check.number if check else ""
            if check and check.ok:
                if number in seen:
                    self.error(n, "id_number", raw_id, _("与第%(r)d行的身份证号重复") % {"r": seen[number]})
                else:
                    seen[number] = n
            old = existing.get(number)
            if old is not None and not self._writable(old.org_path):
                self.error(n, "id_number", raw_id, _("该身份证号已在其他辖区登记，不能重复登记"))
                old = None
            phone = self.text(n, row, "phone", max_length=20).replace(" ", "").replace("-", "")
            if phone.startswith("+86"):
                phone = phone[3:]
            if phone and not PHONE_RE.match(phone):
                self.error(n, "phone", phone, _("联系电话格式不正确：应为11位手机号或带区号的固定电话"))
            ethnicity = self.text(n, row, "ethnicity", max_length=20) or "汉族"
            rel_text = self.cell(row, "relationship")
            relationship = RELATIONSHIP_WORDS.get(rel_text, "")
            if rel_text and not relationship:
                try:
                    relationship = parse_choice(rel_text, rel_choices, field_label=_("与户主关系"))
                except ParseError as exc:
                    self.error(n, "relationship", rel_text, str(exc))
            try:
                status = _status(self.cell(row, "status"), ResidentStatus.choices, _("居住状态"), ResidentStatus.LIVING)
            except ParseError as exc:
                status = ResidentStatus.LIVING
                self.error(n, "status", self.cell(row, "status"), str(exc))
            tags = []
            for t in split_list(self.cell(row, "tags")):
                try:
                    tags.append(parse_choice(t, tag_choices, field_label=_("特殊群体")))
                except ParseError as exc:
                    self.error(n, "tags", t, str(exc))
            registered = self.text(n, row, "registered_address")
            actual = self.text(n, row, "actual_address")
            # Where the resident lives: their household, or a unit.
            hh_number = self.text(n, row, "household_number", max_length=32)
            code = self.cell(row, "unit_code")
            unit = self.unit_in_scope(n, "unit_code", code, units, for_people=True)
            household = households.get(hh_number) if hh_number else None
            if hh_number and household is None:
                if unit is None and not code:
                    self.error(n, "household_number", hh_number, _("户编号不存在；新户请同时填写“所在单元编码”"))
                elif unit is not None:
                    nh = new_households.setdefault(hh_number, {"unit": unit, "address": actual or registered, "row": n})
                    if nh["unit"].pk != unit.pk:
                        self.error(n, "unit_code", code, _("同一户（第%(r)d行）的所在单元不一致") % {"r": nh["row"]})
            elif household is not None and not self._writable(household.org_path):
                self.error(n, "household_number", hh_number, _("该户不在您的管辖范围内"))
                household = None
            if not hh_number and not code and old is None:
                self.error(n, "unit_code", "", _("请填写“户编号”或“所在单元编码”"))
            if relationship == Relationship.HEAD and hh_number:
                if hh_number in heads_in_file:
                    self.error(n, "relationship", rel_text, _("第%(r)d行已是该户户主，一户只能有一个户主")
                               % {"r": heads_in_file[hh_number]})
                else:
                    heads_in_file[hh_number] = n
                    db_head = heads_in_db.get(hh_number)
                    if db_head and db_head != number:
                        self.error(n, "relationship", rel_text, _("该户已有户主，请先在系统中变更户主"))
            self.plan.append({
                "row": n, "name": name, "id_number": number, "gender": check.gender if check and check.ok else "",
                "birth_date": check.birth_date if check and check.ok else None, "phone": phone,
                "ethnicity": ethnicity, "relationship": relationship, "status": status, "tags": tags,
                "registered_address": registered, "actual_address": actual, "household_number": hh_number,
                "household": household, "unit": unit, "existing": old,
            })
        self.new_households = new_households
        if not self.errors:
            self._count()

    def errors_for(self, row: int, key: str) -> bool:
        header = self.header_of(key)
        return any(e.row == row and e.column == header for e in self.errors[-5:])

    def _writable(self, path: str) -> bool:
        if self.root is not None and not path.startswith(self.root.path):
            return False
        return permissions.can_change_path(self.actor, path)

    def _target(self, p):
        if p["household"] is not None:
            return p["household"].org_unit_id, p["household"].org_path, p["household"].pk
        if p["household_number"] in self.new_households:
            u = self.new_households[p["household_number"]]["unit"]
            return u.pk, u.path, None
        if p["unit"] is not None:
            return p["unit"].pk, p["unit"].path, (p["existing"].household_id if p["existing"] else None)
        old = p["existing"]
        return old.org_unit_id, old.org_path, old.household_id

    def _changes(self, p) -> dict:
        r = p["existing"]
        unit_id, path, household_id = self._target(p)
        want = {"name": p["name"], "gender": p["gender"], "birth_date": p["birth_date"], "phone": p["phone"],
                "ethnicity": p["ethnicity"], "registered_address": p["registered_address"],
                "actual_address": p["actual_address"], "status": p["status"],
                "relationship": p["relationship"] or r.relationship, "org_unit_id": unit_id, "org_path": path}
        if household_id is not None:
            want["household_id"] = household_id
        changes = {k: v for k, v in want.items() if getattr(r, k) != v}
        if sorted(p["tags"]) != sorted(t.tag for t in r.tags.all()):
            changes["tags"] = sorted(p["tags"])
        return changes

    def _count(self):
        self.result.created = sum(1 for p in self.plan if p["existing"] is None)
        self.result.updated = sum(1 for p in self.plan if p["existing"] is not None and self._changes(p))
        self.result.unchanged = len(self.plan) - self.result.created - self.result.updated
        self.result.extra["households_created"] = len(self.new_households)

    def apply(self):
        new_hh = []
        for number, nh in self.new_households.items():
            new_hh.append(Household(number=number, org_unit=nh["unit"], org_path=nh["unit"].path,
                                    address=nh["address"] or number))
        Household.objects.bulk_create(new_hh, batch_size=5000)
        hh_by_number = {h.number: h for h in new_hh}
        for p in self.plan:
            if p["household"] is None and p["household_number"] in hh_by_number:
                p["household"] = hh_by_number[p["household_number"]]
        creates, updates, audit_rows = [], [], []
        for i, p in enumerate(self.plan):
            self.tick(i)
            unit_id, path, household_id = self._target(p)
            if p["existing"] is None:
                creates.append((p, Resident(
                    household_id=household_id, relationship=p["relationship"], org_unit_id=unit_id, org_path=path,
                    name=p["name"], name_search=to_simplified(p["name"]), gender=p["gender"],
                    birth_date=p["birth_date"], id_number=p["id_number"], id_number_rev=reverse(p["id_number"]),
                    phone=p["phone"], phone_rev=reverse(p["phone"]), ethnicity=p["ethnicity"],
                    registered_address=p["registered_address"], actual_address=p["actual_address"], status=p["status"],
                )))
            else:
                changes = self._changes(p)
                if changes:
                    r = p["existing"]
                    before = {k: getattr(r, k) if k != "tags" else sorted(t.tag for t in r.tags.all()) for k in changes}
                    for k, v in changes.items():
                        if k != "tags":
                            setattr(r, k, v)
                    r.name_search = to_simplified(r.name)
                    r.phone_rev = reverse(r.phone)
                    updates.append((p, r, changes))
                    audit_rows.append((r, before, changes))
        Resident.objects.bulk_create([r for _, r in creates], batch_size=5000)
        if updates:
            Resident.objects.bulk_update([r for _, r, _ in updates], RESIDENT_UPDATE_FIELDS, batch_size=5000)
            touched = [r.pk for _, r, _ in updates]
            ResidentNameKey.objects.filter(resident_id__in=touched).delete()
            ResidentTag.objects.filter(resident_id__in=[r.pk for _, r, c in updates if "tags" in c]).delete()
        keys, tags = [], []
        for p, r in creates:
            keys.extend(ResidentNameKey(resident_id=r.pk, key=k, org_path=r.org_path) for k in name_keys(r.name))
            tags.extend(ResidentTag(resident_id=r.pk, tag=t, org_path=r.org_path) for t in sorted(set(p["tags"])))
        for p, r, changes in updates:
            keys.extend(ResidentNameKey(resident_id=r.pk, key=k, org_path=r.org_path) for k in name_keys(r.name))
            if "tags" in changes:
                tags.extend(ResidentTag(resident_id=r.pk, tag=t, org_path=r.org_path) for t in sorted(set(p["tags"])))
        ResidentNameKey.objects.bulk_create(keys, batch_size=10000)
        ResidentTag.objects.bulk_create(tags, batch_size=10000)
        # Heads of household.
        head_updates = {}
        for p, r in creates:
            if p["relationship"] == Relationship.HEAD and r.household_id:
                head_updates[r.household_id] = r.pk
        for p, r, _changes in updates:
            if r.relationship == Relationship.HEAD and r.household_id:
                head_updates[r.household_id] = r.pk
        pairs = sorted(head_updates.items())
        for i in range(0, len(pairs), 5000):
            chunk = pairs[i:i + 5000]
            hs = [Household(pk=hid, head_id=rid) for hid, rid in chunk]
            Household.objects.bulk_update(hs, ["head"], batch_size=5000)
        for r, before, after in audit_rows:
            audit_log(actor=self.actor, action="people.resident.updated", obj=r, before=before, after=after)
        if creates:
            self.result.extra["first_created_id"] = creates[0][1].pk
            self.result.extra["last_created_id"] = creates[-1][1].pk


IMPORTERS = {"org_units": OrgUnitImporter, "households": HouseholdImporter, "residents": ResidentImporter}


def _register_more():
    from .more_importers import CadreImporter, PartnerUnitImporter, PartyMemberImporter

    IMPORTERS.update(party_members=PartyMemberImporter, cadres=CadreImporter, partner_units=PartnerUnitImporter)


def import_file(*, actor, kind: str, filename: str, data: bytes, root: OrgUnit | None = None, dry_run: bool = False,
                simplify: bool = False, progress=None, should_cancel=None) -> ImportResult:
    """Import one file of ``kind``: all rows or none."""
    from .readers import read_sheet

    if len(IMPORTERS) < len(SPECS):
        _register_more()
    if kind not in IMPORTERS:
        raise JicengError(_("未知的导入类型：%(k)s") % {"k": kind}, field="kind")
    if not permissions.can_change_people(actor):
        raise PermissionDeniedError(_("您的角色不能导入数据"))
    if root is not None and not permissions.can_change_path(actor, root.path):
        raise JicengError(_("“%(u)s”不在您的管辖范围内") % {"u": root.name}, field="org")
    sheet = read_sheet(filename, data)
    importer = IMPORTERS[kind](actor=actor, sheet=sheet, root=root, simplify=simplify, progress=progress,
                               should_cancel=should_cancel)
    importer.result.sha256 = hashlib.sha256(data).hexdigest()
    return importer.run(dry_run=dry_run)
