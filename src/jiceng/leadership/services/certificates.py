"""The register of certificate requests (证明事项) sent to villages and communities. Recording one runs the same
``push_down`` rule as a task or a case pushed down: a certificate on the negative list (无犯罪记录证明,
亲属关系证明…) is refused naming the list item — the refusal recorded, nothing else written — unless a recorded
approval covers it. The village answers each request: issued, or refused with a reason."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.modules import checks_run
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import path_and_ancestors

from .. import permissions
from ..models import CertificateAnswer, CertificateRequest, PushDownApproval
from .duties import push_down_match
from .teams import TEAM_UNIT_KINDS, _date

SOURCE_TYPE = "certificate"


def certificate_subject(title: str, requester: str) -> str:
    """What the negative list is matched against, and what a refusal records: the certificate and who asked."""
    return f"{(title or '').strip()}（{(requester or '').strip()}）"


def _covering_approval(unit, subject: str, today):
    found = push_down_match(unit, subject)
    if found is None:
        return None
    return (PushDownApproval.objects.unscoped("the approval that lets a push-down through")
            .filter(item=found[0], org_path__in=path_and_ancestors(unit.path), valid_until__gte=today)
            .order_by("-valid_until", "-pk").first())


def certificate_request_record(*, actor, org_unit, requester: str, title: str, reason: str, requested_on,
                               resident=None, now=None) -> CertificateRequest:
    """Register a certificate an office asks a village or community for (证明事项索要登记)."""
    if org_unit is None:
        raise JicengError(_("请选择村（社区）"), field="org_unit")
    if not permissions.can_nominate(actor, org_unit.path):
        raise PermissionDeniedError()
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = ErrorCollector()
    requester, title, reason = (requester or "").strip(), (title or "").strip(), (reason or "").strip()
    if org_unit.kind not in TEAM_UNIT_KINDS:
        errors.add("org_unit", _("证明事项登记在村（社区），“%(u)s”不是") % {"u": org_unit.name})
    if not requester:
        errors.add("requester", _("请填写索要单位（部门）"))
    if not title:
        errors.add("title", _("请填写证明事项"))
    if not reason:
        errors.add("reason", _("请填写索要事由"))
    requested_on = _date(requested_on, "requested_on", errors, _("索要日期"))
    if requested_on is not None and requested_on > today:
        errors.add("requested_on", _("索要日期不能晚于今天"))
    if resident is not None and not resident.org_path.startswith(org_unit.path):
        errors.add("resident", _("该居民不在%(u)s的人口登记里") % {"u": org_unit.name})
    errors.raise_if_any()
    subject = certificate_subject(title, requester)
    # A certificate on the negative list is refused, the item named and the refusal recorded, unless approved.
    checks_run("push_down", actor=actor, unit=org_unit, subject=subject, source_type=SOURCE_TYPE, field="title",
               now=now)
    approval = _covering_approval(org_unit, subject, today)
    with transaction.atomic():
        req = CertificateRequest.objects.create(
            org_unit=org_unit, org_path=org_unit.path, requester=requester[:100], title=title[:100],
            resident=resident, reason=reason[:300], requested_on=requested_on, approval=approval, created_by=actor)
        audit_log(actor=actor, action="leadership.certificate.requested", obj=req,
                  object_repr=f"{org_unit.name} {req}", org_path=org_unit.path,
                  after={"requester": req.requester, "title": req.title, "approval": approval.pk if approval else None,
                         "resident": resident.pk if resident else None})
    return req


def certificate_request_answer(*, actor, request: CertificateRequest, issued: bool, note: str = "",
                               on=None) -> CertificateRequest:
    """The village's answer: the certificate issued (出具), or refused with a reason (不予出具)."""
    if request is None or not permissions.can_nominate(actor, request.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    note = (note or "").strip()
    if not issued and not note:
        errors.add("note", _("不予出具请写明理由"))
    on = _date(on, "on", errors, _("答复日期"), required=False) or timezone.localdate()
    if on < request.requested_on:
        errors.add("on", _("答复日期早于索要日期 %(d)s") % {"d": request.requested_on})
    elif on > timezone.localdate():
        errors.add("on", _("答复日期不能晚于今天"))
    errors.raise_if_any()
    with transaction.atomic():
        req = CertificateRequest.objects.unscoped(AUTHORISED).select_for_update().get(pk=request.pk)
        if req.answer != CertificateAnswer.PENDING:
            raise JicengError(_("该证明事项已于 %(d)s 答复：%(a)s") % {"d": req.answered_on, "a": req.get_answer_display()},
                              field="answer", code="answered")
        req.answer = CertificateAnswer.ISSUED if issued else CertificateAnswer.REFUSED
        req.answer_note, req.answered_on, req.answered_by = note[:300], on, actor
        req.save(update_fields=["answer", "answer_note", "answered_on", "answered_by"])
        audit_log(actor=actor, action="leadership.certificate.answered", obj=req, object_repr=str(req),
                  org_path=req.org_path, after={"answer": req.answer, "note": req.answer_note})
    return req
