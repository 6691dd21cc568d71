"""Changes of the tree's shape (区划调整): move a unit with its subtree, split a unit, merge units.

Every row below a unit follows it in one transaction. The tree does not know the modules that keep rows in
it: the columns are found through the app registry —

* every model's materialised-path column (a field named ``org_path``, or the ``scope_field`` of its scoped
  queryset) is rewritten by prefix, one set-based ``UPDATE … SET org_path = new || substr(org_path, n)
  WHERE org_path LIKE 'old%'`` per table;
* every foreign key to a unit is left alone by a move (the unit keeps its id) and, for a unit split or
  merged away, re-pointed to the unit that takes over its own rows (one ``UPDATE`` per column).

Sealed history keeps the path it was written under: the audit trail (``keeps_org_path``) and the fields a
ledger hashes (rewriting them would break the chain). One-to-one settings of an ended unit stay with it.

What the old shape was is kept: the ended unit (``ended_on``, ``successor``), a ``UnitChange`` with its
``UnitPathChange`` rows (old and new prefixes), and the audit entry. ``figure_value_as_was`` maps a figure
for a past period through these rows, so a period closed before a change keeps its numbers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError

from .models import OrgUnit, OrgUnitKind, UnitChange, UnitChangeKind, UnitPathChange
from .services import _validate, segment

# How high a kind sits (lower is higher): a unit goes only under a unit of a higher rank. Departments sit
# anywhere under a street or township.
KIND_RANK = {
    OrgUnitKind.STREET: 0, OrgUnitKind.TOWNSHIP: 0,
    OrgUnitKind.COMMUNITY: 1, OrgUnitKind.VILLAGE: 1, OrgUnitKind.RELOCATION_SITE: 1, OrgUnitKind.DEPARTMENT: 1,
    OrgUnitKind.GRID: 2, OrgUnitKind.VILLAGER_GROUP: 2,
    OrgUnitKind.COMPOUND: 3, OrgUnitKind.BUILDING: 4, OrgUnitKind.UNIT_FLOOR: 5,
}


# --------------------------------------------------------------------------- the columns, found by registry

@dataclass(frozen=True)
class PathColumn:
    model: type
    column: str  # database column name
    table: str


@dataclass(frozen=True)
class UnitColumn:
    model: type
    column: str
    table: str


def _sealed_fields(model) -> set[str]:
    """Field names of ``model`` that keep the path they were written under."""
    if getattr(model, "keeps_org_path", False):
        return {f.name for f in model._meta.concrete_fields}
    from jiceng.core.ledger.base import LedgerEntry, ledger_for

    if not issubclass(model, LedgerEntry):
        return set()
    return {f.name for f in ledger_for(model).meta.hashed_fields}


def _path_field_names(model) -> set[str]:
    names = {"org_path"}
    qs_class = getattr(model._default_manager, "_queryset_class", None)
    scope_field = getattr(qs_class, "scope_field", None)
    if scope_field:
        names.add(scope_field)
    return names


def path_columns(*, sealed: bool = False) -> list[PathColumn]:
    """Every column outside the tree that stores a unit's materialised path (``sealed=True``: those kept as
    history instead)."""
    out = []
    for model in apps.get_models():
        if model is OrgUnit or model._meta.proxy or not model._meta.managed:
            continue
        names = _path_field_names(model)
        kept = _sealed_fields(model)
        for f in model._meta.concrete_fields:
            if f.name in names and isinstance(f, models.CharField) and (f.name in kept) == sealed:
                out.append(PathColumn(model, f.column, model._meta.db_table))
    return out


def unit_columns() -> list[UnitColumn]:
    """Every foreign key to a unit that follows a unit split or merged away (one-to-one settings stay)."""
    out = []
    for model in apps.get_models():
        if model is OrgUnit or model._meta.proxy or not model._meta.managed:
            continue
        kept = _sealed_fields(model)
        for f in model._meta.concrete_fields:
            if (f.is_relation and f.related_model is OrgUnit and not f.one_to_one and not f.unique
                    and f.name not in kept):
                out.append(UnitColumn(model, f.column, model._meta.db_table))
    return out


def unit_m2m_tables() -> list[tuple[str, str, str]]:
    """(table, unit column, other column) of every many-to-many to units."""
    out = []
    for model in apps.get_models():
        for f in model._meta.many_to_many:
            if f.related_model is OrgUnit and f.remote_field.through._meta.auto_created:
                through = f.remote_field.through
                out.append((through._meta.db_table, f.m2m_reverse_name(), f.m2m_column_name()))
    return out


# --------------------------------------------------------------------------- set-based rewrites

def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def rewrite_prefix(old: str, new: str) -> int:
    """Every row under ``old`` (the units themselves and every path column) now under ``new``: one UPDATE per
    table. Returns the rows rewritten. Paths hold digits and dots only, so ``LIKE`` needs no escaping."""
    if not old or "%" in old or "_" in old:
        raise ValueError(old)
    cut = len(old) + 1
    depth_shift = (len(new) - len(old)) // 6
    total = 0
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_q('orgs_orgunit')} SET {_q('path')} = CAST(%s AS VARCHAR(255)) || "
                    f"SUBSTR({_q('path')}, %s), {_q('depth')} = {_q('depth')} + %s WHERE {_q('path')} LIKE %s",
                    [new, cut, depth_shift, old + "%"])
        total += cur.rowcount
        for c in path_columns():
            cur.execute(f"UPDATE {_q(c.table)} SET {_q(c.column)} = CAST(%s AS VARCHAR(255)) || "
                        f"SUBSTR({_q(c.column)}, %s) WHERE {_q(c.column)} LIKE %s", [new, cut, old + "%"])
            total += cur.rowcount
    return total


def _repoint_own_rows(source: OrgUnit, target: OrgUnit) -> int:
    """The rows that sit on ``source`` itself (not under its children, which move on their own) now sit on
    ``target``: their path column set to the target's path, every foreign key re-pointed."""
    total = 0
    with connection.cursor() as cur:
        for c in path_columns():
            cur.execute(f"UPDATE {_q(c.table)} SET {_q(c.column)} = %s WHERE {_q(c.column)} = %s",
                        [target.path, source.path])
            total += cur.rowcount
        for c in unit_columns():
            cur.execute(f"UPDATE {_q(c.table)} SET {_q(c.column)} = %s WHERE {_q(c.column)} = %s",
                        [target.pk, source.pk])
            total += cur.rowcount
        for table, unit_col, other_col in unit_m2m_tables():
            cur.execute(f"UPDATE {_q(table)} SET {_q(unit_col)} = %s WHERE {_q(unit_col)} = %s AND {_q(other_col)} "
                        f"NOT IN (SELECT {_q(other_col)} FROM {_q(table)} WHERE {_q(unit_col)} = %s)",
                        [target.pk, source.pk, target.pk])
            total += cur.rowcount
            cur.execute(f"DELETE FROM {_q(table)} WHERE {_q(unit_col)} = %s", [source.pk])
    return total


