"""Households (住户), streamed a batch at a time like residents."""
from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log
from jiceng.core.scope import IMPORT_MATCH
from jiceng.orgs.models import OrgUnit
from jiceng.people.models import Household, HouseholdStatus, Resident, ResidentNameKey, ResidentTag
from jiceng.people.search import reverse
from jiceng.people.services import PHONE_RE

from ..parsers import ParseError, parse_choice
from ..spec import SPECS
from .base import Importer


def _status(text, choices, label, default):
    return parse_choice(text, choices, field_label=label) or default


class HouseholdImporter(Importer):
    """Households, streamed like residents: a batch of rows is checked, the units and households it
    names are fetched in one query each, and (when applying) the batch is written. Numbers seen in
    earlier batches are remembered, so a duplicate anywhere in the file is found. Once a row is
    wrong, writing stops, checking goes on, and the transaction is rolled back at the end."""

    spec = SPECS["households"]
    streaming = True
    BATCH = 5000

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: dict[str, int] = {}  # household number -> row
        self.units: dict[str, OrgUnit] = {}

    def validate(self):
        self.process(write=False)

    def apply_streaming(self):
        self.process(write=True)

    def process(self, *, write: bool) -> None:
        first = self.sheet.first_row_number
        batch: list[tuple[int, list[str]]] = []
        i = -1
        for i, raw in enumerate(self.sheet.iter_rows()):
            self.tick(i)
            batch.append((first + i, raw))
            if len(batch) >= self.BATCH:
                self.finish_batch(batch, write=write)
                batch = []
        if batch:
            self.finish_batch(batch, write=write)
        self.result.total = i + 1
        self.errors.sort(key=lambda e: e.row)

    def finish_batch(self, batch: list[tuple[int, list[str]]], *, write: bool) -> None:
        missing = {self.cell(r, "unit_code") for _n, r in batch} - self.units.keys()
        self.units.update(self.units_by_code(missing))
        numbers = [self.cell(r, "number") for _n, r in batch]
        existing = {h.number: h for h in Household.objects.unscoped(IMPORT_MATCH).filter(number__in=[n for n in numbers if n])}
        plan = [self.check_row(n, row, existing) for n, row in batch]
        if self.errors:
            return  # counts are not reported for a rejected file, and a wrong row may lack its unit
        for p in plan:
            if p["existing"] is None:
                self.result.created += 1
            elif self._changes(p):
                self.result.updated += 1
            else:
                self.result.unchanged += 1
        if write:
            self.write_batch(plan)

    def check_row(self, n: int, row: list[str], existing: dict) -> dict:
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
        unit = self.unit_in_scope(n, "unit_code", code, self.units, for_people=True)
        if number in self.seen:
            self.error(n, "number", number, _("与第%(r)d行的户编号重复") % {"r": self.seen[number]})
        elif number:
            self.seen[number] = n
        old = existing.get(number)
        if old is not None and not self.may_write_under_path(old.org_path):
            self.error(n, "number", number, _("该户编号已在其他辖区登记"))
        return {"row": n, "number": number, "unit": unit, "address": address, "phone": phone, "status": status,
                "existing": old}

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

    def write_batch(self, plan: list[dict]) -> None:
        new = [Household(number=p["number"], org_unit=p["unit"], org_path=p["unit"].path, address=p["address"],
                         phone=p["phone"], phone_rev=reverse(p["phone"]), status=p["status"])
               for p in plan if p["existing"] is None]
        Household.objects.bulk_create(new, batch_size=5000)
        updated = []
        moved: dict[tuple[int, str], list[int]] = {}  # (unit id, path) → households that moved there
        for p in plan:
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
            if "org_path" in changes or "org_unit_id" in changes:
                moved.setdefault((h.org_unit_id, h.org_path), []).append(h.pk)
            audit_log(actor=self.actor, action="people.household.updated", obj=h, before=before, after=changes)
        Household.objects.bulk_update(updated, ["org_unit", "org_path", "address", "phone", "phone_rev", "status"],
                                      batch_size=5000)
        # Members follow their household to its new place: one statement per destination, not per household.
        for (unit_id, path), ids in moved.items():
            for i in range(0, len(ids), 5000):
                chunk = ids[i:i + 5000]
                Resident.objects.unscoped(IMPORT_MATCH).filter(household_id__in=chunk).update(org_unit_id=unit_id, org_path=path)
                ResidentTag.objects.filter(resident__household_id__in=chunk).update(org_path=path)
                ResidentNameKey.objects.filter(resident__household_id__in=chunk).update(org_path=path)
