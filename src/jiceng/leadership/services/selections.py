"""Selections and honours (评选表彰): nominate → review → publicity on the notice board → award; objections
during publicity; commendations received (锦旗、感谢信)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED

from .. import permissions
from ..models import (
    Commendation, CommendationKind, Nomination, NominationStatus, ObjectionStatus, Selection, SelectionKind,
    SelectionObjection, SelectionStatus,
)


def _locked(model, pk):
    return model.objects.unscoped(AUTHORISED).select_for_update().get(pk=pk)


def selection_create(*, actor, org_unit, title: str, kind: str, year, publicity_days=5, quota=None) -> Selection:
    if org_unit is None or not permissions.can_manage(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    title = (title or "").strip()
    if not title:
        errors.add("title", _("请填写评选名称"))
    if kind not in SelectionKind.values:
        errors.add("kind", _("请选择评选类别"))
    year = errors.integers({"year": year}, ["year"], low=2000, high=2100).get("year")
    publicity_days = errors.integers({"publicity_days": publicity_days}, ["publicity_days"], low=1,
                                     high=30).get("publicity_days")
    if quota not in (None, ""):
        try:
            quota = int(quota)
            if quota < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("quota", _("名额应为正整数"))
    else:
        quota = None
    errors.raise_if_any()
    with transaction.atomic():
        sel = Selection.objects.create(org_unit=org_unit, org_path=org_unit.path, title=title[:100], kind=kind,
                                       year=year, quota=quota, publicity_days=publicity_days, created_by=actor)
        audit_log(actor=actor, action="leadership.selection.created", obj=sel, org_path=sel.org_path,
                  after={"kind": kind, "year": year})
    return sel


def nominate(*, actor, selection: Selection, deeds: str, unit=None, resident=None) -> Nomination:
    """Nominate a unit (a branch, a compound) or a resident for a selection that is still taking nominations."""
    errors = ErrorCollector()
    if selection.honours_units:
        if unit is None:
            errors.add("nominee_unit", _("“%(k)s”评选的对象是组织或小区，请选择推荐单位") % {
                "k": SelectionKind(selection.kind).label})
        nominee_path = unit.path if unit is not None else None
    else:
        if resident is None:
            errors.add("nominee_resident", _("请选择推荐人选（登记在册的居民）"))
        nominee_path = resident.org_path if resident is not None else None
    if nominee_path is not None and not nominee_path.startswith(selection.org_path):
        errors.add("nominee_unit" if selection.honours_units else "nominee_resident",
                   _("推荐对象不在本次评选的范围内"))
    if not (deeds or "").strip():
        errors.add("deeds", _("请填写主要事迹"))
    if nominee_path is not None and not permissions.can_nominate(actor, nominee_path):
        raise PermissionDeniedError()
    errors.raise_if_any()
    with transaction.atomic():
        sel = _locked(Selection, selection.pk)
        if sel.status != SelectionStatus.NOMINATING:
            raise JicengError(_("评选已进入公示，不再接受推荐"), field="status", code="closed")
        name = unit.name if unit is not None else resident.name
        dup = Nomination.objects.unscoped(AUTHORISED).filter(selection=sel)
        dup = dup.filter(nominee_unit=unit) if unit is not None else dup.filter(nominee_resident=resident)
        if dup.exists():
            raise JicengError(_("“%(n)s”已被推荐") % {"n": name}, field="nominee_unit" if unit else "nominee_resident")
        nom = Nomination.objects.create(selection=sel, org_path=nominee_path, nominee_unit=unit,
                                        nominee_resident=resident, nominee_name=name[:100], deeds=deeds.strip(),
                                        nominated_by=actor)
        audit_log(actor=actor, action="leadership.nomination.created", obj=nom, object_repr=f"{sel} · {name}",
                  org_path=nominee_path)
    return nom


def nomination_review(*, actor, nomination: Nomination, approve: bool, note: str = "", now=None) -> Nomination:
    """The organiser reviews a nominee (审核): through to publicity, or not, with a note."""
    sel = nomination.selection
    if not permissions.can_manage(actor, sel.org_path):
        raise PermissionDeniedError()
    if not approve and not (note or "").strip():
        raise JicengError(_("未通过请填写审核意见"), field="review_note")
    now = now or timezone.now()
    with transaction.atomic():
        s = _locked(Selection, sel.pk)
        nom = _locked(Nomination, nomination.pk)
        if s.status != SelectionStatus.NOMINATING or nom.status not in (NominationStatus.NOMINATED,
                                                                        NominationStatus.APPROVED,
                                                                        NominationStatus.REJECTED):
            raise JicengError(_("评选已进入公示，审核结果不能再改"), field="status", code="closed")
        nom.status = NominationStatus.APPROVED if approve else NominationStatus.REJECTED
        nom.reviewed_by, nom.reviewed_at, nom.review_note = actor, now, (note or "").strip()[:300]
        nom.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit_log(actor=actor, action="leadership.nomination.reviewed", obj=nom, org_path=nom.org_path,
                  after={"status": nom.status, "note": nom.review_note})
    return nom


def publicity_start(*, actor, selection: Selection, now=None) -> Selection:
    """Publish the nominees that passed review on the notice board for the selection's publicity days."""
    if not permissions.can_manage(actor, selection.org_path):
        raise PermissionDeniedError()
    now = now or timezone.now()
    with transaction.atomic():
        s = _locked(Selection, selection.pk)
        if s.status != SelectionStatus.NOMINATING:
            raise JicengError(_("评选已在公示或已表彰"), field="status", code="bad_transition")
        noms = Nomination.objects.unscoped(AUTHORISED).filter(selection=s)
        pending = noms.filter(status=NominationStatus.NOMINATED).count()
        if pending:
            raise JicengError(_("还有 %(n)s 个推荐对象未审核") % {"n": pending}, field="nominations", code="pending")
        approved = noms.filter(status=NominationStatus.APPROVED).count()
        if not approved:
            raise JicengError(_("没有审核通过的推荐对象，不能公示"), field="nominations", code="empty")
        if s.quota and approved > s.quota:
            raise JicengError(_("审核通过 %(a)s 个，超过名额 %(q)s 个") % {"a": approved, "q": s.quota},
                              field="nominations", code="over_quota")
        s.status = SelectionStatus.PUBLICITY
        s.publicity_starts_at = now
        s.publicity_ends_at = now + dt.timedelta(days=s.publicity_days)
        s.save(update_fields=["status", "publicity_starts_at", "publicity_ends_at"])
        audit_log(actor=actor, action="leadership.selection.publicised", obj=s, org_path=s.org_path,
                  after={"nominees": approved, "ends_at": s.publicity_ends_at.isoformat()})
    return s


