"""Writes to the organisation tree."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log, diff
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError, PermissionDeniedError

from .models import DIVISION_CODE_KINDS, SEGMENT_WIDTH, OrgUnit, OrgUnitKind, PartyOrgKind

DIVISION_CODE_RE = re.compile(r"^\d{12}$")


def segment(n: int) -> str:
    if n >= 10**SEGMENT_WIDTH:
        raise JicengError(_("同一上级下的单元数量超过上限"), field="parent", code="tree_full")
    return f"{n:0{SEGMENT_WIDTH}d}."


def _snapshot(unit: OrgUnit) -> dict:
    return {
        "parent": unit.parent_id, "path": unit.path, "kind": unit.kind, "name": unit.name, "code": unit.code,
        "party_org_kind": unit.party_org_kind, "party_org_name": unit.party_org_name, "is_active": unit.is_active,
        "lat": None if unit.lat is None else str(unit.lat), "long": None if unit.long is None else str(unit.long),
    }


def _centre(lat, long, errors: ErrorCollector):
    """(lat, long) as Decimals of the columns' precision, or (None, None) when neither is given."""
    if lat in (None, "") and long in (None, ""):
        return None, None
    if lat in (None, "") or long in (None, ""):
        errors.add("lat", _("中心点的纬度和经度需同时填写"))
        return None, None
    try:
        la, lo = Decimal(str(lat)).quantize(Decimal("0.000001")), Decimal(str(long)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors.add("lat", _("中心点的纬度、经度应为数字"))
        return None, None
    if not (-90 <= la <= 90 and -180 <= lo <= 180):
        errors.add("lat", _("中心点的纬度应在 -90 到 90 之间，经度在 -180 到 180 之间"))
        return None, None
    return la, lo


def _validate(*, kind: str, name: str, code: str, party_org_kind: str, errors: ErrorCollector,
              exclude_id: int | None = None) -> None:
    if kind not in OrgUnitKind.values:
        errors.add("kind", _("未知的单元类型：%(kind)s") % {"kind": kind})
    if not (name or "").strip():
        errors.add("name", _("请填写名称"))
    code = (code or "").strip()
    if not code:
        errors.add("code", _("请填写编码"))
    elif kind in DIVISION_CODE_KINDS and not DIVISION_CODE_RE.match(code):
        errors.add("code", _("%(kind)s的编码应为12位统计用区划代码，收到“%(code)s”")
                   % {"kind": OrgUnitKind(kind).label, "code": code})
    elif OrgUnit.objects.filter(code=code).exclude(pk=exclude_id).exists():
        errors.add("code", _("编码“%(code)s”已被其他单元使用") % {"code": code})
    if party_org_kind and party_org_kind not in PartyOrgKind.values:
        errors.add("party_org_kind", _("未知的党组织类型：%(kind)s") % {"kind": party_org_kind})


def org_unit_create(*, actor, parent: OrgUnit | None, kind: str, name: str, code: str,
                    party_org_kind: str = "", party_org_name: str = "", sort_order: int = 0, lat=None,
                    long=None) -> OrgUnit:
    """Add a unit under ``parent`` (or a new root, for administrators of everything)."""
    if parent is None:
        if not permissions.can_manage_everything(actor):
            raise PermissionDeniedError(_("只有系统管理员可以创建顶级单元"))
    elif not permissions.can_change_org_unit(actor, parent):
        raise NotFoundError(field="parent")
    errors = ErrorCollector()
    _validate(kind=kind, name=name, code=code, party_org_kind=party_org_kind, errors=errors)
    lat, long = _centre(lat, long, errors)
    errors.raise_if_any()
    with transaction.atomic():
        if parent is not None:
            locked = OrgUnit.objects.select_for_update().get(pk=parent.pk)
            seq = locked.next_child
            OrgUnit.objects.filter(pk=parent.pk).update(next_child=F("next_child") + 1)
            path, depth = locked.path + segment(seq), locked.depth + 1
        else:
            last = OrgUnit.objects.select_for_update().filter(parent__isnull=True).order_by("-path").first()
            seq = int(last.path[:SEGMENT_WIDTH]) + 1 if last else 1
            path, depth = segment(seq), 0
        unit = OrgUnit.objects.create(
            parent=parent, path=path, depth=depth, kind=kind, name=name.strip(), code=code.strip(),
            party_org_kind=party_org_kind or "", party_org_name=(party_org_name or "").strip(),
            sort_order=sort_order, lat=lat, long=long,
        )
        audit_log(actor=actor, action="orgs.unit.created", obj=unit, after=_snapshot(unit))
    return unit


def org_unit_update(*, actor, unit: OrgUnit, **changes) -> OrgUnit:
    """Change a unit's name, code, kind or party organisation (not its place in the tree)."""
    if not permissions.can_change_org_unit(actor, unit):
        raise NotFoundError()
    allowed = {"name", "code", "kind", "party_org_kind", "party_org_name", "sort_order", "is_active", "lat", "long"}
    unknown = set(changes) - allowed
    if unknown:
        raise JicengError(_("不能修改字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    merged = {**_snapshot(unit), **changes}
    errors = ErrorCollector()
    _validate(kind=merged["kind"], name=merged["name"], code=merged["code"],
              party_org_kind=merged["party_org_kind"], errors=errors, exclude_id=unit.pk)
    if "lat" in changes or "long" in changes:
        changes["lat"], changes["long"] = _centre(merged["lat"], merged["long"], errors)
    errors.raise_if_any()
    with transaction.atomic():
        locked = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        before = _snapshot(locked)
        for key, value in changes.items():
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
        locked.save(update_fields=list(changes))
        b, a = diff(before, _snapshot(locked))
        if a:
            audit_log(actor=actor, action="orgs.unit.updated", obj=locked, before=b, after=a)
    return locked
