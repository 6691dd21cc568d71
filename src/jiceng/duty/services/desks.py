"""Desks (值班台), their daily QR code, and a site's duty rules (值班规则)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, PermissionDeniedError
from jiceng.orgs.models import OrgUnit, OrgUnitKind

from .. import permissions
from ..models import DutyDesk, DutyRules

RULE_FIELDS = ("kept_points", "late_points", "missed_points", "early_minutes", "late_minutes", "missed_minutes",
               "max_distance_m")
DESK_UNIT_KINDS = (OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE, OrgUnitKind.RELOCATION_SITE)


def site_of(path: str) -> OrgUnit:
    """The site a path belongs to: the root of its tree (the street or township)."""
    return OrgUnit.objects.get(path=path.split(".")[0] + ".")


def rules_for(site) -> DutyRules:
    return DutyRules.objects.filter(site=site).first() or DutyRules(site=site)


def rules_update(*, actor, site, **values) -> DutyRules:
    if not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    clean = errors.integers(values, RULE_FIELDS, high=10000)
    if clean.get("max_distance_m") == 0:
        errors.add("max_distance_m", _("签到距离上限至少 1 米"))
    if clean.get("missed_minutes") is not None and clean.get("late_minutes") is not None \
            and clean["missed_minutes"] < clean["late_minutes"]:
        errors.add("missed_minutes", _("记缺勤的时间不能早于迟到宽限"))
    errors.raise_if_any()
    with transaction.atomic():
        rules = DutyRules.objects.select_for_update().filter(site=site).first() or DutyRules(site=site)
        before = {n: getattr(rules, n) for n in RULE_FIELDS}
        for n, v in clean.items():
            setattr(rules, n, v)
        rules.save()
        audit_log(actor=actor, action="duty.rules.updated", obj=rules, object_repr=site.name, org_path=site.path,
                  before=before, after={n: getattr(rules, n) for n in RULE_FIELDS})
    return rules


def day_code(desk: DutyDesk, day: dt.date) -> str:
    """The desk's code for one local day (six digits): HMAC of the desk's secret over its id and the date. A
    photo of yesterday's QR code carries yesterday's code, which no longer matches."""
    mac = hmac.new(desk.secret.encode(), f"{desk.pk}:{day.isoformat()}".encode(), hashlib.sha256).hexdigest()
    return f"{int(mac[:12], 16) % 1_000_000:06d}"


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def parse_location(errors: ErrorCollector, lat, lng, field: str = "location"):
    """(lat, lng) as Decimals, or (None, None) when not given; a half or a bad pair is an error on ``field``."""
    if lat in (None, "") and lng in (None, ""):
        return None, None
    try:
        la, lo = Decimal(str(lat)), Decimal(str(lng))
        if not (-90 <= la <= 90 and -180 <= lo <= 180):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors.add(field, _("位置（经纬度）无效"))
        return None, None
    return la.quantize(Decimal("0.000001")), lo.quantize(Decimal("0.000001"))


def desk_create(*, actor, org_unit: OrgUnit | None, name: str, phone: str = "", address: str = "", lat=None,
                lng=None, days: str = "12345", now=None) -> DutyDesk:
    """A village's or community's desk, with a fresh secret for its daily QR code."""
    if org_unit is None or not permissions.can_manage(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("请填写值班台名称"))
    if org_unit.kind not in DESK_UNIT_KINDS:
        errors.add("org_unit", _("值班台应设在村或社区"))
    phone = (phone or "").strip()
    if phone and not all(c.isdigit() or c in "-+ " for c in phone):
        errors.add("phone", _("值班电话只能包含数字和“-”"))
    days = "".join(sorted(set(days or "")))
    if not days or any(c not in "1234567" for c in days):
        errors.add("days", _("请选择坐班日（1–7）"))
    la, lo = parse_location(errors, lat, lng, field="lat")
    errors.raise_if_any()
    with transaction.atomic():
        desk = DutyDesk.objects.create(org_unit=org_unit, org_path=org_unit.path, name=name[:100], phone=phone[:20],
                                       address=(address or "").strip()[:200], lat=la, lng=lo, days=days,
                                       secret=secrets.token_hex(16), created_by=actor, created_at=now or timezone.now())
        audit_log(actor=actor, action="duty.desk.created", obj=desk, object_repr=f"{org_unit.name} · {desk.name}",
                  after={"phone": desk.phone, "days": days})
    return desk