def objection_file(*, nomination_id: int, text: str, contact: str = "", now=None) -> SelectionObjection:
    """Anyone may object to a publicised nominee while the publicity runs (from the notice board, no login)."""
    now = now or timezone.now()
    if not (text or "").strip():
        raise JicengError(_("请填写异议内容"), field="text")
    with transaction.atomic():
        nom = (Nomination.objects.unscoped("an objection from the public notice board").select_for_update()
               .filter(pk=nomination_id).select_related("selection").first())
        if nom is None or nom.selection.status != SelectionStatus.PUBLICITY or nom.status != NominationStatus.APPROVED:
            raise NotFoundError()
        if now >= nom.selection.publicity_ends_at:
            raise JicengError(_("公示期已于 %(d)s 结束") % {
                "d": timezone.localtime(nom.selection.publicity_ends_at).strftime("%Y-%m-%d %H:%M")},
                field="text", code="publicity_closed")
        obj = SelectionObjection.objects.create(nomination=nom, org_path=nom.org_path, text=text.strip(),
                                                contact=(contact or "").strip()[:50])
        audit_log(actor=None, action="leadership.objection.filed", obj=obj, object_repr=nom.nominee_name,
                  org_path=nom.org_path)
    return obj


def objection_resolve(*, actor, objection: SelectionObjection, upheld: bool, resolution: str, now=None):
    """The organiser checks an objection: upheld withdraws the nominee; dismissed lets the award go on."""
    sel = objection.nomination.selection
    if not permissions.can_manage(actor, sel.org_path):
        raise PermissionDeniedError()
    if not (resolution or "").strip():
        raise JicengError(_("请填写核实结果"), field="resolution")
    now = now or timezone.now()
    with transaction.atomic():
        _locked(Selection, sel.pk)
        obj = _locked(SelectionObjection, objection.pk)
        if obj.status != ObjectionStatus.OPEN:
            raise JicengError(_("该异议已处理"), field="status", code="already_resolved")
        obj.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        obj.resolution, obj.resolved_by, obj.resolved_at = resolution.strip()[:300], actor, now
        obj.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        if upheld:
            Nomination.objects.unscoped(AUTHORISED).filter(pk=obj.nomination_id).update(
                status=NominationStatus.WITHDRAWN)
        audit_log(actor=actor, action="leadership.objection.resolved", obj=obj, object_repr=obj.nomination.nominee_name,
                  org_path=obj.org_path, after={"status": obj.status, "resolution": obj.resolution})
    return obj