# --------------------------------------------------------------------------- checks

def may_restructure(actor, unit: OrgUnit) -> bool:
    """Taking a unit out of its place (move, split, merge away) needs the right to change the tree above it."""
    if unit.parent_id is None:
        return permissions.can_manage_everything(actor)
    return permissions.can_change_org_unit(actor, unit.parent)


def _check_live(unit: OrgUnit, field_name: str, errors: ErrorCollector) -> None:
    if unit.ended_on is not None:
        errors.add(field_name, _("“%(n)s”已于%(d)s撤销，不能再调整") % {"n": unit.name, "d": unit.ended_on.isoformat()})


def _check_fits(unit: OrgUnit, parent: OrgUnit, field_name: str, errors: ErrorCollector) -> None:
    if parent.path.startswith(unit.path):
        errors.add(field_name, _("不能把“%(n)s”移到它自己或它的下级单元“%(p)s”之下") % {"n": unit.name, "p": parent.name})
        return
    rank, parent_rank = KIND_RANK.get(unit.kind), KIND_RANK.get(parent.kind)
    if rank is not None and parent_rank is not None and parent_rank >= rank:
        errors.add(field_name, _("%(kind)s“%(n)s”不能放在%(pkind)s“%(p)s”之下")
                   % {"kind": OrgUnitKind(unit.kind).label, "n": unit.name,
                      "pkind": OrgUnitKind(parent.kind).label, "p": parent.name})


def _effective(effective_on) -> dt.date:
    return effective_on or timezone.localdate()


