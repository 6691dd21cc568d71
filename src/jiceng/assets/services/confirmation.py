"""Rights confirmation (产权确权): village applies → township reviews → district approves.

The chain is enforced: a step only from the state before it (no skipping), by a role of its stage (the three
stages' roles are disjoint), and by a person who took no other step of the same round (a round starts at each
application). A reviewer or approver may return the project, and the village applies again. Every step is
stored, dated, with its comment; the project's file (一项目一档案) holds its documents and steps."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.scope import roles_of
from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError

from .. import permissions
from ..models import (
    Asset, ConfirmationDecision, ConfirmationDocument, ConfirmationProject, ConfirmationStage, ConfirmationStatus,
    ConfirmationStep,
)
from ..roles import ASSETS_APPLY_ROLES, ASSETS_APPROVE_ROLES, ASSETS_REVIEW_ROLES
from .common import economy_unit, locked, need, text
from .money import yuan

# stage: (the state it starts from, the purpose it needs, the roles that serve it, the state a pass leads to)
STAGES = {
    ConfirmationStage.APPLY: ((ConfirmationStatus.DRAFT, ConfirmationStatus.RETURNED), "assets_apply",
                              ASSETS_APPLY_ROLES, ConfirmationStatus.APPLIED),
    ConfirmationStage.REVIEW: ((ConfirmationStatus.APPLIED,), "assets_review", ASSETS_REVIEW_ROLES,
                               ConfirmationStatus.REVIEWED),
    ConfirmationStage.APPROVE: ((ConfirmationStatus.REVIEWED,), "assets_approve", ASSETS_APPROVE_ROLES,
                                ConfirmationStatus.APPROVED),
}
# What the project waits for in each state: the stage that may act next.
NEXT_STAGE = {ConfirmationStatus.DRAFT: ConfirmationStage.APPLY, ConfirmationStatus.RETURNED: ConfirmationStage.APPLY,
              ConfirmationStatus.APPLIED: ConfirmationStage.REVIEW,
              ConfirmationStatus.REVIEWED: ConfirmationStage.APPROVE}


def confirmation_create(*, actor, org_unit, title: str, value, asset: Asset | None = None) -> ConfirmationProject:
    """Open a project's file (建档) for a village; it is applied for with ``confirmation_step``."""
    org_unit = economy_unit(org_unit)
    need(permissions.can_keep, actor, org_unit.path)
    errors = ErrorCollector()
    title = text(title, "title", errors, _("项目名称"), max_length=100)
    value = yuan(value, "value", errors, label=_("确权价值"))
    if asset is not None and asset.org_unit_id != org_unit.pk:
        errors.add("asset", _("资产“%(a)s”不属于%(u)s") % {"a": asset.name, "u": org_unit.name})
    errors.raise_if_any()
    with transaction.atomic():
        p = ConfirmationProject.objects.create(org_unit=org_unit, org_path=org_unit.path, asset=asset, title=title,
                                               value=value, created_by=actor)
        audit_log(actor=actor, action="assets.confirmation.created", obj=p, object_repr=f"{org_unit.name} {title}",
                  after={"value": str(value)})
    return p


def _role_for(actor, stage_roles) -> str:
    if actor.is_superuser:
        return "superuser"
    held = sorted(roles_of(actor) & set(stage_roles))
    return held[0] if held else ""


def confirmation_step(*, actor, project: ConfirmationProject, stage: str, decision: str, comment: str = "",
                      now=None) -> ConfirmationStep:
    """Take one step of the chain: ``apply`` (submit), ``review`` or ``approve`` (pass or return)."""
    now = now or timezone.now()
    if stage not in STAGES:
        raise JicengError(_("没有这个环节"), field="stage")
    from_states, purpose, roles, passes_to = STAGES[stage]
    if not permissions.path_in_scope(actor, project.org_path, purpose=purpose):
        raise PermissionDeniedError(_("%(s)s须由%(r)s办理") % {
            "s": ConfirmationStage(stage).label,
            "r": {"apply": _("村（社区）"), "review": _("乡镇（街道）"), "approve": _("区级审批人")}[stage]})
    allowed = (ConfirmationDecision.SUBMIT,) if stage == ConfirmationStage.APPLY else (
        ConfirmationDecision.PASS, ConfirmationDecision.RETURN)
    if decision not in allowed:
        raise JicengError(_("该环节的意见只能是：%(d)s") % {"d": "、".join(str(ConfirmationDecision(d).label) for d in allowed)},
                          field="decision")
    comment = (comment or "").strip()
    if decision == ConfirmationDecision.RETURN and not comment:
        raise JicengError(_("退回须写明原因"), field="comment")
    with transaction.atomic():
        p = locked(ConfirmationProject, project.pk)
        if p.status not in from_states:
            waiting = NEXT_STAGE.get(p.status)
            raise JicengError(_("项目当前状态为“%(s)s”，不能办理%(t)s%(w)s") % {
                "s": ConfirmationStatus(p.status).label, "t": ConfirmationStage(stage).label,
                "w": (_("（应先办理：%(n)s）") % {"n": ConfirmationStage(waiting).label}) if waiting else ""},
                field="stage", code="out_of_order")
        steps = list(ConfirmationStep.objects.within(p.org_path).filter(project=p).order_by("seq"))
        # The round: the steps since the last application (a return ends a round; the new one starts anew).
        this_round = []
        for s in steps:
            if s.stage == ConfirmationStage.APPLY:
                this_round = [s]
            else:
                this_round.append(s)
        if stage != ConfirmationStage.APPLY and any(s.actor_id == actor.pk for s in this_round):
            taken = next(s for s in this_round if s.actor_id == actor.pk)
            raise JicengError(_("同一人不能办理两个环节：您已办理%(s)s") % {"s": ConfirmationStage(taken.stage).label},
                              field="actor", code="same_person")
        seq = (steps[-1].seq if steps else 0) + 1
        step = ConfirmationStep.objects.create(
            project=p, org_path=p.org_path, seq=seq, stage=stage, decision=decision, actor=actor,
            actor_name=actor.get_full_name() or actor.username, role=_role_for(actor, roles), comment=comment, at=now)
        before = p.status
        if decision == ConfirmationDecision.RETURN:
            p.status = ConfirmationStatus.RETURNED
        else:
            p.status = passes_to
            if passes_to == ConfirmationStatus.APPROVED:
                p.approved_on = timezone.localdate(now)
        p.save(update_fields=["status", "approved_on"])
        audit_log(actor=actor, obj=p, action="assets.confirmation.apply" if stage == ConfirmationStage.APPLY else (
                  "assets.confirmation.review" if stage == ConfirmationStage.REVIEW else "assets.confirmation.approve"),
                  before={"status": before}, after={"status": p.status, "decision": decision, "comment": comment})
    return step


def confirmation_document_add(*, actor, project: ConfirmationProject, title: str, file) -> ConfirmationDocument:
    """Put a document in the project's file, at the stage the project waits for."""
    if not (permissions.can_keep(actor, project.org_path) or permissions.can_approve(actor, project.org_path)):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    title = text(title, "title", errors, _("名称"), max_length=100)
    if file is None:
        errors.add("file", _("请选择文件"))
    errors.raise_if_any()
    stage = NEXT_STAGE.get(project.status, ConfirmationStage.APPROVE)
    with transaction.atomic():
        d = ConfirmationDocument.objects.create(project=project, org_path=project.org_path, stage=stage, title=title,
                                                file=file, uploaded_by=actor)
        audit_log(actor=actor, action="assets.confirmation.document", obj=d, object_repr=f"{project.title} · {title}",
                  org_path=project.org_path)
    return d
