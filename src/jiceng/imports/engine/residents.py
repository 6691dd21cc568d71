"""Residents (居民): a street's roll is a million rows, so they stream — a batch is checked, what it
refers to is fetched, and the batch is written (by COPY on PostgreSQL) inside the import's transaction."""
from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log
from jiceng.core.scope import IMPORT_MATCH
from jiceng.orgs.models import OrgUnit
from jiceng.people.idnumber import check_id_number
from jiceng.people.models import (
    Household, Relationship, Resident, ResidentNameKey, ResidentStatus, ResidentTag, SpecialGroup,
)
from jiceng.people.search import name_keys, reverse, to_simplified
from jiceng.people.services import NAME_RE, PHONE_RE

from ..parsers import ParseError, parse_choice, parse_date, split_list
from ..spec import SPECS
from ..writers import CopyPipeline, RowWriter, set_column
from .base import Importer, RowError

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


RESIDENT_UPDATE_FIELDS = ["name", "name_search", "gender", "birth_date", "phone", "phone_rev", "ethnicity",
                          "registered_address", "actual_address", "status", "relationship", "household",
                          "org_unit", "org_path"]
# The columns of a new resident, in the order of the tuples handed to the writer.
RESIDENT_INSERT_FIELDS = ["household", "relationship", "org_unit", "org_path", "name", "name_search", "gender",
                          "birth_date", "id_number", "id_number_rev", "phone", "phone_rev", "ethnicity",
                          "registered_address", "actual_address", "status"]


def _choice_map(choices) -> dict[str, str]:
    """What ``parse_choice`` accepts (a value or its label), resolved once per import."""
    out: dict[str, str] = {}
    for value, label in choices:
        out.setdefault(str(value), str(value))
        out.setdefault(str(label), str(value))
    return out