def _record(*, kind: str, unit: OrgUnit, actor, effective_on: dt.date, note: str) -> UnitChange:
    return UnitChange.objects.create(kind=kind, unit=unit, effective_on=effective_on, actor=actor if getattr(
        actor, "pk", None) else None, actor_name=getattr(actor, "username", "") or "", note=(note or "").strip()[:300])


def _new_place(parent: OrgUnit) -> str:
    """A fresh path under ``parent`` (locked), its counter moved on."""
    locked = OrgUnit.objects.select_for_update().get(pk=parent.pk)
    OrgUnit.objects.filter(pk=parent.pk).update(next_child=F("next_child") + 1)
    return locked.path + segment(locked.next_child)


def _move_locked(unit: OrgUnit, parent: OrgUnit, change: UnitChange) -> int:
    # Both rows locked (in id order) and read again: a change that committed meanwhile may have moved either.
    locked = {u.pk: u for u in OrgUnit.objects.select_for_update().filter(pk__in=[unit.pk, parent.pk]).order_by("pk")}
    old = locked[unit.pk].path
    if locked[parent.pk].path.startswith(old):
        raise JicengError(_("不能把“%(n)s”移到它自己或它的下级单元“%(p)s”之下") % {"n": unit.name, "p": parent.name},
                          field="parent", code="cycle")
    new = _new_place(parent)
    rows = rewrite_prefix(old, new)
    OrgUnit.objects.filter(pk=unit.pk).update(parent=parent)
    UnitPathChange.objects.create(change=change, unit=unit, old_path=old, new_path=new)
    return rows


def _integrity(exc: IntegrityError):
    return JicengError(_("调整后会出现重复记录（例如同一人在承继单元已有相同角色），请先处理后再调整：%(e)s")
                       % {"e": str(exc).splitlines()[0][:200]}, field="target", code="conflict")


# --------------------------------------------------------------------------- move

def org_unit_move(*, actor, unit: OrgUnit, parent: OrgUnit, effective_on: dt.date | None = None,
                  note: str = "") -> UnitChange:
    """Move ``unit`` with its whole subtree under ``parent`` (迁移): its households, residents, records and the
    roles held on it follow; the unit keeps its id, so everything linked to it stays linked."""
    if not may_restructure(actor, unit):
        raise NotFoundError()
    if not permissions.can_change_org_unit(actor, parent):
        raise NotFoundError(_("目标上级单元不存在或不在您的管辖范围内"), field="parent")
    errors = ErrorCollector()
    _check_live(unit, "unit", errors)
    _check_live(parent, "parent", errors)
    if unit.parent_id == parent.pk:
        errors.add("parent", _("“%(n)s”已在“%(p)s”之下") % {"n": unit.name, "p": parent.name})
    _check_fits(unit, parent, "parent", errors)
    errors.raise_if_any()
    effective_on = _effective(effective_on)
    before = {"parent": unit.parent_id, "path": unit.path}
    try:
        with transaction.atomic():
            change = _record(kind=UnitChangeKind.MOVE, unit=unit, actor=actor, effective_on=effective_on, note=note)
            change.rows = _move_locked(unit, parent, change)
            change.save(update_fields=["rows"])
            unit.refresh_from_db()
            audit_log(actor=actor, action="orgs.unit.moved", obj=unit, before=before,
                      after={"parent": parent.pk, "path": unit.path, "effective_on": effective_on.isoformat(),
                             "rows": change.rows})
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return change


# --------------------------------------------------------------------------- split

@dataclass
class SplitPart:
    """One unit a split makes: its name and code, and the child units (ids) it takes."""

    name: str
    code: str
    children: list[int] = field(default_factory=list)


