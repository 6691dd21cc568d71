"""Importing a township's existing asset register (三资台账) through the import engine: all rows or none, every
reason for a row at once, the upload page, the template and ``jiceng import assets``. A row whose asset code is
already registered in its village updates that asset (a file imported twice changes nothing the second time)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.errors import ErrorCollector
from jiceng.core.scope import IMPORT_MATCH
from jiceng.imports.engine import Importer
from jiceng.imports.spec import Column, KindSpec, unit_code_aliases

from . import permissions
from .models import AreaUnit, Asset, AssetCategory, AssetKind, AssetStatus
from .services.common import ECONOMY_UNIT_KINDS
from .services.register import CATEGORY_KINDS, _clean

ASSET_SPEC = KindSpec("assets", gettext_lazy("集体资产台账"), (
    Column("unit_code", "村（社区）代码", True, unit_code_aliases("村", "社区", "村社区", "村（社区）", "单位"),
           "530124001001"),
    Column("code", "资产编号", True, ("资产代码", "编号", "资产卡片号"), "ZC-001"),
    Column("name", "资产名称", True, ("名称",), "原村小学校舍"),
    Column("category", "类别", True, ("资产类别", "三资类别"), "资产"),
    Column("kind", "种类", True, ("资产种类", "资产类型"), "房屋建筑"),
    Column("location", "坐落位置", False, ("位置", "坐落", "地址"), "村委会东侧"),
    Column("area", "面积", False, ("占地面积", "建筑面积"), "820"),
    Column("area_unit", "面积单位", False, ("单位",), "平方米"),
    Column("original_value", "原值（元）", True, ("原值", "账面原值", "原值(元)"), "360000.00"),
    Column("current_value", "现值（元）", True, ("现值", "账面净值", "净值", "现值(元)"), "280000.00"),
    Column("yearly_output", "年收益（元）", False, ("年收益", "年收入", "年收益(元)"), "0"),
    Column("status", "状态", False, ("使用状态", "资产状态"), "闲置"),
    Column("acquired_on", "取得日期", False, ("购建日期", "取得时间"), "2008-09-01"),
    Column("note", "备注", False, (), ""),
), notes=(gettext_lazy("金额以元为单位，最多两位小数；类别：资源、资产、资金；状态：在用、闲置、已处置（出租和交易中由产权交易变更）。"
                       "同一村（社区）中资产编号已登记的，按本表更新。"),))

CATEGORY_WORDS = {str(label): value for value, label in AssetCategory.choices}
KIND_WORDS = {**{str(label): value for value, label in AssetKind.choices}, "房屋": AssetKind.BUILDING,
              "建筑物": AssetKind.BUILDING, "房产": AssetKind.BUILDING, "设施": AssetKind.FACILITY,
              "基础设施": AssetKind.FACILITY, "机器设备": AssetKind.EQUIPMENT, "股份": AssetKind.EQUITY,
              "土地": AssetKind.LAND, "耕地": AssetKind.LAND, "林地": AssetKind.LAND, "水面": AssetKind.LAND}
STATUS_WORDS = {"": AssetStatus.IN_USE, "在用": AssetStatus.IN_USE, "使用中": AssetStatus.IN_USE,
                "闲置": AssetStatus.IDLE, "已处置": AssetStatus.DISPOSED, "报废": AssetStatus.DISPOSED}
AREA_WORDS = {"": "", "平方米": AreaUnit.SQUARE_METRE, "㎡": AreaUnit.SQUARE_METRE, "m2": AreaUnit.SQUARE_METRE,
              "亩": AreaUnit.MU}
VALUE_FIELDS = ("name", "category", "kind", "location", "area", "area_unit", "original_value", "current_value",
                "yearly_output", "status", "acquired_on", "note")


class AssetImporter(Importer):
    spec = ASSET_SPEC

    @classmethod
    def may_import(cls, actor) -> bool:
        return permissions.can_keep_any(actor)

    @classmethod
    def may_import_under(cls, actor, root) -> bool:
        return permissions.can_keep(actor, root.path)

    def may_write_under(self, unit, purpose: str = "change") -> bool:
        if self.root is not None and not unit.path.startswith(self.root.path):
            return False
        return permissions.can_keep(self.actor, unit.path)

    def _word(self, n, row, key, words: dict, label: str):
        text = self.cell(row, key)
        if text not in words:
            self.error(n, key, text, _("%(l)s“%(t)s”不认识（可填：%(w)s）") % {
                "l": label, "t": text, "w": "、".join(w for w in dict.fromkeys(words) if w)})
            return None
        return words[text]

    def validate(self):
        rows, first = self.sheet.rows, self.sheet.first_row_number
        units = self.units_by_code(self.cell(r, "unit_code") for r in rows)
        existing = {(a.org_unit_id, a.code): a for a in Asset.objects.unscoped(IMPORT_MATCH).filter(
            org_unit__in=list(units.values()))}
        seen: dict = {}
        self.plan = []
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            code_unit = self.text(n, row, "unit_code", required=True, max_length=32)
            unit = self.unit_in_scope(n, "unit_code", code_unit, units)
            if unit is not None and unit.kind not in ECONOMY_UNIT_KINDS:
                self.error(n, "unit_code", code_unit, _("“%(u)s”不是村或社区，集体资产登记在村（社区）") % {"u": unit.name})
                unit = None
            values = {"code": self.text(n, row, "code", required=True, max_length=40),
                      "name": self.text(n, row, "name", required=True, max_length=100),
                      "location": self.text(n, row, "location", max_length=200),
                      "note": self.text(n, row, "note", max_length=1000),
                      "category": self._word(n, row, "category", CATEGORY_WORDS, _("类别")),
                      "kind": self._word(n, row, "kind", KIND_WORDS, _("种类")),
                      "status": self._word(n, row, "status", STATUS_WORDS, _("状态")),
                      "area_unit": self._word(n, row, "area_unit", AREA_WORDS, _("面积单位")) or "",
                      "area": self.cell(row, "area") or None,
                      "original_value": self.cell(row, "original_value"),
                      "current_value": self.cell(row, "current_value"),
                      "yearly_output": self.cell(row, "yearly_output") or "0",
                      "acquired_on": self.cell(row, "acquired_on") or None}
            if values["area"] and not values["area_unit"]:
                values["area_unit"] = AreaUnit.SQUARE_METRE
            # Every reason for the row at once: a word not understood (reported above) stands in as a valid one
            # while the rest of the row is checked, and its own field's complaints are not repeated.
            unknown = {k for k in ("category", "kind", "status") if values[k] is None}
            if values["kind"] is None:
                values["kind"] = next(iter(CATEGORY_KINDS[AssetCategory(values["category"] or "asset")]))
            if values["category"] is None:
                values["category"] = next(c for c, kinds in CATEGORY_KINDS.items() if values["kind"] in kinds)
            if values["status"] is None:
                values["status"] = AssetStatus.IN_USE
            errors = ErrorCollector()
            clean = _clean(values, errors)
            for field in unknown:
                errors.errors.pop(field, None)
            if unknown:
                clean = None
            for field, messages in errors.errors.items():
                key = field if field in self.index or any(c.key == field for c in self.spec.columns) else "code"
                for m in messages:
                    self.error(n, key, str(values.get(field) or ""), m)
            if unit is None or clean is None or errors:
                continue
            who = (unit.pk, clean["code"])
            if who in seen:
                self.error(n, "code", clean["code"], _("与第%(r)d行的资产编号重复") % {"r": seen[who]})
                continue
            seen[who] = n
            old = existing.get(who)
            if old is not None and old.status in (AssetStatus.LEASED, AssetStatus.UNDER_TRANSACTION) \
                    and clean["status"] != old.status:
                clean["status"] = old.status  # a transaction's state is the transaction's to change
            self.plan.append({"row": n, "unit": unit, "clean": clean, "old": old})
        if not self.errors:
            changed = [p for p in self.plan if p["old"] is not None and self._differs(p["old"], p["clean"])]
            self.result.created = sum(1 for p in self.plan if p["old"] is None)
            self.result.updated = len(changed)
            self.result.unchanged = len(self.plan) - self.result.created - self.result.updated

    @staticmethod
    def _differs(old, clean) -> bool:
        return any(getattr(old, k) != clean[k] for k in VALUE_FIELDS)

    def apply(self):
        new = [Asset(org_unit=p["unit"], org_path=p["unit"].path, created_by=self.actor, **p["clean"])
               for p in self.plan if p["old"] is None]
        Asset.objects.bulk_create(new, batch_size=2000)
        for p in self.plan:
            old = p["old"]
            if old is not None and self._differs(old, p["clean"]):
                for k in VALUE_FIELDS:
                    setattr(old, k, p["clean"][k])
                old.save(update_fields=[*VALUE_FIELDS, "updated_at"])