@contextmanager
def _index_lookups():
    """Inside the import's transaction on PostgreSQL, make the batch look-ups use their indexes.

    The tables grow by up to a million rows in the transaction, and the planner's statistics (say,
    of a table just emptied) do not know it: it would scan the whole, growing table for every batch
    (quadratic in the file). ``enable_seqscan`` is switched off for the look-ups only (SET LOCAL,
    restored after), which is what the statistics would choose if they were current."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
        previous = cur.fetchone()[0]
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


class _Row:
    """One checked row of a residents file: compact (slots), kept only for the batch it is in."""

    __slots__ = ("n", "name", "raw_id", "number", "gender", "birth", "phone", "ethnicity", "rel_text",
                 "relationship", "status", "tags", "registered", "actual", "hh_number", "code", "id_valid",
                 "unit", "household", "new_household", "old")


class ResidentImporter(Importer):
    """Residents, streamed: rows are read, checked and (when applying) written a batch at a time.

    A batch's rows are checked, then everything they refer to in the database (units, households,
    residents already registered) is fetched in one query per kind, then the batch is written. What
    must hold across the whole file (an ID number or a head of household once per file, one unit per
    new household) is kept in small dictionaries. Applying runs in one transaction: once any row is
    wrong, writing stops, checking goes on so every error is listed, and the transaction is rolled
    back at the end, so nothing of the file is written.
    """

    spec = SPECS["residents"]
    streaming = True
    BATCH = 5000

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: dict[str, int] = {}  # ID number -> row
        self.heads_in_file: dict[str, int] = {}  # household number -> row
        # household number -> [unit, first row, pk once written]
        self.new_households: dict[str, list] = {}
        self.pending_households: list[tuple[str, list]] = []  # met in this batch, not written yet
        self.units: dict[str, OrgUnit] = {}
        self.writable: dict[str, bool] = {}
        self.dates: dict[str, object] = {}
        self.tag_cache: dict[str, tuple] = {}
        self.status_map = _choice_map(ResidentStatus.choices)
        self.rel_map = {**_choice_map(Relationship.choices), **RELATIONSHIP_WORDS}
        self.tag_map = _choice_map(SpecialGroup.choices)
        self.rows_done = 0
        self.first_created_id = self.last_created_id = None
        self.writing = False
        self.pipeline: CopyPipeline | None = None
        self.copy_jobs: list[tuple] = []

    # -------------------------------------------------------------- driver
    def validate(self):
        self.process(write=False)

    def apply_streaming(self):
        self.process(write=True)

    def process(self, *, write: bool) -> None:
        self.writing = write
        if write:
            self.res_writer = RowWriter(Resident, RESIDENT_INSERT_FIELDS)
            self.hh_writer = RowWriter(Household, ["number", "org_unit", "org_path", "address", "head"],
                                       copy=self.res_writer.copy)
            self.key_writer = RowWriter(ResidentNameKey, ["resident", "key", "kind", "org_path"],
                                        copy=self.res_writer.copy)
            self.tag_writer = RowWriter(ResidentTag, ["resident", "tag", "org_path"], copy=self.res_writer.copy)
            self.pipeline = CopyPipeline() if self.res_writer.copy else None
        first = self.sheet.first_row_number
        batch: list[_Row] = []
        i = -1
        try:
            for i, raw in enumerate(self.sheet.iter_rows()):
                self.tick(i)
                batch.append(self.check_row(first + i, raw))
                if len(batch) >= self.BATCH:
                    self.finish_batch(batch)
                    batch = []
            if batch:
                self.finish_batch(batch)
            self.wait_writes()
        finally:
            if self.pipeline is not None:
                pipeline, self.pipeline = self.pipeline, None
                try:
                    pipeline.close()
                except Exception:
                    pass  # already failing: the first error is the one raised
        self.result.total = i + 1
        self.result.extra["households_created"] = len(self.new_households)
        # Errors of one row come from two passes (the row's own cells, then what it refers to): by row.
        self.errors.sort(key=lambda e: e.row)
        if write and self.first_created_id is not None:
            self.result.extra["first_created_id"] = self.first_created_id
            self.result.extra["last_created_id"] = self.last_created_id

    # -------------------------------------------------------------- one row, on its own
    def check_row(self, n: int, row: list[str]) -> _Row:
        r = _Row()
        r.n = n
        errors_before = len(self.errors)
        name = self.text(n, row, "name", required=True, max_length=50)
        if name and len(self.errors) == errors_before and not NAME_RE.match(name):
            self.error(n, "name", name, _("姓名只能包含汉字、字母、空格或间隔号“·”"))
        r.name = name
        raw_id = self.cell(row, "id_number")
        gender_text = self.cell(row, "gender")
        gender = None
        if gender_text:
            gender = {"男": "M", "女": "F", "m": "M", "f": "F"}.get(gender_text.lower())
            if gender is None:
                self.error(n, "gender", gender_text, _("性别应填写“男”或“女”"))
        birth_text = self.cell(row, "birth_date")
        birth = None
        if birth_text:
            birth = self.dates.get(birth_text)
            if birth is None:
                try:
                    birth = parse_date(birth_text)
                except ParseError as exc:
                    birth = str(exc)
                if len(self.dates) < 100000:
                    self.dates[birth_text] = birth
            if isinstance(birth, str):
                self.error(n, "birth_date", birth_text, birth)
                birth = None
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
        r.raw_id = raw_id
        r.number = check.number if check else ""
        # A well-formed number (its birth date read) is looked up and checked for duplicates even when
        # the row's gender or birth date contradicts it: every reason of a row is reported at once.
        r.id_valid = bool(check and check.birth_date is not None)
        r.gender = check.gender if r.id_valid else ""
        r.birth = check.birth_date if r.id_valid else None
        phone = self.text(n, row, "phone", max_length=20).replace(" ", "").replace("-", "")
        if phone.startswith("+86"):
            phone = phone[3:]
        if phone and not PHONE_RE.match(phone):
            self.error(n, "phone", phone, _("联系电话格式不正确：应为11位手机号或带区号的固定电话"))
        r.phone = phone
        r.ethnicity = self.text(n, row, "ethnicity", max_length=20) or "汉族"
        rel_text = self.cell(row, "relationship")
        relationship = self.rel_map.get(rel_text, "") if rel_text else ""
        if rel_text and not relationship:
            try:
                relationship = parse_choice(rel_text, Relationship.choices, field_label=_("与户主关系"))
            except ParseError as exc:
                self.error(n, "relationship", rel_text, str(exc))
        r.rel_text, r.relationship = rel_text, relationship
        status_text = self.cell(row, "status")
        status = self.status_map.get(status_text) if status_text else str(ResidentStatus.LIVING)
        if status is None:
            status = str(ResidentStatus.LIVING)
            try:
                parse_choice(status_text, ResidentStatus.choices, field_label=_("居住状态"))
            except ParseError as exc:
                self.error(n, "status", status_text, str(exc))
        r.status = status
        tags_text = self.cell(row, "tags")
        if tags_text:
            cached = self.tag_cache.get(tags_text)
            if cached is None:
                tags, bad = [], []
                for t in split_list(tags_text):
                    value = self.tag_map.get(t)
                    if value is None:
                        try:
                            parse_choice(t, SpecialGroup.choices, field_label=_("特殊群体"))
                        except ParseError as exc:
                            bad.append((t, str(exc)))
                    else:
                        tags.append(value)
                cached = (tuple(tags), tuple(bad))
                if len(self.tag_cache) < 10000:
                    self.tag_cache[tags_text] = cached
            r.tags = cached[0]
            for t, message in cached[1]:
                self.error(n, "tags", t, message)
        else:
            r.tags = ()
        r.registered = self.text(n, row, "registered_address")
        r.actual = self.text(n, row, "actual_address")
        r.hh_number = self.text(n, row, "household_number", max_length=32)
        r.code = self.cell(row, "unit_code")
        return r

    # -------------------------------------------------------------- a batch: what the rows refer to
    def finish_batch(self, batch: list[_Row]) -> None:
        self.wait_writes()  # the previous batch's COPYs: the connection is needed for the look-ups
        households, existing = self.lookup_batch(batch)
        for r in batch:
            self.check_refs(r, households, existing)
        created = sum(1 for r in batch if r.old is None)
        self.result.created += created
        if self.writing and not self.errors:
            self.write_batch(batch)
        else:
            for r in batch:
                if r.old is not None and self._changes(r):
                    self.result.updated += 1
        self.rows_done += len(batch)
        self.result.unchanged = self.rows_done - self.result.created - self.result.updated

    def lookup_batch(self, batch: list[_Row]) -> tuple[dict, dict]:
        """Units, households and residents the batch's rows name, one query per kind (and chunk)."""
        with _index_lookups():
            return self._lookup_batch(batch)

    def _lookup_batch(self, batch: list[_Row]) -> tuple[dict, dict]:
        chunk = 5000 if connection.vendor == "postgresql" else 2000  # SQLite limits a statement's variables
        codes = {r.code for r in batch if r.code and r.code not in self.units}
        if codes:
            self.units.update(self.units_by_code(codes))
        # Households: new ones met earlier in this file first; the rest from the database. Residents
        # already registered (an ID met earlier in this file is a duplicate, not an update).
        hh_wanted = list({r.hh_number for r in batch if r.hh_number and r.hh_number not in self.new_households})
        households: dict[str, tuple] = {}
        ids, batch_ids = [], set()
        for r in batch:
            if r.id_valid and r.number not in self.seen and r.number not in batch_ids:
                batch_ids.add(r.number)
                ids.append(r.number)
        if connection.vendor == "postgresql":
            # One array parameter each instead of thousands of quoted literals; a fresh roll finds none.
            hh, res = Household._meta.db_table, Resident._meta.db_table
            with connection.cursor() as cur:
                if hh_wanted:
                    cur.execute(f"SELECT h.number, h.id, h.org_unit_id, h.org_path, r.id_number FROM {hh} h "
                                f"LEFT JOIN {res} r ON r.id = h.head_id WHERE h.number = ANY(%s)", [hh_wanted])
                    households = {row[0]: row for row in cur.fetchall()}
                pks = []
                if ids:
                    cur.execute(f"SELECT id FROM {res} WHERE id_number = ANY(%s)", [ids])
                    pks = [row[0] for row in cur.fetchall()]
            existing = {}
            for i in range(0, len(pks), chunk):
                for found in Resident.objects.unscoped(IMPORT_MATCH).filter(pk__in=pks[i:i + chunk]).prefetch_related("tags"):
                    existing[found.id_number] = found
            return households, existing
        for i in range(0, len(hh_wanted), chunk):
            for row in Household.objects.unscoped(IMPORT_MATCH).filter(number__in=hh_wanted[i:i + chunk]).values_list(
                    "number", "pk", "org_unit_id", "org_path", "head__id_number"):
                households[row[0]] = row
        existing: dict[str, Resident] = {}
        for i in range(0, len(ids), chunk):
            for res in Resident.objects.unscoped(IMPORT_MATCH).filter(id_number__in=ids[i:i + chunk]).prefetch_related("tags"):
                existing[res.id_number] = res
        return households, existing

    def check_refs(self, r: _Row, households: dict, existing: dict) -> None:
        n = r.n
        number = r.number
        old = None
        if r.id_valid:
            if number in self.seen:
                self.error(n, "id_number", r.raw_id, _("与第%(r)d行的身份证号重复") % {"r": self.seen[number]})
            else:
                self.seen[number] = n
                old = existing.get(number)
        if old is not None and not self._writable(old.org_path):
            self.error(n, "id_number", r.raw_id, _("该身份证号已在其他辖区登记，不能重复登记"))
            old = None
        r.old = old
        code, hh_number = r.code, r.hh_number
        r.unit = unit = self.unit_in_scope(n, "unit_code", code, self.units, for_people=True)
        r.household = None  # (number, pk, org_unit_id, org_path, head's ID) of a household in the database
        r.new_household = None  # the entry in self.new_households
        if hh_number:
            nh = self.new_households.get(hh_number)
            db = households.get(hh_number) if nh is None else None
            if nh is not None:
                r.new_household = nh
                if unit is not None and nh[0].pk != unit.pk:
                    self.error(n, "unit_code", code, _("同一户（第%(r)d行）的所在单元不一致") % {"r": nh[1]})
            elif db is None:
                if unit is None and not code:
                    self.error(n, "household_number", hh_number, _("户编号不存在；新户请同时填写“所在单元编码”"))
                elif unit is not None:
                    nh = self.new_households[hh_number] = [unit, n, None, r.actual or r.registered]
                    self.pending_households.append((hh_number, nh))
                    r.new_household = nh
            elif not self._writable(db[3]):
                self.error(n, "household_number", hh_number, _("该户不在您的管辖范围内"))
            else:
                r.household = db
        if not hh_number and not code and old is None:
            self.error(n, "unit_code", "", _("请填写“户编号”或“所在单元编码”"))
        if r.relationship == Relationship.HEAD and hh_number:
            if hh_number in self.heads_in_file:
                self.error(n, "relationship", r.rel_text, _("第%(r)d行已是该户户主，一户只能有一个户主")
                           % {"r": self.heads_in_file[hh_number]})
            else:
                self.heads_in_file[hh_number] = n
                db = households.get(hh_number) if r.new_household is None else None
                db_head = db[4] if db is not None else None
                if db_head and db_head != number:
                    self.error(n, "relationship", r.rel_text, _("该户已有户主，请先在系统中变更户主"))

    def _writable(self, path: str) -> bool:
        ok = self.writable.get(path)
        if ok is None:
            ok = self.writable[path] = ((self.root is None or path.startswith(self.root.path))
                                        and permissions.can_change_path(self.actor, path))
        return ok

    def _target(self, r: _Row):
        """(unit id, path, household id or None) where the row's resident is to be registered."""
        if r.household is not None:
            return r.household[2], r.household[3], r.household[1]
        if r.new_household is not None:
            u = r.new_household[0]
            return u.pk, u.path, r.new_household[2]
        if r.unit is not None:
            return r.unit.pk, r.unit.path, (r.old.household_id if r.old else None)
        old = r.old
        return old.org_unit_id, old.org_path, old.household_id

    def _changes(self, r: _Row) -> dict:
        old = r.old
        unit_id, path, household_id = self._target(r)
        want = {"name": r.name, "gender": r.gender, "birth_date": r.birth, "phone": r.phone,
                "ethnicity": r.ethnicity, "registered_address": r.registered, "actual_address": r.actual,
                "status": r.status, "relationship": r.relationship or old.relationship, "org_unit_id": unit_id,
                "org_path": path}
        if r.new_household is not None and household_id is None:
            want["household_id"] = "(new)"  # moves into a household this file creates
        elif household_id is not None:
            want["household_id"] = household_id
        changes = {k: v for k, v in want.items() if getattr(old, k) != v}
        tags = sorted(set(r.tags))
        if tags != sorted(t.tag for t in old.tags.all()):
            changes["tags"] = tags
        return changes

    # -------------------------------------------------------------- a batch: writing it
    def write_batch(self, batch: list[_Row]) -> None:
        copy = self.res_writer.copy
        creates = [r for r in batch if r.old is None]
        # New households this batch met first. With COPY the residents' keys are taken first, so a
        # household whose head is in this batch is written with its head (no UPDATE afterwards).
        new_hh, self.pending_households = self.pending_households, []
        res_ids = self.res_writer.reserve_ids(len(creates)) if copy else None
        head_of: dict[str, int] = {}
        if copy:
            fresh = {id(nh) for _, nh in new_hh}
            for r, pk in zip(creates, res_ids, strict=True):
                if r.relationship == Relationship.HEAD and r.new_household is not None and id(r.new_household) in fresh:
                    head_of[r.hh_number] = pk
        hh_rows = [(number, nh[0].pk, nh[0].path, nh[3] or number, head_of.get(number)) for number, nh in new_hh]
        for (number, nh), pk in zip(new_hh, self._insert(self.hh_writer, hh_rows), strict=True):
            nh[2], nh[3] = pk, None  # the address is written: a million-row file keeps 300,000 of these
        rows = []
        for r in creates:
            unit_id, path, household_id = self._target(r)
            rows.append((household_id, r.relationship, unit_id, path, r.name, to_simplified(r.name), r.gender,
                         r.birth, r.number, r.number[::-1], r.phone, r.phone[::-1], r.ethnicity, r.registered,
                         r.actual, r.status))
        created_ids = self._insert(self.res_writer, rows, res_ids)
        if created_ids:
            if self.first_created_id is None:
                self.first_created_id = created_ids[0]
            self.last_created_id = created_ids[-1]
        keys, tags, heads = [], [], []
        for r, pk, row in zip(creates, created_ids, rows, strict=True):
            path = row[3]
            for k in name_keys(r.name):
                keys.append((pk, k.key, k.kind, path))
            for t in sorted(set(r.tags)):
                tags.append((pk, t, path))
            if r.relationship == Relationship.HEAD and row[0] and head_of.get(r.hh_number) != pk:
                heads.append((row[0], pk))
        # Residents already registered: changed ones are updated (and audited) one batch at a time.
        updates, audit_rows = [], []
        for r in batch:
            if r.old is None:
                continue
            changes = self._changes(r)
            if not changes:
                continue
            self.result.updated += 1
            res = r.old
            unit_id, path, household_id = self._target(r)
            if changes.get("household_id") == "(new)":
                changes["household_id"] = household_id
            before = {k: getattr(res, k) if k != "tags" else sorted(t.tag for t in res.tags.all()) for k in changes}
            for k, v in changes.items():
                if k != "tags":
                    setattr(res, k, v)
            res.name_search = to_simplified(res.name)
            res.phone_rev = reverse(res.phone)
            updates.append((r, res, changes))
            audit_rows.append((res, before, changes))
        if updates:
            Resident.objects.bulk_update([res for _, res, _ in updates], RESIDENT_UPDATE_FIELDS, batch_size=2000)
            touched = [res.pk for _, res, _ in updates]
            retagged = [res.pk for _, res, c in updates if "tags" in c]
            for i in range(0, len(touched), 2000):
                ResidentNameKey.objects.filter(resident_id__in=touched[i:i + 2000]).delete()
            for i in range(0, len(retagged), 2000):
                ResidentTag.objects.filter(resident_id__in=retagged[i:i + 2000]).delete()
            for r, res, changes in updates:
                keys.extend((res.pk, k.key, k.kind, res.org_path) for k in name_keys(res.name))
                if "tags" in changes:
                    tags.extend((res.pk, t, res.org_path) for t in sorted(set(r.tags)))
                if res.relationship == Relationship.HEAD and res.household_id:
                    heads.append((res.household_id, res.pk))
        # Heads written after their household (an earlier batch, or the database); with COPY a new
        # resident's row may still be on its way, which the deferred foreign key allows.
        set_column(Household, "head_id", list(dict(heads).items()))
        for res, before, after in audit_rows:
            audit_log(actor=self.actor, action="people.resident.updated", obj=res, before=before, after=after)
        if self.pipeline is not None:
            self.pipeline.submit(self.copy_jobs + [(self.key_writer, keys, None), (self.tag_writer, tags, None)])
            self.copy_jobs = []
        else:
            self.key_writer.insert(keys, want_ids=False)
            self.tag_writer.insert(tags, want_ids=False)

    def _insert(self, writer: RowWriter, rows: list[tuple], ids: list[int] | None = None) -> list[int]:
        """Insert now (bulk_create), or with COPY take the keys now and queue the rows for the pipeline."""
        if self.pipeline is None:
            return writer.insert(rows, ids=ids)
        if ids is None:
            ids = writer.reserve_ids(len(rows))
        self.copy_jobs.append((writer, rows, ids))
        return ids

    def wait_writes(self) -> None:
        if self.pipeline is not None:
            self.pipeline.wait()
