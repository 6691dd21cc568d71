"""Cadre records (干部队伍): reserves and their mentors, postings with reviews and replacements, promotions,
job-shadowing, trainings (attendance posts performance points through cadre work's ledger), contact points and
visits, staff on loan, plaques and their clean-up, inspections with findings and circulars."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED

from .. import permissions
from ..models import (
    Circular, ContactPoint, ContactVisit, Inspection, InspectionFinding, LoanedStaff, Plaque, PlaqueStatus, Posting,
    PostingKind, PostingReview, RankChange, RankChangeKind, ReserveCadre, ReserveStatus, ReviewRating, Shadowing,
    EducationUpgrade, Training, TrainingAttendance, UpgradeOutcome,
)
from ..models import Education
from .rules import REVIEW_FIELD, record_points, rules_for_path
from .teams import _date


def _need(actor, path: str) -> None:
    if not permissions.can_manage(actor, path):
        raise PermissionDeniedError()


def _in_unit(cadre, unit) -> bool:
    return cadre.org_path.startswith(unit.path) or unit.path.startswith(cadre.org_path)


def _locked(model, pk):
    return model.objects.unscoped(AUTHORISED).select_for_update().get(pk=pk)


# --------------------------------------------------------------------------- reserves

def reserve_add(*, actor, cadre, org_unit, mentor_leader, mentor_secretary, since) -> ReserveCadre:
    """Put a cadre in a village's reserve pool (后备干部) with the "2+1" mentors: a township leader and a first
    secretary. Nobody mentors themself, and the two mentors are two people."""
    if org_unit is None:
        raise JicengError(_("请选择村（社区）"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if cadre is None:
        errors.add("cadre", _("请选择后备干部"))
    elif not _in_unit(cadre, org_unit):
        errors.add("cadre", _("“%(n)s”不属于%(u)s") % {"n": cadre.name, "u": org_unit.name})
    if mentor_leader is None:
        errors.add("mentor_leader", _("请选择乡镇领导导师"))
    if mentor_secretary is None:
        errors.add("mentor_secretary", _("请选择第一书记（村干部）导师"))
    if cadre is not None:
        if mentor_leader is not None and mentor_leader.pk == cadre.pk:
            errors.add("mentor_leader", _("导师不能是后备干部本人"))
        if mentor_secretary is not None and mentor_secretary.pk == cadre.pk:
            errors.add("mentor_secretary", _("导师不能是后备干部本人"))
    if mentor_leader is not None and mentor_secretary is not None and mentor_leader.pk == mentor_secretary.pk:
        errors.add("mentor_secretary", _("两名导师应为不同的人"))
    since = _date(since, "since", errors, _("入库日期"))
    errors.raise_if_any()
    with transaction.atomic():
        if ReserveCadre.objects.unscoped(AUTHORISED).filter(cadre=cadre, status=ReserveStatus.ACTIVE).exists():
            raise JicengError(_("“%(n)s”已在后备干部库中") % {"n": cadre.name}, field="cadre")
        r = ReserveCadre.objects.create(cadre=cadre, org_unit=org_unit, org_path=org_unit.path,
                                        mentor_leader=mentor_leader, mentor_secretary=mentor_secretary, since=since,
                                        created_by=actor)
        audit_log(actor=actor, action="leadership.reserve.added", obj=r, object_repr=f"{org_unit.name} {cadre.name}",
                  org_path=org_unit.path, after={"mentors": [mentor_leader.name, mentor_secretary.name]})
    return r


def reserve_close(*, actor, reserve: ReserveCadre, status: str, outcome: str) -> ReserveCadre:
    _need(actor, reserve.org_path)
    if status not in (ReserveStatus.APPOINTED, ReserveStatus.REMOVED):
        raise JicengError(_("请选择去向：已任用或调出后备库"), field="status")
    if not (outcome or "").strip():
        raise JicengError(_("请填写去向说明"), field="outcome")
    with transaction.atomic():
        r = _locked(ReserveCadre, reserve.pk)
        if r.status != ReserveStatus.ACTIVE:
            raise JicengError(_("该后备干部已不在库中"), field="status")
        r.status, r.outcome = status, outcome.strip()[:200]
        r.save(update_fields=["status", "outcome"])
        audit_log(actor=actor, action="leadership.reserve.closed", obj=r, org_path=r.org_path,
                  after={"status": status, "outcome": r.outcome})
    return r


# --------------------------------------------------------------------------- postings

def posting_start(*, actor, cadre, kind: str, org_unit, starts_on, sent_by: str = "", replaces=None) -> Posting:
    if org_unit is None:
        raise JicengError(_("请选择派驻单位"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if cadre is None:
        errors.add("cadre", _("请选择干部"))
    if kind not in PostingKind.values:
        errors.add("kind", _("请选择类别"))
    starts_on = _date(starts_on, "starts_on", errors, _("派驻日期"))
    errors.raise_if_any()
    with transaction.atomic():
        if Posting.objects.unscoped(AUTHORISED).filter(cadre=cadre, org_unit=org_unit, kind=kind,
                                                       ends_on__isnull=True).exists():
            raise JicengError(_("“%(n)s”已派驻在%(u)s") % {"n": cadre.name, "u": org_unit.name}, field="cadre")
        p = Posting.objects.create(cadre=cadre, kind=kind, org_unit=org_unit, org_path=org_unit.path,
                                   sent_by=(sent_by or "")[:100], starts_on=starts_on, replaces=replaces,
                                   created_by=actor)
        audit_log(actor=actor, action="leadership.posting.started", obj=p, object_repr=f"{org_unit.name} {cadre.name}",
                  org_path=org_unit.path, after={"kind": kind, "starts_on": starts_on.isoformat()})
    return p


def posting_review(*, actor, posting: Posting, period: str, rating: str, note: str = "", reviewed_on=None) -> PostingReview:
    """A periodic review of a posted cadre (驻村考核); 不称职 calls for a replacement."""
    _need(actor, posting.org_path)
    errors = ErrorCollector()
    if not (period or "").strip():
        errors.add("period", _("请填写考核期，如 2026年上半年"))
    if rating not in ReviewRating.values:
        errors.add("rating", _("请选择考核等次"))
    if rating == ReviewRating.INCOMPETENT and not (note or "").strip():
        errors.add("note", _("评为不称职请写明原因"))
    reviewed_on = _date(reviewed_on, "reviewed_on", errors, _("考核日期"), required=False) or timezone.localdate()
    errors.raise_if_any()
    from jiceng.cadre.models import PerformanceKind

    with transaction.atomic():
        if PostingReview.objects.unscoped(AUTHORISED).filter(posting=posting, period=period.strip()).exists():
            raise JicengError(_("该考核期已考核"), field="period")
        r = PostingReview.objects.create(posting=posting, org_path=posting.org_path, period=period.strip()[:30],
                                         rating=rating, note=(note or "").strip()[:300],
                                         reviewed_on=reviewed_on, reviewed_by=actor)
        # The site's rule for the grade, as it stands now, posted once with the review.
        record_points(cadre=posting.cadre, amount=getattr(rules_for_path(posting.org_path), REVIEW_FIELD[rating]),
                      on=reviewed_on, kind=PerformanceKind.POSTING,
                      reason=_("驻村考核（%(p)s）：%(r)s") % {"p": r.period, "r": ReviewRating(rating).label},
                      key=f"leadership.review:{r.pk}", source_type="leadership.posting_review", source_id=r.pk,
                      actor=actor)
        audit_log(actor=actor, action="leadership.posting.reviewed", obj=r, object_repr=posting.cadre.name,
                  org_path=posting.org_path, after={"period": r.period, "rating": rating})
    return r


def posting_replace(*, actor, posting: Posting, new_cadre, on, reason: str) -> Posting:
    """Replace a posted cadre (调整撤换): the posting ends that day and the new one continues it."""
    _need(actor, posting.org_path)
    errors = ErrorCollector()
    if new_cadre is None:
        errors.add("new_cadre", _("请选择接替人选"))
    elif new_cadre.pk == posting.cadre_id:
        errors.add("new_cadre", _("接替人选不能是原派驻干部"))
    if not (reason or "").strip():
        errors.add("reason", _("请填写撤换原因"))
    on = _date(on, "on", errors, _("撤换日期"))
    if on is not None and on < posting.starts_on:
        errors.add("on", _("撤换日期早于派驻日期 %(d)s") % {"d": posting.starts_on})
    errors.raise_if_any()
    with transaction.atomic():
        old = _locked(Posting, posting.pk)
        if old.ends_on is not None:
            raise JicengError(_("该派驻已于 %(d)s 结束") % {"d": old.ends_on}, field="posting")
        old.ends_on, old.end_reason = on, reason.strip()[:200]
        old.save(update_fields=["ends_on", "end_reason"])
        new = posting_start(actor=actor, cadre=new_cadre, kind=old.kind, org_unit=old.org_unit, starts_on=on,
                            sent_by=old.sent_by, replaces=old)
        audit_log(actor=actor, action="leadership.posting.replaced", obj=old, object_repr=old.cadre.name,
                  org_path=old.org_path, after={"by": new_cadre.name, "reason": old.end_reason})
    return new


def rank_change_record(*, actor, cadre, kind: str, on, to_post: str, from_post: str = "", note: str = "") -> RankChange:
    if cadre is None:
        raise JicengError(_("请选择干部"), field="cadre")
    _need(actor, cadre.org_path)
    errors = ErrorCollector()
    if kind not in RankChangeKind.values:
        errors.add("kind", _("请选择类别"))
    if not (to_post or "").strip():
        errors.add("to_post", _("请填写新职务（职级）"))
    on = _date(on, "on", errors, _("日期"))
    errors.raise_if_any()
    with transaction.atomic():
        rc = RankChange.objects.create(cadre=cadre, org_path=cadre.org_path, kind=kind, on=on,
                                       from_post=(from_post or cadre.post)[:100], to_post=to_post.strip()[:100],
                                       note=(note or "")[:200], created_by=actor)
        audit_log(actor=actor, action="leadership.rank.changed", obj=rc, object_repr=cadre.name, org_path=cadre.org_path,
                  after={"kind": kind, "to": rc.to_post})
    return rc


def shadowing_record(*, actor, cadre, host: str, starts_on, ends_on, place: str = "", outcome: str = "") -> Shadowing:
    if cadre is None:
        raise JicengError(_("请选择干部"), field="cadre")
    _need(actor, cadre.org_path)
    errors = ErrorCollector()
    if not (host or "").strip():
        errors.add("host", _("请填写跟岗单位"))
    starts_on = _date(starts_on, "starts_on", errors, _("开始日期"))
    ends_on = _date(ends_on, "ends_on", errors, _("结束日期"))
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", _("结束日期早于开始日期"))
    errors.raise_if_any()
    with transaction.atomic():
        # The site's rule as it stands now goes with the placement; it is posted once the placement is over.
        s = Shadowing.objects.create(cadre=cadre, org_path=cadre.org_path, host=host.strip()[:100],
                                     place=(place or "")[:100], starts_on=starts_on, ends_on=ends_on,
                                     outcome=(outcome or "")[:300],
                                     points=rules_for_path(cadre.org_path).shadowing_points)
        audit_log(actor=actor, action="leadership.shadowing.recorded", obj=s, object_repr=cadre.name,
                  org_path=cadre.org_path, after={"host": s.host, "points": s.points})
        if s.ends_on <= timezone.localdate():
            _shadowing_points_post(s, actor=actor)
    return s


def _shadowing_points_post(shadowing: Shadowing, *, actor=None, now=None) -> None:
    from jiceng.cadre.models import PerformanceKind

    now = now or timezone.now()
    record_points(cadre=shadowing.cadre, amount=shadowing.points, on=shadowing.ends_on, kind=PerformanceKind.SHADOWING,
                  reason=_("完成跟岗学习：%(h)s") % {"h": shadowing.host}, key=f"leadership.shadowing:{shadowing.pk}",
                  source_type="leadership.shadowing", source_id=shadowing.pk, actor=actor, now=now)
    shadowing.points_posted_at = now
    shadowing.save(update_fields=["points_posted_at"])


def shadowing_points_due(*, today=None, now=None) -> int:
    """The scheduler's daily pass: post the points of placements that ended since they were recorded (each once,
    with the rule kept when it was recorded). Returns how many were posted."""
    today = today or timezone.localdate()
    done = 0
    due = (Shadowing.objects.unscoped("the scheduler posts every site's finished placements")
           .filter(ends_on__lte=today, points_posted_at__isnull=True).exclude(points=0).values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            s = Shadowing.objects.unscoped(AUTHORISED).select_for_update().get(pk=pk)
            if s.points_posted_at is None:
                _shadowing_points_post(s, now=now)
                done += 1
    return done


# --------------------------------------------------------------------------- trainings

def training_create(*, actor, org_unit, title: str, starts_on, ends_on, cadres=(), hours=0, points_attended=0,
                    points_absent=0) -> Training:
    """A training with the cadres expected to attend, and the points attending earns and missing costs."""
    if org_unit is None:
        raise JicengError(_("请选择举办单位"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if not (title or "").strip():
        errors.add("title", _("请填写培训名称"))
    starts_on = _date(starts_on, "starts_on", errors, _("开始日期"))
    ends_on = _date(ends_on, "ends_on", errors, _("结束日期"))
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", _("结束日期早于开始日期"))
    numbers = errors.integers({"hours": hours, "points_attended": points_attended, "points_absent": points_absent},
                              ["hours", "points_attended", "points_absent"], low=0, high=200)
    cadres = [c for c in cadres if c is not None]
    for c in cadres:
        if not c.org_path.startswith(org_unit.path):
            errors.add("cadres", _("“%(n)s”不在举办单位范围内") % {"n": c.name})
    errors.raise_if_any()
    with transaction.atomic():
        t = Training.objects.create(org_unit=org_unit, org_path=org_unit.path, title=title.strip()[:100],
                                    starts_on=starts_on, ends_on=ends_on, created_by=actor, **numbers)
        TrainingAttendance.objects.bulk_create([TrainingAttendance(training=t, cadre=c, org_path=c.org_path)
                                                for c in {c.pk: c for c in cadres}.values()])
        audit_log(actor=actor, action="leadership.training.created", obj=t, org_path=t.org_path,
                  after={"cadres": len(cadres)})
    return t


def training_close(*, actor, training: Training, attended_ids, certificates: dict | None = None, now=None) -> Training:
    """Record who attended (结业) and post each cadre's points on cadre work's ledger: the attending points
    for those present, the missing points for those absent (each once, by its key)."""
    from jiceng.cadre.models import PerformanceKind
    from jiceng.cadre.services import performance_post

    _need(actor, training.org_path)
    now = now or timezone.now()
    attended = {int(i) for i in attended_ids}
    certificates = certificates or {}
    with transaction.atomic():
        t = _locked(Training, training.pk)
        if t.closed_at is not None:
            raise JicengError(_("培训已结业"), field="training", code="closed")
        rows = list(TrainingAttendance.objects.unscoped(AUTHORISED).filter(training=t).select_related("cadre"))
        unknown = attended - {r.cadre_id for r in rows}
        if unknown:
            raise JicengError(_("到课名单里有不在参训名单上的人"), field="attended")
        for r in rows:
            r.attended = r.cadre_id in attended
            r.certificate = str(certificates.get(r.cadre_id, ""))[:50] if r.attended else ""
            r.save(update_fields=["attended", "certificate"])
            amount = t.points_attended if r.attended else -t.points_absent
            if amount:
                performance_post(cadre=r.cadre, year=t.ends_on.year, amount=amount, kind=PerformanceKind.TRAINING,
                                 reason=(_("参加培训：%(t)s") if r.attended else _("缺席培训：%(t)s")) % {"t": t.title},
                                 idempotency_key=f"leadership.training:{t.pk}:{r.cadre_id}",
                                 source_type="leadership.training", source_id=t.pk, actor=actor, now=now)
        t.closed_at = now
        t.save(update_fields=["closed_at"])
        audit_log(actor=actor, action="leadership.training.closed", obj=t, org_path=t.org_path,
                  after={"attended": len(attended), "absent": len(rows) - len(attended)})
    return t


# --------------------------------------------------------------------------- contact points

def contact_assign(*, actor, cadre, org_unit, since, every_days=30) -> ContactPoint:
    """Assign a leader or cadre to a village, community or grid (联系点)."""
    if org_unit is None:
        raise JicengError(_("请选择联系点"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if cadre is None:
        errors.add("cadre", _("请选择联系领导（干部）"))
    every = errors.integers({"every_days": every_days}, ["every_days"], low=1, high=366).get("every_days")
    since = _date(since, "since", errors, _("联系起始"))
    errors.raise_if_any()
    with transaction.atomic():
        if ContactPoint.objects.unscoped(AUTHORISED).filter(cadre=cadre, org_unit=org_unit, until__isnull=True).exists():
            raise JicengError(_("“%(n)s”已联系%(u)s") % {"n": cadre.name, "u": org_unit.name}, field="cadre")
        c = ContactPoint.objects.create(cadre=cadre, org_unit=org_unit, org_path=org_unit.path, every_days=every,
                                        since=since)
        audit_log(actor=actor, action="leadership.contact.assigned", obj=c, object_repr=f"{cadre.name} → {org_unit.name}",
                  org_path=org_unit.path)
    return c


def contact_visit(*, actor, contact: ContactPoint, on, note: str) -> ContactVisit:
    """A visit to a contact point, recorded by the contact themself or a manager."""
    own = contact.cadre.user_id is not None and getattr(actor, "pk", None) == contact.cadre.user_id
    if not own:
        _need(actor, contact.org_path)
    errors = ErrorCollector()
    on = _date(on, "on", errors, _("走访日期"))
    if on is not None and on > timezone.localdate():
        errors.add("on", _("走访日期不能晚于今天"))
    if on is not None and on < contact.since:
        errors.add("on", _("走访日期早于联系起始 %(d)s") % {"d": contact.since})
    if not (note or "").strip():
        errors.add("note", _("请填写走访情况"))
    errors.raise_if_any()
    from jiceng.cadre.models import PerformanceKind

    with transaction.atomic():
        v = ContactVisit.objects.create(contact=contact, org_path=contact.org_path, on=on, note=note.strip()[:300],
                                        created_by=actor)
        record_points(cadre=contact.cadre, amount=rules_for_path(contact.org_path).contact_visit_points, on=on,
                      kind=PerformanceKind.CONTACT, reason=_("联系点走访：%(u)s") % {"u": contact.org_unit.name},
                      key=f"leadership.visit:{v.pk}", source_type="leadership.contact_visit", source_id=v.pk,
                      actor=actor)
        audit_log(actor=actor, action="leadership.contact.visited", obj=v,
                  object_repr=f"{contact.cadre.name} → {contact.org_unit.name}", org_path=contact.org_path)
    return v


def contacts_with_due(queryset, *, today=None) -> list:
    """Contact points with their last visit and the day the next is due (``due_on``), ``overdue`` when past."""
    today = today or timezone.localdate()
    rows = list(queryset.filter(until__isnull=True).annotate(last=Max("visits__on")).select_related("cadre", "org_unit"))
    for c in rows:
        c.due_on = (c.last or c.since) + dt.timedelta(days=c.every_days)
        c.overdue = c.due_on < today
    return sorted(rows, key=lambda c: (not c.overdue, c.due_on))


# --------------------------------------------------------------------------- loans and plaques

def loan_record(*, actor, cadre, org_unit, to_office: str, reason: str, left_on) -> LoanedStaff:
    if org_unit is None:
        raise JicengError(_("请选择所在单位"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if cadre is None:
        errors.add("cadre", _("请选择被借调人员"))
    elif not _in_unit(cadre, org_unit):
        errors.add("cadre", _("“%(n)s”不属于%(u)s") % {"n": cadre.name, "u": org_unit.name})
    if not (to_office or "").strip():
        errors.add("to_office", _("请填写借调到哪个单位"))
    if not (reason or "").strip():
        errors.add("reason", _("请填写借调事由"))
    left_on = _date(left_on, "left_on", errors, _("借出日期"))
    errors.raise_if_any()
    with transaction.atomic():
        if LoanedStaff.objects.unscoped(AUTHORISED).filter(cadre=cadre, returned_on__isnull=True).exists():
            raise JicengError(_("“%(n)s”正在借调中") % {"n": cadre.name}, field="cadre")
        loan = LoanedStaff.objects.create(cadre=cadre, org_unit=org_unit, org_path=org_unit.path,
                                          to_office=to_office.strip()[:100], reason=reason.strip()[:200], left_on=left_on)
        audit_log(actor=actor, action="leadership.loan.recorded", obj=loan, object_repr=f"{cadre.name} → {loan.to_office}",
                  org_path=org_unit.path)
    return loan


def loan_return(*, actor, loan: LoanedStaff, returned_on) -> LoanedStaff:
    """Staff on loan come back (返岗); never before they left."""
    _need(actor, loan.org_path)
    errors = ErrorCollector()
    returned_on = _date(returned_on, "returned_on", errors, _("返岗日期"))
    if returned_on is not None and returned_on < loan.left_on:
        errors.add("returned_on", _("返岗日期 %(r)s 早于借出日期 %(l)s") % {"r": returned_on, "l": loan.left_on})
    errors.raise_if_any()
    with transaction.atomic():
        lo = _locked(LoanedStaff, loan.pk)
        if lo.returned_on is not None:
            raise JicengError(_("已于 %(d)s 返岗") % {"d": lo.returned_on}, field="returned_on")
        lo.returned_on = returned_on
        lo.save(update_fields=["returned_on"])
        audit_log(actor=actor, action="leadership.loan.returned", obj=lo, object_repr=lo.cadre.name, org_path=lo.org_path,
                  after={"returned_on": returned_on.isoformat()})
    return lo


def plaque_record(*, actor, org_unit, title: str, issuer: str = "", admitted: bool = False,
                  admission_note: str = "") -> Plaque:
    if org_unit is None:
        raise JicengError(_("请选择村（社区）"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if not (title or "").strip():
        errors.add("title", _("请填写牌子名称"))
    if admitted and not (admission_note or "").strip():
        errors.add("admission_note", _("经准入审批的请填写准入依据"))
    errors.raise_if_any()
    with transaction.atomic():
        p = Plaque.objects.create(org_unit=org_unit, org_path=org_unit.path, title=title.strip()[:100],
                                  issuer=(issuer or "")[:100], admitted=bool(admitted),
                                  admission_note=(admission_note or "")[:200])
        audit_log(actor=actor, action="leadership.plaque.recorded", obj=p, object_repr=f"{org_unit.name} {p.title}",
                  org_path=org_unit.path, after={"admitted": p.admitted})
    return p


def plaque_check(*, actor, org_unit, on, remove_ids=()) -> dict:
    """A clean-up check of a unit's plaques (牌子清理): every hung plaque is checked that day; those named are
    taken down — only plaques without an admission approval may be."""
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    on = _date(on, "on", errors, _("检查日期"))
    errors.raise_if_any()
    remove = {int(i) for i in remove_ids}
    with transaction.atomic():
        hung = list(Plaque.objects.unscoped(AUTHORISED).select_for_update().filter(
            org_path__startswith=org_unit.path, status=PlaqueStatus.HUNG))
        by_id = {p.pk: p for p in hung}
        unknown = remove - set(by_id)
        if unknown:
            raise JicengError(_("要清理的牌子不在该单位在挂的牌子里"), field="remove")
        admitted = [by_id[i].title for i in remove if by_id[i].admitted]
        if admitted:
            raise JicengError(_("“%(t)s”经准入审批，不能在清理检查中摘除") % {"t": "、".join(admitted)}, field="remove")
        for p in hung:
            p.checked_on = on
            if p.pk in remove:
                p.status, p.removed_on = PlaqueStatus.REMOVED, on
            p.save(update_fields=["checked_on", "status", "removed_on"])
        audit_log(actor=actor, action="leadership.plaques.checked", object_type="orgs.orgunit", object_id=org_unit.pk,
                  object_repr=org_unit.name, org_path=org_unit.path, after={"checked": len(hung), "removed": len(remove)})
    return {"checked": len(hung), "removed": len(remove)}


# --------------------------------------------------------------------------- inspections and circulars

def inspection_record(*, actor, org_unit, topic: str, on, inspectors: str, findings=()) -> Inspection:
    """An inspection visit (督导) with its findings, each ``(text, deadline)``."""
    if org_unit is None:
        raise JicengError(_("请选择督导对象"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if not (topic or "").strip():
        errors.add("topic", _("请填写督导事项"))
    if not (inspectors or "").strip():
        errors.add("inspectors", _("请填写督导人员"))
    on = _date(on, "on", errors, _("督导日期"))
    clean = []
    for k, (text, deadline) in enumerate(findings, start=1):
        if not (text or "").strip():
            errors.add("findings", _("第 %(k)s 条问题没有内容") % {"k": k})
            continue
        d = _date(deadline, "findings", errors, _("第 %(k)s 条问题的整改期限") % {"k": k})
        if d is not None and on is not None and d < on:
            errors.add("findings", _("第 %(k)s 条问题的整改期限早于督导日期") % {"k": k})
        clean.append((text.strip()[:300], d))
    errors.raise_if_any()
    with transaction.atomic():
        ins = Inspection.objects.create(org_unit=org_unit, org_path=org_unit.path, topic=topic.strip()[:200], on=on,
                                        inspectors=inspectors.strip()[:200], created_by=actor)
        InspectionFinding.objects.bulk_create([InspectionFinding(inspection=ins, org_path=ins.org_path, text=t,
                                                                 deadline=d) for t, d in clean])
        audit_log(actor=actor, action="leadership.inspection.recorded", obj=ins, object_repr=f"{org_unit.name} {ins.topic}",
                  org_path=ins.org_path, after={"findings": len(clean)})
    return ins


def finding_fix(*, actor, finding: InspectionFinding, fixed_on, note: str) -> InspectionFinding:
    _need(actor, finding.org_path)
    errors = ErrorCollector()
    fixed_on = _date(fixed_on, "fixed_on", errors, _("整改完成日期"))
    if fixed_on is not None and fixed_on < finding.inspection.on:
        errors.add("fixed_on", _("整改完成日期早于督导日期"))
    if not (note or "").strip():
        errors.add("fix_note", _("请填写整改情况"))
    errors.raise_if_any()
    with transaction.atomic():
        f = _locked(InspectionFinding, finding.pk)
        if f.fixed_on is not None:
            raise JicengError(_("该问题已整改"), field="fixed_on")
        f.fixed_on, f.fix_note = fixed_on, note.strip()[:300]
        f.save(update_fields=["fixed_on", "fix_note"])
        audit_log(actor=actor, action="leadership.finding.fixed", obj=f, object_repr=f.text[:60], org_path=f.org_path,
                  after={"fixed_on": fixed_on.isoformat(), "late": fixed_on > f.deadline})
    return f


def overdue_findings(queryset, *, today=None):
    """Findings past their deadline and not fixed by it (open, or fixed late)."""
    today = today or timezone.localdate()
    return queryset.filter(deadline__lt=today).filter(Q(fixed_on__isnull=True) | Q(fixed_on__gt=F("deadline")))


def circular_issue(*, actor, org_unit, number: str, issued_on, text: str, findings) -> Circular:
    """Circulate (通报) findings not fixed by their deadline; a finding fixed on time is not circulated."""
    if org_unit is None:
        raise JicengError(_("请选择通报单位"), field="org_unit")
    _need(actor, org_unit.path)
    errors = ErrorCollector()
    if not (number or "").strip():
        errors.add("number", _("请填写文号"))
    if not (text or "").strip():
        errors.add("text", _("请填写通报内容"))
    issued_on = _date(issued_on, "issued_on", errors, _("通报日期"))
    # As stored now (a finding fixed since the caller read it is not circulated).
    findings = list(InspectionFinding.objects.unscoped(AUTHORISED).filter(pk__in=[f.pk for f in findings]))
    if not findings:
        errors.add("findings", _("请选择要通报的问题"))
    for f in findings:
        if not f.org_path.startswith(org_unit.path):
            errors.add("findings", _("“%(t)s”不在通报单位范围内") % {"t": f.text[:20]})
        elif issued_on is not None and (issued_on <= f.deadline or (f.fixed_on is not None and f.fixed_on <= f.deadline)):
            errors.add("findings", _("“%(t)s”未逾期或已按期整改，不应通报") % {"t": f.text[:20]})
    errors.raise_if_any()
    with transaction.atomic():
        c = Circular.objects.create(org_unit=org_unit, org_path=org_unit.path, number=number.strip()[:50],
                                    issued_on=issued_on, text=text.strip(), created_by=actor)
        c.findings.set(findings)
        audit_log(actor=actor, action="leadership.circular.issued", obj=c, object_repr=c.number, org_path=c.org_path,
                  after={"findings": [f.pk for f in findings]})
    return c


def inspections_without_circulars(queryset, *, today=None):
    """Inspections with a finding not fixed by its deadline that no circular named (督导发现问题未通报): computed
    from the findings and circulars, never typed."""
    today = today or timezone.localdate()
    late = InspectionFinding.objects.unscoped(AUTHORISED).filter(
        inspection=OuterRef("pk"), deadline__lt=today).filter(
        Q(fixed_on__isnull=True) | Q(fixed_on__gt=F("deadline"))).filter(circulars__isnull=True)
    return queryset.filter(Exists(late))


# --------------------------------------------------------------------------- education upgrade (学历能力双提升)

def upgrade_enrol(*, actor, cadre, programme: str, from_education: str, target_education: str,
                  enrolled_on) -> EducationUpgrade:
    if cadre is None:
        raise JicengError(_("请选择干部"), field="cadre")
    _need(actor, cadre.org_path)
    errors = ErrorCollector()
    if not (programme or "").strip():
        errors.add("programme", _("请填写就读院校与专业"))
    order = list(Education.values)
    if from_education not in order:
        errors.add("from_education", _("请选择原学历"))
    if target_education not in order:
        errors.add("target_education", _("请选择目标学历"))
    elif from_education in order and order.index(target_education) <= order.index(from_education):
        errors.add("target_education", _("目标学历应高于原学历"))
    enrolled_on = _date(enrolled_on, "enrolled_on", errors, _("入学日期"))
    errors.raise_if_any()
    with transaction.atomic():
        if EducationUpgrade.objects.unscoped(AUTHORISED).filter(cadre=cadre, outcome=UpgradeOutcome.STUDYING).exists():
            raise JicengError(_("“%(n)s”正在学历提升中") % {"n": cadre.name}, field="cadre")
        u = EducationUpgrade.objects.create(cadre=cadre, org_path=cadre.org_path, programme=programme.strip()[:150],
                                            from_education=from_education, target_education=target_education,
                                            enrolled_on=enrolled_on, created_by=actor)
        audit_log(actor=actor, action="leadership.upgrade.enrolled", obj=u, object_repr=cadre.name,
                  org_path=cadre.org_path, after={"target": target_education})
    return u


def upgrade_finish(*, actor, upgrade: EducationUpgrade, outcome: str, on) -> EducationUpgrade:
    """The upgrade ends: graduated (the cadre's education counts from then) or withdrawn; never before enrolling."""
    _need(actor, upgrade.org_path)
    errors = ErrorCollector()
    if outcome not in (UpgradeOutcome.GRADUATED, UpgradeOutcome.WITHDRAWN):
        errors.add("outcome", _("请选择结果：已毕业或中途退出"))
    on = _date(on, "completed_on", errors, _("毕业（退出）日期"))
    if on is not None and on < upgrade.enrolled_on:
        errors.add("completed_on", _("毕业（退出）日期早于入学日期 %(d)s") % {"d": upgrade.enrolled_on})
    errors.raise_if_any()
    with transaction.atomic():
        u = _locked(EducationUpgrade, upgrade.pk)
        if u.outcome != UpgradeOutcome.STUDYING:
            raise JicengError(_("该学历提升已结束"), field="outcome")
        u.outcome, u.completed_on = outcome, on
        u.save(update_fields=["outcome", "completed_on"])
        audit_log(actor=actor, action="leadership.upgrade.finished", obj=u, object_repr=u.cadre.name,
                  org_path=u.org_path, after={"outcome": outcome, "on": on.isoformat()})
    return u