def selection_award(*, actor, selection: Selection, now=None) -> Selection:
    """Award (表彰) once the publicity has ended with no objection left open: every publicised nominee not
    withdrawn is honoured."""
    if not permissions.can_manage(actor, selection.org_path):
        raise PermissionDeniedError()
    now = now or timezone.now()
    with transaction.atomic():
        s = _locked(Selection, selection.pk)
        if s.status != SelectionStatus.PUBLICITY:
            raise JicengError(_("评选尚未公示，不能表彰") if s.status == SelectionStatus.NOMINATING
                              else _("该评选已表彰"), field="status", code="bad_transition")
        if now < s.publicity_ends_at:
            raise JicengError(_("公示期至 %(d)s 结束，期满后才能表彰") % {
                "d": timezone.localtime(s.publicity_ends_at).strftime("%Y-%m-%d %H:%M")},
                field="publicity_ends_at", code="publicity_running")
        open_objections = SelectionObjection.objects.unscoped(AUTHORISED).filter(
            nomination__selection=s, status=ObjectionStatus.OPEN).select_related("nomination")
        names = sorted({o.nomination.nominee_name for o in open_objections})
        if names:
            raise JicengError(_("%(n)s 有未核实的公示异议，请先核实") % {"n": "、".join(names)}, field="objections",
                              code="open_objection")
        count = Nomination.objects.unscoped(AUTHORISED).filter(selection=s, status=NominationStatus.APPROVED).update(
            status=NominationStatus.AWARDED)
        s.status, s.awarded_at, s.awarded_by = SelectionStatus.AWARDED, now, actor
        s.save(update_fields=["status", "awarded_at", "awarded_by"])
        audit_log(actor=actor, action="leadership.selection.awarded", obj=s, org_path=s.org_path,
                  after={"awarded": count})
    return s


def commendation_record(*, actor, org_unit, kind: str, giver: str, text: str, received_on, cadre=None,
                        errand: str = "", report_id=None) -> Commendation:
    """Record a banner or letter of thanks, tied to the unit (and cadre, errand or report) it thanks."""
    if org_unit is None or not permissions.can_nominate(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if kind not in CommendationKind.values:
        errors.add("kind", _("请选择类别"))
    if not (giver or "").strip():
        errors.add("giver", _("请填写赠送人"))
    if not (text or "").strip():
        errors.add("text", _("请填写内容"))
    if cadre is not None and not (cadre.org_path.startswith(org_unit.path) or org_unit.path.startswith(cadre.org_path)):
        errors.add("cadre", _("“%(n)s”不属于%(u)s") % {"n": cadre.name, "u": org_unit.name})
    if isinstance(received_on, str):
        try:
            received_on = dt.date.fromisoformat(received_on)
        except ValueError:
            errors.add("received_on", _("收到日期不是有效日期：%(v)s") % {"v": received_on})
    if received_on in (None, ""):
        errors.add("received_on", _("请填写收到日期"))
    if report_id not in (None, ""):
        try:
            report_id = int(report_id)
        except (TypeError, ValueError):
            errors.add("report_id", _("诉求编号应为数字"))
    else:
        report_id = None
    errors.raise_if_any()
    with transaction.atomic():
        c = Commendation.objects.create(org_unit=org_unit, org_path=org_unit.path, cadre=cadre, kind=kind,
                                        giver=giver.strip()[:100], text=text.strip()[:300], errand=(errand or "")[:200],
                                        report_id=report_id, received_on=received_on, created_by=actor)
        audit_log(actor=actor, action="leadership.commendation.recorded", obj=c, object_repr=f"{org_unit.name} · {c.text[:40]}",
                  org_path=org_unit.path)
    return c
