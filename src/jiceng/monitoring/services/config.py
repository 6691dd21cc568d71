"""A site's monitoring configuration: income lines per year and province, risk rules, periods."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.orgs.models import OrgUnit

from .. import permissions
from ..models import RULE_THRESHOLDS, IncomeLine, MonitoringSettings, RiskRule, RuleCode


def site_of(path: str) -> OrgUnit:
    """The site a path belongs to: the root of its tree (the street or township)."""
    return OrgUnit.objects.get(path=path.split(".")[0] + ".")


def settings_for(site) -> MonitoringSettings:
    found = MonitoringSettings.objects.filter(site=site).first()
    return found or MonitoringSettings(site=site)


def income_line_for(site_settings: MonitoringSettings, year: int) -> Decimal | None:
    """The line for the profile's year in the site's province; None when the site has not set it."""
    return (IncomeLine.objects.filter(year=year, province_code=site_settings.province_code)
            .values_list("amount", flat=True).first())


def thresholds_for(site) -> dict[str, Decimal | None]:
    """{rule code: threshold} for the rules the site has on. A rule the site never touched is on."""
    rows = {r.code: r for r in RiskRule.objects.filter(site=site)}
    out = {}
    for code in RuleCode.values:
        row = rows.get(code)
        if row is None:
            out[code] = None
        elif row.enabled:
            out[code] = row.threshold
    return out


def _decimal(value, *, field: str, label: str, allow_none: bool = False) -> Decimal | None:
    if value in (None, "") and allow_none:
        return None
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise JicengError(_("%(l)s“%(v)s”不是数字") % {"l": label, "v": value}, field=field) from None
    if not d.is_finite():
        raise JicengError(_("%(l)s“%(v)s”不是数字") % {"l": label, "v": value}, field=field)
    if d < 0:
        raise JicengError(_("%(l)s不能为负数") % {"l": label}, field=field)
    if d >= Decimal(10) ** 10:
        raise JicengError(_("%(l)s数值过大") % {"l": label}, field=field)
    return d.quantize(Decimal("0.01"))


def can_set_income_lines(user) -> bool:
    """The line is the province's, shared by every site in it: the system administrator enters it from
    the province's notice; a township's staff cannot change it for their neighbours."""
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def income_line_set(*, actor, site, year: int, province_code: str, amount, note: str = "") -> IncomeLine:
    if not can_set_income_lines(actor):
        raise PermissionDeniedError(_("监测标准按省级文件由系统管理员设置"))
    if not (2000 <= int(year) <= 2100):
        raise JicengError(_("年度不正确"), field="year")
    if not (len(province_code) == 2 and province_code.isdigit()):
        raise JicengError(_("省级区划代码应为两位数字，如 53"), field="province_code")
    value = _decimal(amount, field="amount", label=_("监测标准"))
    if value <= 0:
        raise JicengError(_("监测标准应大于0"), field="amount")
    with transaction.atomic(durable=True):
        before = IncomeLine.objects.filter(year=year, province_code=province_code).first()
        line, _created = IncomeLine.objects.update_or_create(
            year=year, province_code=province_code, defaults={"amount": value, "note": note[:200]})
        audit_log(actor=actor, action="monitoring.income_line.set", obj=line, object_repr=f"{year}/{province_code}",
                  org_path=site.path, before={"amount": before.amount} if before else None, after={"amount": value})
    return line


def rule_update(*, actor, site, code: str, enabled: bool, threshold=None) -> RiskRule:
    if not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    with transaction.atomic(durable=True):
        return _rule_save(actor=actor, site=site, code=code, enabled=enabled, threshold=threshold)


def _rule_save(*, actor, site, code: str, enabled: bool, threshold=None) -> RiskRule:
    if code not in RuleCode.values:
        raise JicengError(_("未知的规则"), field="code")
    value = _decimal(threshold, field="threshold", label=_("阈值"), allow_none=True) if code in RULE_THRESHOLDS else None
    if code in (RuleCode.INCOME_DROP, RuleCode.RIGID_EXPENSE) and value is not None and value > 1000:
        raise JicengError(_("百分比阈值不能超过1000"), field="threshold")
    with transaction.atomic():
        before = RiskRule.objects.filter(site=site, code=code).first()
        rule, _c = RiskRule.objects.update_or_create(site=site, code=code,
                                                     defaults={"enabled": enabled, "threshold": value})
        audit_log(actor=actor, action="monitoring.rule.updated", obj=rule, object_repr=RuleCode(code).label,
                  org_path=site.path,
                  before={"enabled": before.enabled, "threshold": before.threshold} if before else None,
                  after={"enabled": enabled, "threshold": value})
    return rule


def rules_update(*, actor, site, rules: dict) -> list[RiskRule]:
    """Save every rule of a site at once ({code: (enabled, threshold)}): all or none. The re-run over
    the site's profiles is queued once the change has committed."""
    if not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    saved = []
    with transaction.atomic(durable=True):
        for code, (enabled, threshold) in rules.items():
            saved.append(_rule_save(actor=actor, site=site, code=code, enabled=enabled, threshold=threshold))
        from ..tasks import rerun_rules

        transaction.on_commit(lambda: rerun_rules(site.path))
    return saved


SETTING_FIELDS = ("province_code", "posting_days", "observation_months", "visit_interval_days",
                  "visit_reminder_days", "verification_days")


def settings_update(*, actor, site, **values) -> MonitoringSettings:
    if not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    s = settings_for(site)
    before = {f: getattr(s, f) for f in SETTING_FIELDS}
    for f in SETTING_FIELDS:
        if f in values:
            setattr(s, f, values[f])
    if not (len(str(s.province_code)) == 2 and str(s.province_code).isdigit()):
        raise JicengError(_("省级区划代码应为两位数字，如 53"), field="province_code")
    for f in SETTING_FIELDS[1:]:
        if int(getattr(s, f)) < 1 or int(getattr(s, f)) > 400:
            raise JicengError(_("应为1到400之间的整数"), field=f)
    with transaction.atomic(durable=True):
        s.save()
        audit_log(actor=actor, action="monitoring.settings.updated", obj=site, before=before,
                  after={f: getattr(s, f) for f in SETTING_FIELDS})
    return s
