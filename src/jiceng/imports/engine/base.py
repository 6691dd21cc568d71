"""What every importer shares: the row and result records, reading headers and cells, checking a
unit a row names against the actor's scope, and the driver that checks, then writes in one
transaction (or, for a streaming kind, checks and writes a batch at a time)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log
from jiceng.orgs.models import HOUSEHOLD_KINDS, OrgUnit, OrgUnitKind
from jiceng.people.search import to_simplified

from ..parsers import looks_like_formula
from ..readers import ERROR_COLUMN, Sheet
from ..spec import KindSpec, normalise_header


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
    # Headers that name no column of the kind (or repeat one already read): their columns are not imported.
    ignored_headers: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"kind": self.kind, "dry_run": self.dry_run, "total": self.total, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "applied": self.applied, "ok": self.ok,
                "errors": [e.as_dict() for e in self.errors], "warnings": [w.as_dict() for w in self.warnings],
                "ignored_headers": list(self.ignored_headers), **self.extra}


class Cancelled(Exception):
    pass


class _Rejected(Exception):
    """Raised inside the transaction to roll back what a streaming import wrote before an error."""


class Importer:
    spec: KindSpec
    streaming = False  # True: rows are read from sheet.iter_rows() and written a batch at a time

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
        self.result = ImportResult(kind=self.spec.kind, dry_run=True,
                                   total=sheet.total_hint if self.streaming else len(sheet.rows))
        self.index: dict[str, int] = {}
        self._unit_checks: dict[tuple, tuple] = {}

    # -------------------------------------------------------------- who may import
    # The scope purpose that bounds where this kind imports (the units offered as the file's root).
    scope_purpose = "change"

    @classmethod
    def may_import(cls, actor) -> bool:
        """Whether the actor's roles import this kind at all (people data: those who change people)."""
        return permissions.can_change_people(actor)

    @classmethod
    def may_import_under(cls, actor, root: OrgUnit) -> bool:
        return permissions.can_change_path(actor, root.path)

    # -------------------------------------------------------------- headers and cells
    def map_headers(self) -> None:
        """Which column holds what; the headers that name nothing (or a column already taken) are
        listed in ``result.ignored_headers`` so the user learns which of their columns were left out."""
        known = self.spec.header_map()
        ignored = self.result.ignored_headers
        for i, h in enumerate(self.sheet.headers):
            key = known.get(normalise_header(h))
            if key and key not in self.index:
                self.index[key] = i
            elif h and not (i == 0 and h == ERROR_COLUMN):  # the platform's own error column coming back
                ignored.append(h)
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
        """The unit a row names, or None after recording why it cannot be used.

        Each distinct unit is checked once per import (scope and kind do not change between rows)."""
        if not code:
            return None
        unit = units.get(code)
        cache_key = (code, for_people, party, unit.pk if unit is not None else None)
        found = self._unit_checks.get(cache_key)
        if found is None:
            reason = None
            if unit is None:
                reason = _("单元编码不存在")
            elif not self.may_write_under(unit):
                reason = _("单元“%(u)s”不在您的管辖范围内") % {"u": unit.name}
            elif for_people and unit.kind not in HOUSEHOLD_KINDS:
                reason = (_("“%(u)s”是%(k)s，住户和居民只能登记在网格、小区、楼栋、楼层、村或村民小组")
                          % {"u": unit.name, "k": OrgUnitKind(unit.kind).label})
            elif party and not unit.party_org_kind:
                reason = _("“%(u)s”没有设立党组织") % {"u": unit.name}
            found = self._unit_checks[cache_key] = (unit, reason)
        if found[1] is not None:
            self.error(n, key, code, found[1])
            return None
        return found[0]

    # -------------------------------------------------------------- driver
    def run(self, *, dry_run: bool) -> ImportResult:
        self.result.dry_run = dry_run
        self.map_headers()
        if self.streaming:
            if not self.errors:
                self.run_streaming(dry_run=dry_run)
            if self.errors:
                self.result.created = self.result.updated = self.result.unchanged = 0
            self.result.errors = self.errors
            self.result.warnings = self.warnings
            return self.result
        if not self.errors:
            self.validate()
        self.result.errors = self.errors
        self.result.warnings = self.warnings
        if self.errors or dry_run:
            return self.result
        self.write()
        return self.result

    def write(self) -> None:
        with transaction.atomic():
            self.apply()
            self.audit_import()
        self.result.applied = True

    def run_streaming(self, *, dry_run: bool) -> None:
        """Check (and unless ``dry_run`` write) in one pass; any error rolls back all that was written."""
        if dry_run:
            self.validate()
            return
        try:
            with transaction.atomic():
                self.apply_streaming()
                if self.errors:
                    raise _Rejected()
                if self.should_cancel():
                    raise Cancelled()
                self.audit_import()
        except _Rejected:
            return
        self.result.applied = True

    def audit_import(self) -> None:
        audit_log(actor=self.actor, action=f"imports.{self.spec.kind}.imported", object_type=f"imports.{self.spec.kind}",
                  object_repr=_("导入%(k)s %(n)d 行") % {"k": self.spec.label, "n": self.result.total},
                  org_path=self.root.path if self.root else "",
                  after={"rows": self.result.total, "created": self.result.created, "updated": self.result.updated,
                         "unchanged": self.result.unchanged, "sha256": self.result.sha256, **self.result.extra})

    def tick(self, i: int) -> None:
        if i % 2000 == 0:
            if self.should_cancel():
                raise Cancelled()
            self.progress(i, max(self.result.total, i))  # a streamed file's total is an estimate

    def validate(self) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        raise NotImplementedError

