"""A site's points rules for cadre records (干部队伍积分规则) and the posting of those points on cadre work's
performance ledger: a posting review by its grade, a contact visit, a pledge kept or not at its check, a completed
job-shadowing placement. Each record posts the rule in force when it is made, once (its idempotency key), in the
record's own transaction; a rule of zero posts nothing."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.orgs.models import OrgUnit

from .. import permissions
from ..models import LeadershipRules, ReviewRating

RULE_FIELDS = ("review_excellent_points", "review_competent_points", "review_basic_points",
               "review_incompetent_points", "contact_visit_points", "pledge_kept_points", "pledge_broken_points",
               "shadowing_points")
RULE_LIMIT = 100  # each rule between -100 and 100
REVIEW_FIELD = {ReviewRating.EXCELLENT: "review_excellent_points", ReviewRating.COMPETENT: "review_competent_points",
                ReviewRating.BASIC: "review_basic_points", ReviewRating.INCOMPETENT: "review_incompetent_points"}


def site_of(path: str) -> OrgUnit:
    """The site a path belongs to: the root of its tree (the street or township)."""
    return OrgUnit.objects.get(path=path.split(".")[0] + ".")


def rules_for(site: OrgUnit) -> LeadershipRules:
    """The site's rules (all zero until its manager sets them)."""
    return LeadershipRules.objects.filter(site=site).first() or LeadershipRules(site=site)


def rules_for_path(path: str) -> LeadershipRules:
    return rules_for(site_of(path))


def rules_update(*, actor, site: OrgUnit, **values) -> LeadershipRules:
    """Change a site's points rules (the site's manager); audited with before and after. Records made before keep
    the points they posted."""
    if site is None or site.parent_id is not None or not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    unknown = sorted(set(values) - set(RULE_FIELDS))
    for name in unknown:
        errors.add(name, _("没有这项积分规则"))
    clean = errors.integers(values, RULE_FIELDS, low=-RULE_LIMIT, high=RULE_LIMIT)
    errors.raise_if_any()
    with transaction.atomic():
        rules = LeadershipRules.objects.select_for_update().filter(site=site).first() or LeadershipRules(site=site)
        before = {n: getattr(rules, n) for n in RULE_FIELDS}
        for n, v in clean.items():
            setattr(rules, n, v)
        rules.save()
        audit_log(actor=actor, action="leadership.rules.updated", obj=rules, object_repr=site.name, org_path=site.path,
                  before=before, after={n: getattr(rules, n) for n in RULE_FIELDS})
    return rules


def record_points(*, cadre, amount: int, on, kind: str, reason: str, key: str, source_type: str, source_id,
                  actor=None, now=None):
    """Post a record's points to the cadre's year of ``on`` (nothing for zero or no cadre), once for its key. Called
    inside the record's transaction, so the record and its points are written together or not at all."""
    if cadre is None or not amount:
        return None
    from jiceng.cadre.services.performance import performance_post_once

    if not transaction.get_connection().in_atomic_block:
        raise JicengError(_("积分须与记录在同一事务中记入"), field="points")
    entry, _created = performance_post_once(cadre=cadre, year=on.year, amount=amount, kind=kind, reason=reason,
                                            idempotency_key=key, source_type=source_type, source_id=source_id,
                                            actor=actor, now=now or timezone.now())
    return entry