def org_unit_split(*, actor, unit: OrgUnit, parts: list[SplitPart], effective_on: dt.date | None = None,
                   note: str = "") -> UnitChange:
    """Split ``unit`` into two or more new units of its kind beside it (拆分). Every child unit goes to exactly
    one part, with its households and records; what sits on the unit itself (households living directly in
    it, its records, the roles held on it) goes to the first part. The unit ends, naming the first part as its
    successor."""
    if not may_restructure(actor, unit):
        raise NotFoundError()
    errors = ErrorCollector()
    _check_live(unit, "unit", errors)
    if unit.parent_id is None:
        errors.add("unit", _("顶级单元不能拆分"))
    if len(parts) < 2:
        errors.add("parts", _("拆分至少要有两个新单元"))
    children = {c.pk: c for c in OrgUnit.objects.filter(parent=unit, ended_on__isnull=True)}
    seen: dict[int, int] = {}
    codes: set[str] = set()
    for i, part in enumerate(parts, start=1):
        _validate(kind=unit.kind, name=part.name, code=part.code, party_org_kind="", errors=errors)
        if part.code.strip() in codes:
            errors.add("code", _("第%(i)s个新单元的编码“%(c)s”与前面的重复") % {"i": i, "c": part.code})
        codes.add(part.code.strip())
        for cid in part.children:
            if cid not in children:
                errors.add("children", _("第%(i)s个新单元分到的单元（编号%(id)s）不是“%(n)s”的下级单元")
                           % {"i": i, "id": cid, "n": unit.name})
            elif cid in seen:
                errors.add("children", _("下级单元“%(c)s”同时分给了第%(a)s个和第%(b)s个新单元")
                           % {"c": children[cid].name, "a": seen[cid], "b": i})
            else:
                seen[cid] = i
    left = [c.name for pk, c in children.items() if pk not in seen]
    if left:
        errors.add("children", _("下级单元未分配：%(names)s") % {"names": "、".join(left)})
    errors.raise_if_any()
    effective_on = _effective(effective_on)
    parent = unit.parent
    try:
        with transaction.atomic():
            change = _record(kind=UnitChangeKind.SPLIT, unit=unit, actor=actor, effective_on=effective_on, note=note)
            made = []
            for part in parts:
                path = _new_place(parent)
                # "甲社区党委" becomes "甲东社区党委"; a party organisation named otherwise is set up anew.
                party_name = (part.name.strip() + unit.party_org_name[len(unit.name):]
                              if unit.party_org_name and unit.party_org_name.startswith(unit.name) else "")
                made.append(OrgUnit.objects.create(
                    parent=parent, path=path, depth=parent.depth + 1, kind=unit.kind, name=part.name.strip(),
                    code=part.code.strip(), party_org_kind=unit.party_org_kind if party_name else "",
                    party_org_name=party_name, lat=unit.lat, long=unit.long))
            rows = 0
            for new_unit, part in zip(made, parts):
                for cid in part.children:
                    rows += _move_locked(children[cid], new_unit, change)
            rows += _repoint_own_rows(unit, made[0])
            for new_unit in made:
                # Everything now in a part came from the unit: the part's prefix maps back to the unit's.
                UnitPathChange.objects.create(change=change, unit=new_unit, old_path=unit.path, new_path=new_unit.path,
                                              part=True)
            OrgUnit.objects.filter(pk=unit.pk).update(ended_on=effective_on, successor=made[0], is_active=False)
            change.rows = rows
            change.save(update_fields=["rows"])
            audit_log(actor=actor, action="orgs.unit.split", obj=unit,
                      before={"path": unit.path, "children": sorted(children)},
                      after={"parts": [{"id": u.pk, "name": u.name, "path": u.path, "children": p.children}
                                       for u, p in zip(made, parts)],
                             "effective_on": effective_on.isoformat(), "rows": rows})
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return change


# --------------------------------------------------------------------------- merge

