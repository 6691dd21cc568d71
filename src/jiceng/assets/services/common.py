"""What the collective economy's services share: permission checks, dates, the unit a record belongs to."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import OrgUnit, OrgUnitKind

from .. import permissions

# Units that keep a collective register: villages, communities and relocation sites.
ECONOMY_UNIT_KINDS = (OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY, OrgUnitKind.RELOCATION_SITE)


def need(check, actor, path: str) -> None:
    if not check(actor, path):
        raise PermissionDeniedError()


def economy_unit(unit, field: str = "org_unit") -> OrgUnit:
    if unit is None:
        raise JicengError(_("请选择村（社区）"), field=field)
    if unit.kind not in ECONOMY_UNIT_KINDS:
        raise JicengError(_("“%(u)s”不是村或社区，集体资产登记在村（社区）") % {"u": unit.name}, field=field)
    return unit


def day(value, field: str, errors, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("请填写%(n)s") % {"n": label})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, _("%(n)s应为日期，如 2026-03-01") % {"n": label})
        return None


def text(value, field: str, errors, label: str, *, max_length: int, required: bool = True) -> str:
    v = (value or "").strip()
    if required and not v:
        errors.add(field, _("请填写%(n)s") % {"n": label})
    elif len(v) > max_length:
        errors.add(field, _("%(n)s最多 %(m)d 个字") % {"n": label, "m": max_length})
    return v


def locked(model, pk):
    return model.objects.unscoped(AUTHORISED).select_for_update().get(pk=pk)


def site_of(path: str) -> OrgUnit:
    """The site a path belongs to: the root of its tree (the street or township)."""
    return OrgUnit.objects.get(path=path.split(".")[0] + ".")
