"""A site's points rules (积分规则)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, PermissionDeniedError
from jiceng.orgs.models import OrgUnit

from .. import permissions
from ..models import CadreRules

RULE_FIELDS = ("base_points", "on_time_points", "excellent_points", "late_points", "not_done_points", "appeal_days",
               "remind_days", "report_on_time_points", "report_late_points", "visit_on_time_points",
               "visit_late_points")


def site_of(path: str) -> OrgUnit:
    """The site a path belongs to: the root of its tree (the street or township)."""
    return OrgUnit.objects.get(path=path.split(".")[0] + ".")


def rules_for(site) -> CadreRules:
    found = CadreRules.objects.filter(site=site).first()
    return found or CadreRules(site=site)


def rules_update(*, actor, site, **values) -> CadreRules:
    if not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    clean = errors.integers(values, RULE_FIELDS, high=1000)
    if clean.get("appeal_days") == 0:
        errors.add("appeal_days", _("申诉期限至少 1 天"))
    errors.raise_if_any()
    with transaction.atomic():
        rules = CadreRules.objects.select_for_update().filter(site=site).first() or CadreRules(site=site)
        before = {n: getattr(rules, n) for n in RULE_FIELDS}
        for n, v in clean.items():
            setattr(rules, n, v)
        rules.save()
        audit_log(actor=actor, action="cadre.rules.updated", obj=rules, object_repr=site.name, org_path=site.path,
                  before=before, after={n: getattr(rules, n) for n in RULE_FIELDS})
    return rules