def org_unit_merge(*, actor, sources: list[OrgUnit], target: OrgUnit, effective_on: dt.date | None = None,
                   note: str = "") -> UnitChange:
    """Merge ``sources`` into ``target`` (合并), units of one kind: the sources' child units move under the
    target with their subtrees, what sits on a source itself (households, records, roles) moves onto the
    target, and each source ends, naming the target as its successor."""
    if not sources:
        raise JicengError(_("请选择要并入的单元"), field="sources")
    if not permissions.can_change_org_unit(actor, target):
        raise NotFoundError(_("目标单元不存在或不在您的管辖范围内"), field="target")
    for s in sources:
        if not may_restructure(actor, s):
            raise NotFoundError(_("要并入的单元不存在或不在您的管辖范围内"), field="sources")
    errors = ErrorCollector()
    _check_live(target, "target", errors)
    ids = set()
    for s in sources:
        _check_live(s, "sources", errors)
        if s.pk == target.pk:
            errors.add("sources", _("不能把“%(n)s”并入它自己") % {"n": s.name})
        elif s.pk in ids:
            errors.add("sources", _("“%(n)s”选了两次") % {"n": s.name})
        elif target.path.startswith(s.path) or s.path.startswith(target.path):
            errors.add("sources", _("“%(n)s”与“%(t)s”是上下级关系，不能合并") % {"n": s.name, "t": target.name})
        elif s.kind != target.kind:
            errors.add("sources", _("只能合并同类单元：“%(n)s”是%(k)s，“%(t)s”是%(tk)s")
                       % {"n": s.name, "k": OrgUnitKind(s.kind).label, "t": target.name,
                          "tk": OrgUnitKind(target.kind).label})
        ids.add(s.pk)
    errors.raise_if_any()
    effective_on = _effective(effective_on)
    try:
        with transaction.atomic():
            rows = 0
            first = None
            for s in sources:
                change = _record(kind=UnitChangeKind.MERGE, unit=s, actor=actor, effective_on=effective_on, note=note)
                first = first or change
                moved, n = [], 0
                for child in OrgUnit.objects.filter(parent=s).order_by("path"):
                    n += _move_locked(child, target, change)
                    moved.append(child.pk)
                n += _repoint_own_rows(s, target)
                rows += n
                OrgUnit.objects.filter(pk=s.pk).update(ended_on=effective_on, successor=target, is_active=False)
                change.rows = n
                change.save(update_fields=["rows"])
                audit_log(actor=actor, action="orgs.unit.merged", obj=s, before={"path": s.path},
                          after={"target": target.pk, "target_path": target.path, "children": moved,
                                 "effective_on": effective_on.isoformat()})
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return first


# --------------------------------------------------------------------------- figures as the tree was

def _forward(path: str, changes: list[UnitPathChange]) -> str:
    """Where rows that sat under ``path`` (after the changes before ``changes``) sit now."""
    for pc in changes:
        if not pc.part and path.startswith(pc.old_path):
            path = pc.new_path + path[len(pc.old_path):]
    return path


def _outermost(paths: list[str]) -> list[str]:
    """``paths`` without those nested in another of them (a subtree is counted once)."""
    uniq = sorted(set(paths))
    return [p for p in uniq if not any(p != o and p.startswith(o) for o in uniq)]


def figure_value_as_was(figure, unit: OrgUnit, period) -> int:
    """A figure of ``unit`` for ``period`` with the tree as it was when the period closed: the subtrees that
    moved away since are counted where they now sit, the ones that moved in are left out. Figures add up
    records, so each moved subtree is one piece; a unit split since counts its parts, a unit that did not
    exist then counts nothing, and rows sealed where they were written (a hashed ledger) are found at the old
    prefix. What sat on a unit merged away itself (not under a child) is counted with the unit it was merged
    into: after the merge the two cannot be told apart."""
    from jiceng.core.modules import resolve

    value = resolve(figure.value)
    later = list(UnitPathChange.objects.filter(change__effective_on__gt=period.end)
                 .select_related("change").order_by("change__effective_on", "change_id", "id"))
    now = OrgUnit.objects.get(pk=unit.pk)
    # The unit's path when the period closed: undo the later subtree moves, newest first.
    then = now.path
    for pc in reversed(later):
        if not pc.part and then.startswith(pc.new_path):
            then = pc.old_path + then[len(pc.new_path):]
    live = now.ended_on is None
    added, removed, left = [], [], []
    for i, pc in enumerate(later):
        where = _forward(pc.new_path, later[i + 1:])
        was_in = pc.old_path.startswith(then)
        is_in = live and where.startswith(now.path)
        if was_in and not is_in:
            added.append(where)
        elif is_in and not was_in:
            removed.append(where)
        if was_in and not (live and pc.old_path.startswith(now.path)):
            # Sealed rows (a hashed ledger's entries) stayed at the old prefix; paths are never reused, so
            # whatever sits there now is exactly what was left behind.
            left.append(pc.old_path)
    total = value(now, period) if live else 0
    for where in _outermost(added) + _outermost(left):
        total += value(OrgUnit(pk=unit.pk, path=where), period)
    for where in _outermost(removed):
        total -= value(OrgUnit(pk=unit.pk, path=where), period)
    return total
