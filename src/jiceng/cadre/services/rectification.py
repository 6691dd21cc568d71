"""Rectification plans for lagging units (一村一策): measures with owners and deadlines, evidence for each,
follow-up entries, and closing only when all of it is there."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.images import clean_photo
from jiceng.core.scope import AUTHORISED

from .. import permissions
from ..models import PlanFollowUp, PlanStatus, RankingBand, RectificationMeasure, RectificationPlan


def plan_create(*, actor, result, problems: str, owner, deadline, measures: list[dict], now=None) -> RectificationPlan:
    """A plan for a lagging unit: its problems, an owner and deadline, and at least one measure
    (``{"text", "owner", "deadline"}``)."""
    if not permissions.can_manage(actor, result.run.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if result.band != RankingBand.LAGGING:
        errors.add("result", _("只有后进单位需要制定整改方案"))
    if not (problems or "").strip():
        errors.add("problems", _("请填写存在问题"))
    if owner is None:
        errors.add("owner", _("请指定整改责任人"))
    if not deadline:
        errors.add("deadline", _("请填写整改时限"))
    clean = []
    for i, m in enumerate(measures or [], start=1):
        if not (m.get("text") or "").strip() and not m.get("owner") and not m.get("deadline"):
            continue
        if not (m.get("text") or "").strip() or m.get("owner") is None or not m.get("deadline"):
            errors.add("measures", _("第 %(i)d 条措施：请填写措施内容、责任人和完成时限") % {"i": i})
            continue
        clean.append(m)
    if not clean and "measures" not in errors.errors:
        errors.add("measures", _("至少需要一条整改措施"))
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic():
        if RectificationPlan.objects.unscoped(AUTHORISED).filter(result=result).exists():
            raise JicengError(_("该单位本期已有整改方案"), field="result", code="exists")
        plan = RectificationPlan.objects.create(result=result, org_unit=result.org_unit, org_path=result.org_path,
                                                problems=problems.strip(), owner=owner, deadline=deadline,
                                                created_by=actor, created_at=now)
        RectificationMeasure.objects.bulk_create([RectificationMeasure(
            plan=plan, text=m["text"].strip()[:300], owner=m["owner"], deadline=m["deadline"]) for m in clean])
        audit_log(actor=actor, action="cadre.plan.created", obj=plan, object_repr=result.org_unit.name,
                  after={"measures": len(clean)})
    return plan


def _may_work_on(actor, plan) -> bool:
    own = permissions.cadre_of(actor)
    return permissions.can_manage(actor, plan.org_path) or (own is not None and own.pk == plan.owner_id)


def measure_complete(*, actor, measure: RectificationMeasure, evidence: str = "", photo=None,
                     now=None) -> RectificationMeasure:
    """A measure done, with its evidence (text or photo), by its owner, the plan's owner or a manager."""
    plan = measure.plan
    own = permissions.cadre_of(actor)
    if not (_may_work_on(actor, plan) or (own is not None and own.pk == measure.owner_id)):
        raise PermissionDeniedError()
    if plan.status == PlanStatus.CLOSED:
        raise JicengError(_("方案已销号"), field="status", code="closed")
    evidence = (evidence or "").strip()
    if not evidence and not photo:
        raise JicengError(_("请填写完成情况或上传照片作为佐证"), field="evidence")
    cleaned = clean_photo(photo) if photo else None
    now = now or timezone.now()
    with transaction.atomic():
        m = RectificationMeasure.objects.select_for_update().get(pk=measure.pk)
        m.evidence, m.done_at, m.done_by = evidence[:5000], now, actor
        if cleaned is not None:
            m.photo.save(cleaned.name, cleaned, save=False)
        m.save()
        audit_log(actor=actor, action="cadre.measure.completed", obj=plan, object_repr=m.text[:80],
                  after={"measure": m.pk, "photo": bool(cleaned)})
    return m


def follow_up_add(*, actor, plan, note: str, now=None) -> PlanFollowUp:
    if not permissions.can_manage(actor, plan.org_path):
        raise PermissionDeniedError()
    note = (note or "").strip()
    if not note:
        raise JicengError(_("请填写跟踪情况"), field="note")
    with transaction.atomic():
        f = PlanFollowUp.objects.create(plan=plan, at=now or timezone.now(), by=actor, note=note[:5000])
        audit_log(actor=actor, action="cadre.plan.followed_up", obj=plan, after={"note": note[:200]})
    return f


def plan_close(*, actor, plan, now=None) -> RectificationPlan:
    """Close (销号) a plan: refused until every measure has its evidence and the plan has a follow-up entry."""
    if not permissions.can_manage(actor, plan.org_path):
        raise PermissionDeniedError()
    now = now or timezone.now()
    with transaction.atomic():
        locked = RectificationPlan.objects.unscoped(AUTHORISED).select_for_update().get(pk=plan.pk)
        if locked.status == PlanStatus.CLOSED:
            raise JicengError(_("方案已销号"), field="status", code="closed")
        errors = ErrorCollector()
        for m in locked.measures.all():
            if m.done_at is None:
                errors.add("measures", _("措施“%(m)s”还没有完成佐证") % {"m": m.text})
        if not locked.follow_ups.exists():
            errors.add("follow_ups", _("还没有跟踪督导记录，不能销号"))
        errors.raise_if_any(code="not_ready")
        locked.status, locked.closed_by, locked.closed_at = PlanStatus.CLOSED, actor, now
        locked.save(update_fields=["status", "closed_by", "closed_at"])
        audit_log(actor=actor, action="cadre.plan.closed", obj=locked)
    return locked
