"""Declaring, recording, reviewing and publicising points (申报、记录、审核、公示), and posting them.

submitted → (review) publicising → (publicity period over, no objection; the scheduler) posted
          ↘ rejected                 ↘ objection lodged → submitted again
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.images import clean_photo
from jiceng.core.scope import AUTHORISED
from jiceng.people.models import Household, HouseholdStatus
from jiceng.people.selectors import household_get_for_user

from .. import permissions
from ..models import (
    CapPeriod, DeclarationSource, DeclarationStatus, EntryKind, ExchangeRule, PointsDeclaration, PointsEvent,
    PointsItem, PointsProgramme, PublicityObjection,
)
from .ledger import ledger_post, programme_for_path

OBJECTIONS_PER_HOUR = 5  # per network address: an anonymous objection stops a publicity at once
ACTIVE_STATUSES = [DeclarationStatus.SUBMITTED, DeclarationStatus.PUBLICISING, DeclarationStatus.POSTED]


def _programme(household) -> PointsProgramme:
    programme = programme_for_path(household.org_path)
    if programme is None:
        raise JicengError(_("该户所在单元尚未实行积分制"), field="household", code="no_programme")
    return programme


def _check_item(item: PointsItem, household, occurred_on: dt.date, errors: ErrorCollector) -> None:
    if item.retired_at is not None or not item.is_active:
        errors.add("item", _("积分项目“%(name)s”已停用或已修改，请重新选择") % {"name": item.name})
        return
    if (item.valid_from and occurred_on < item.valid_from) or (item.valid_to and occurred_on > item.valid_to):
        errors.add("occurred_on", _("积分项目“%(name)s”在 %(date)s 不在有效期内") % {"name": item.name, "date": occurred_on})
    if not household.org_path.startswith(item.org_path):
        errors.add("item", _("该项目不属于本户所在单元的积分清单"))


def _period_bounds(period: str, on: dt.date) -> tuple[dt.date, dt.date]:
    if period == CapPeriod.MONTH:
        start = on.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    else:
        start, end = on.replace(month=1, day=1), on.replace(month=12, day=31)
    return start, end


def _check_caps(item: PointsItem, household, occurred_on: dt.date, quantity: int, points: int,
                errors: ErrorCollector, exclude_id: int | None = None) -> None:
    if not item.cap_period or not (item.cap_count or item.cap_points):
        return
    start, end = _period_bounds(item.cap_period, occurred_on)
    qs = PointsDeclaration.objects.unscoped(AUTHORISED).filter(household=household, item__code=item.code, item__org_unit_id=item.org_unit_id,
                                          occurred_on__range=(start, end), status__in=ACTIVE_STATUSES)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    agg = qs.aggregate(n=Sum("quantity"), p=Sum("points"))
    used_n, used_p = agg["n"] or 0, abs(agg["p"] or 0)
    period = CapPeriod(item.cap_period).label
    if item.cap_count and used_n + quantity > item.cap_count:
        errors.add("quantity", _("超出限额：“%(name)s”%(period)s最多 %(cap)s 次，本户已有 %(used)s 次")
                   % {"name": item.name, "period": period, "cap": item.cap_count, "used": used_n})
    if item.cap_points and used_p + abs(points) > item.cap_points:
        errors.add("quantity", _("超出限额：“%(name)s”%(period)s最多 %(cap)s 分，本户已有 %(used)s 分")
                   % {"name": item.name, "period": period, "cap": item.cap_points, "used": used_p})


def _household_for(user, household_id, *, purpose: str) -> Household:
    """Fetch and authorise in one step through the registry's selector: a resident declares for their own
    household, staff record for households in their points-recording scope."""
    hh = household_get_for_user(user, household_id, purpose="view" if purpose == "declare" else "points_record",
                                related=False, field="household")
    if purpose == "declare" and not permissions.can_declare_for(user, hh):
        raise NotFoundError(field="household")
    if hh.status != HouseholdStatus.ACTIVE:
        raise JicengError(_("该户已迁出或注销，不能记分"), field="household")
    return hh


def _new_declaration(*, actor, household, item: PointsItem, quantity: int, occurred_on, description: str,
                     photo, source: str, resident_id=None, event=None, idempotency_key=None, now=None
                     ) -> PointsDeclaration:
    now = now or timezone.now()
    item = PointsItem.objects.unscoped(AUTHORISED).get(pk=item.pk)  # the row as stored now: it may have been retired meanwhile
    errors = ErrorCollector()
    if quantity is None or int(quantity) < 1:
        errors.add("quantity", _("次数必须是正整数"))
        errors.raise_if_any()
    quantity = int(quantity)
    if quantity > 100:
        errors.add("quantity", _("单次最多记录 100 次"))
    if occurred_on > timezone.localdate(now):
        errors.add("occurred_on", _("发生日期不能晚于今天"))
    _check_item(item, household, occurred_on, errors)
    if item.evidence_required and not photo:
        errors.add("photo", _("该项目需要上传佐证照片"))
    if resident_id and not household.members.filter(pk=resident_id).exists():
        errors.add("resident", _("该居民不是本户成员"))
    points = item.points * quantity
    if not errors.errors:
        _check_caps(item, household, occurred_on, quantity, points, errors)
    errors.raise_if_any()
    cleaned = clean_photo(photo) if photo else None
    programme = _programme(household)
    decl = PointsDeclaration(
        programme=programme, household=household, resident_id=resident_id, org_path=household.org_path, item=item,
        quantity=quantity, points=points, requested_points=points, occurred_on=occurred_on,
        description=(description or "").strip(), source=source, event=event, status=DeclarationStatus.SUBMITTED,
        submitted_by=actor if getattr(actor, "pk", None) else None, submitted_at=now, idempotency_key=idempotency_key,
    )
    if cleaned:
        decl.photo.save(cleaned.name, cleaned, save=False)
    decl.save(force_insert=True)
    return decl


def _replay(programme_id, key):
    if key:
        found = PointsDeclaration.objects.filter(programme_id=programme_id, idempotency_key=key).first()
        if found:
            raise JicengError(_("该申报已提交过（幂等键重复），编号 %(id)s") % {"id": found.pk},
                              field="idempotency_key", code="duplicate")


def declaration_submit(*, actor, household_id, item: PointsItem, occurred_on, description: str = "", photo=None,
                       quantity: int = 1, resident_id=None, idempotency_key: str | None = None,
                       now=None) -> PointsDeclaration:
    """A resident declares an item for their own household (居民申报)."""
    household = _household_for(actor, household_id, purpose="declare")
    if item.points < 0:
        raise JicengError(_("居民只能申报加分项目"), field="item")
    _replay(_programme(household).pk, idempotency_key)
    try:
        with transaction.atomic(durable=True):
            decl = _new_declaration(actor=actor, household=household, item=item, quantity=quantity,
                                    occurred_on=occurred_on, description=description, photo=photo,
                                    source=DeclarationSource.RESIDENT,
                                    resident_id=resident_id or getattr(actor, "resident_id", None),
                                    idempotency_key=idempotency_key, now=now)
            audit_log(actor=actor, action="points.declaration.submitted", obj=decl, org_path=decl.org_path,
                      after={"item": item.name, "points": decl.points, "household": household.number})
    except IntegrityError:
        _replay(_programme(household).pk, idempotency_key)
        raise
    return decl


def declaration_record(*, actor, household_id, item: PointsItem, occurred_on, description: str = "", photo=None,
                       quantity: int = 1, resident_id=None, idempotency_key: str | None = None,
                       now=None) -> PointsDeclaration:
    """A grid worker records an item (positive or negative) for a household (网格员记录)."""
    household = _household_for(actor, household_id, purpose="record")
    _replay(_programme(household).pk, idempotency_key)
    with transaction.atomic(durable=True):
        decl = _new_declaration(actor=actor, household=household, item=item, quantity=quantity,
                                occurred_on=occurred_on, description=description, photo=photo,
                                source=DeclarationSource.WORKER, resident_id=resident_id,
                                idempotency_key=idempotency_key, now=now)
        audit_log(actor=actor, action="points.declaration.recorded", obj=decl, org_path=decl.org_path,
                  after={"item": item.name, "points": decl.points, "household": household.number})
    return decl


def event_record(*, actor, org_unit, name: str, held_on, item: PointsItem, household_ids: list[int],
                 now=None) -> tuple[PointsEvent, list[PointsDeclaration]]:
    """Bulk recording for an event (活动批量记录): every attending household gets one record.
    All or nothing: one household that cannot be recorded refuses the whole list, naming it."""
    if not permissions.can_record_points(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if not name.strip():
        errors.add("name", _("请填写活动名称"))
    ids = list(dict.fromkeys(int(i) for i in household_ids))
    if not ids:
        errors.add("households", _("请至少选择一户参加活动的住户"))
    errors.raise_if_any()
    households = {h.pk: h for h in Household.objects.filter(pk__in=ids)}
    for hid in ids:
        hh = households.get(hid)
        if hh is None or not hh.org_path.startswith(org_unit.path) or not permissions.can_record_points(actor, hh.org_path):
            errors.add("households", _("住户 #%(id)s 不存在或不在本单元范围内") % {"id": hid})
    errors.raise_if_any()
    programme = programme_for_path(org_unit.path)
    if programme is None:
        raise JicengError(_("该单元尚未实行积分制"), field="org_unit", code="no_programme")
    declarations = []
    with transaction.atomic(durable=True):
        event = PointsEvent.objects.create(programme=programme, org_unit=org_unit, org_path=org_unit.path,
                                           name=name.strip(), held_on=held_on, item=item, created_by=actor)
        for hid in ids:
            hh = households[hid]
            try:
                declarations.append(_new_declaration(
                    actor=actor, household=hh, item=item, quantity=1, occurred_on=held_on,
                    description=_("参加活动：%(name)s") % {"name": event.name}, photo=None,
                    source=DeclarationSource.EVENT, event=event, now=now))
            except JicengError as exc:
                raise JicengError(_("住户 %(number)s：%(msg)s") % {"number": hh.number, "msg": exc.message},
                                  field="households") from None
        audit_log(actor=actor, action="points.event.recorded", obj=event, org_path=org_unit.path,
                  after={"name": event.name, "item": item.name, "households": len(declarations)})
    return event, declarations


def _declaration_locked(declaration_id) -> PointsDeclaration:
    return PointsDeclaration.objects.unscoped(AUTHORISED).select_for_update(of=("self",)).select_related("item", "programme").get(
        pk=declaration_id)


def approval_blockers(decl: PointsDeclaration) -> ErrorCollector:
    """What stops a record being approved until someone resolves it: an objection not yet looked into
    (有异议), or the evidence photo its item requires missing. Rejecting is always possible."""
    errors = ErrorCollector()
    open_objections = decl.objections.filter(resolved_at__isnull=True).count()
    if open_objections:
        errors.add("objections", _("“%(title)s”（#%(id)s）有 %(n)s 条公示异议未处理：请先核实异议并填写处理意见，再审核通过")
                   % {"title": decl.title, "id": decl.pk, "n": open_objections})
    if decl.item_id and decl.item.evidence_required and not decl.photo:
        errors.add("photo", _("“%(title)s”（#%(id)s）的项目需要佐证照片，本记录没有：请先补充照片，再审核通过")
                   % {"title": decl.title, "id": decl.pk})
    return errors


def declaration_review(*, actor, declaration: PointsDeclaration, decision: str, note: str = "",
                       points: int | None = None, now=None) -> PointsDeclaration:
    """Review (审核): approve (publicity starts), adjust the points and approve, or reject with a reason."""
    if not permissions.can_review_points(actor, declaration.org_path):
        raise PermissionDeniedError()
    if decision not in ("approve", "adjust", "reject"):
        raise JicengError(_("审核结论无效"), field="decision")
    own_household = getattr(getattr(actor, "resident", None), "household_id", None)
    if declaration.submitted_by_id == actor.pk or (own_household and own_household == declaration.household_id):
        raise PermissionDeniedError(_("不能审核自己提交或自己家庭的积分记录"))
    note = (note or "").strip()
    if decision == "reject" and not note:
        raise JicengError(_("驳回时请填写理由"), field="review_note")
    if decision == "adjust":
        if points in (None, "") or int(points) == 0:
            raise JicengError(_("调整后的积分不能为空或 0"), field="points")
        points = int(points)
        if (points > 0) != (declaration.requested_points > 0):
            raise JicengError(_("调整不能改变加分或扣分的方向"), field="points")
        if not note:
            raise JicengError(_("调整分值时请填写理由"), field="review_note")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        decl = _declaration_locked(declaration.pk)
        if decl.status != DeclarationStatus.SUBMITTED:
            raise JicengError(_("该记录当前状态为“%(status)s”，不能审核") % {"status": decl.get_status_display()},
                              field="status", code="bad_state")
        if decision != "reject":
            approval_blockers(decl).raise_if_any()
        before = {"status": decl.status, "points": decl.points}
        decl.reviewed_by, decl.reviewed_at, decl.review_note = actor, now, note[:200]
        if decision == "reject":
            decl.status = DeclarationStatus.REJECTED
        else:
            if decision == "adjust":
                decl.points = points
            if decl.item_id:
                errors = ErrorCollector()
                _check_caps(decl.item, decl.household, decl.occurred_on, decl.quantity, decl.points, errors,
                            exclude_id=decl.pk)
                errors.raise_if_any()
            decl.status = DeclarationStatus.PUBLICISING
            decl.publicity_starts_at = now
            decl.publicity_ends_at = now + dt.timedelta(days=decl.programme.publicity_days)
        decl.save(update_fields=["status", "points", "reviewed_by", "reviewed_at", "review_note",
                                 "publicity_starts_at", "publicity_ends_at"])
        PublicityObjection.objects.filter(declaration=decl, resolved_at__isnull=True).update(
            resolved_by=actor, resolved_at=now)
        audit_log(actor=actor, action=f"points.declaration.{'rejected' if decision == 'reject' else 'approved'}",
                  obj=decl, org_path=decl.org_path, before=before,
                  after={"status": decl.status, "points": decl.points, "note": note})
    return decl


def objection_lodge(*, declaration_id: int, reason: str, name: str = "", phone: str = "", ip_address: str = "",
                    within: str | None = None, now=None) -> PublicityObjection:
    """Anyone may object (异议) during the publicity period; the item goes back to review.

    The objector sees what the public notice (积分公示) shows, within the unit whose notice they read
    (``within``, a path) when they name one. A declaration never put on notice, or outside that unit,
    is answered like an unknown id — scope before state, so the answer does not tell that it exists;
    only one that was on notice can be "publicity closed"."""
    reason = (reason or "").strip()
    if not reason:
        raise JicengError(_("请填写异议理由"), field="reason")
    if len(reason) > 1000:
        raise JicengError(_("异议理由不能超过 1000 字"), field="reason")
    now = now or timezone.now()
    if ip_address and PublicityObjection.objects.filter(
            ip_address=ip_address, created_at__gte=now - dt.timedelta(hours=1)).count() >= OBJECTIONS_PER_HOUR:
        raise JicengError(_("同一网络一小时内最多提出 %(n)s 条异议，请稍后再试或直接联系社区")
                          % {"n": OBJECTIONS_PER_HOUR}, field="reason", code="too_many")
    with transaction.atomic(durable=True):
        decl = (PointsDeclaration.objects.unscoped("a declaration on public notice: anyone may object")
                .select_for_update(of=("self",)).filter(pk=declaration_id).first())
        if decl is None or (within is not None and not decl.org_path.startswith(within)) or not (
                decl.publicity_starts_at is not None or decl.objections.exists()):
            raise NotFoundError(field="declaration")
        if decl.status != DeclarationStatus.PUBLICISING or decl.publicity_ends_at is None or now >= decl.publicity_ends_at:
            raise JicengError(_("公示期已结束，不能再提出异议"), field="declaration", code="publicity_closed")
        objection = PublicityObjection.objects.create(declaration=decl, reason=reason, name=name.strip()[:50],
                                                      phone=phone.strip()[:20], ip_address=ip_address, created_at=now)
        decl.status = DeclarationStatus.SUBMITTED
        decl.publicity_starts_at = decl.publicity_ends_at = None
        decl.save(update_fields=["status", "publicity_starts_at", "publicity_ends_at"])
        audit_log(actor=None, action="points.declaration.objected", obj=decl, org_path=decl.org_path,
                  after={"reason": reason}, ip_address=ip_address)
    return objection


def _post(decl: PointsDeclaration, *, actor=None, now) -> None:
    kind = EntryKind.GRANT if decl.points > 0 else EntryKind.DEDUCTION
    entry, _created = ledger_post(household=decl.household, kind=kind, amount=decl.points,
                                  idempotency_key=f"declaration:{decl.pk}", actor=actor,
                                  source_type="points.declaration", source_id=decl.pk,
                                  memo=decl.title, clamp=decl.points < 0, programme=decl.programme, now=now)
    decl.status = DeclarationStatus.POSTED
    decl.posted_at = now
    decl.ledger_entry = entry
    decl.save(update_fields=["status", "posted_at", "ledger_entry"])


def publicity_post_due(*, now=None) -> int:
    """Post every declaration whose publicity period has ended without objection. Run by the
    scheduler; running it twice posts nothing twice (status re-checked under the row lock, and the
    ledger refuses a second entry with the same idempotency key)."""
    now = now or timezone.now()
    due = list(PointsDeclaration.objects.filter(status=DeclarationStatus.PUBLICISING, publicity_ends_at__lte=now)
               .order_by("publicity_ends_at", "pk").values_list("pk", flat=True)[:5000])
    posted = 0
    for pk in due:
        with transaction.atomic():
            decl = _declaration_locked(pk)
            if decl.status != DeclarationStatus.PUBLICISING or decl.publicity_ends_at > now:
                continue
            _post(decl, now=now)
            audit_log(actor=None, action="points.declaration.posted", obj=decl, org_path=decl.org_path,
                      after={"points": decl.points, "ledger_seq": decl.ledger_entry.seq if decl.ledger_entry else None})
            posted += 1
    return posted


def exchange_points(programme: PointsProgramme, event_code: str) -> int:
    rule = ExchangeRule.objects.filter(programme=programme, event_code=event_code).first()
    if rule is None:
        raise JicengError(_("积分制度中没有“%(code)s”的兑换规则") % {"code": event_code}, field="event_code")
    return rule.points


def grant_points(*, actor, household, event_code: str, idempotency_key: str, reason: str,
                 source_type: str = "", source_id="", resident_id=None, now=None) -> PointsDeclaration:
    """Grant points for an event elsewhere (another module calls this), by the site's exchange rule
    (e.g. one verified problem report → 10 points). Posts at once (the event was verified where it
    happened) and is idempotent: the same key returns the first grant and writes nothing."""
    programme = _programme(household)
    key = f"grant:{idempotency_key}"
    existing = PointsDeclaration.objects.unscoped(AUTHORISED).filter(programme=programme, idempotency_key=key).first()
    if existing:
        return existing
    points = exchange_points(programme, event_code)
    now = now or timezone.now()
    with transaction.atomic():
        decl = PointsDeclaration.objects.create(
            programme=programme, household=household, resident_id=resident_id, org_path=household.org_path,
            item=None, reason=reason[:200], quantity=1, points=points, requested_points=points,
            occurred_on=timezone.localdate(now), source=DeclarationSource.SERVICE,
            status=DeclarationStatus.SUBMITTED, submitted_by=actor if getattr(actor, "pk", None) else None,
            submitted_at=now, idempotency_key=key, description=f"{source_type}:{source_id}")
        _post(decl, actor=actor, now=now)
        audit_log(actor=actor, action="points.granted", obj=decl, org_path=decl.org_path,
                  after={"event": event_code, "points": points, "source": f"{source_type}:{source_id}"})
    return decl


def objection_resolve(*, actor, declaration: PointsDeclaration, note: str, now=None) -> PointsDeclaration:
    """The reviewer looks into the objections lodged against a record (核实异议) and writes what they
    found; only then may the record be approved again. The record stays waiting for review."""
    if not permissions.can_review_points(actor, declaration.org_path):
        raise PermissionDeniedError()
    note = (note or "").strip()
    if not note:
        raise JicengError(_("请填写异议的核实情况和处理意见"), field="resolution_note")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        decl = _declaration_locked(declaration.pk)
        if decl.status != DeclarationStatus.SUBMITTED:
            raise JicengError(_("该记录当前状态为“%(status)s”，不能处理异议") % {"status": decl.get_status_display()},
                              field="status", code="bad_state")
        resolved = PublicityObjection.objects.filter(declaration=decl, resolved_at__isnull=True).update(
            resolved_by=actor, resolved_at=now, resolution_note=note[:500])
        if not resolved:
            raise JicengError(_("该记录没有待处理的异议"), field="objections", code="no_objection")
        audit_log(actor=actor, action="points.declaration.objection_resolved", obj=decl, org_path=decl.org_path,
                  after={"objections": resolved, "note": note[:500]})
    return decl


def declaration_add_evidence(*, actor, declaration: PointsDeclaration, photo) -> PointsDeclaration:
    """Add the evidence photo (补充佐证照片) to a record waiting for review, by whoever may record or
    review points for its household."""
    if not (permissions.can_review_points(actor, declaration.org_path)
            or permissions.can_record_points(actor, declaration.org_path)):
        raise PermissionDeniedError()
    if not photo:
        raise JicengError(_("请选择佐证照片"), field="photo")
    cleaned = clean_photo(photo)
    with transaction.atomic(durable=True):
        decl = _declaration_locked(declaration.pk)
        if decl.status != DeclarationStatus.SUBMITTED:
            raise JicengError(_("该记录当前状态为“%(status)s”，不能补充照片") % {"status": decl.get_status_display()},
                              field="status", code="bad_state")
        had = bool(decl.photo)
        decl.photo.save(cleaned.name, cleaned, save=False)
        decl.save(update_fields=["photo"])
        audit_log(actor=actor, action="points.declaration.evidence_added", obj=decl, org_path=decl.org_path,
                  before={"photo": had}, after={"photo": True})
    return decl


BATCH_MAX = 100


def declarations_review_batch(*, actor, declaration_ids: list[int], decision: str, note: str = "",
                              now=None) -> dict:
    """Approve or reject several records at once with one note (批量审核).

    One transaction per record, not all or nothing: a record that may not be approved (an objection
    or the evidence still open, already reviewed meanwhile, the reviewer's own) is left exactly as it
    was and named with its reason, and the others go through. Returns ``{"done": [records],
    "refused": [(id, record or None, message)]}``."""
    if not permissions.can_review_any(actor):
        raise PermissionDeniedError()
    if decision not in ("approve", "reject"):
        raise JicengError(_("批量审核只能“通过”或“驳回”"), field="decision")
    ids = list(dict.fromkeys(int(i) for i in declaration_ids or []))
    if not ids:
        raise JicengError(_("请至少勾选一条待审核记录"), field="declaration_ids")
    if len(ids) > BATCH_MAX:
        raise JicengError(_("一次最多批量审核 %(n)s 条") % {"n": BATCH_MAX}, field="declaration_ids")
    if decision == "reject" and not (note or "").strip():
        raise JicengError(_("驳回时请填写理由"), field="review_note")
    now = now or timezone.now()
    found = {d.pk: d for d in PointsDeclaration.objects.accessible_to(actor, purpose="points_review")
             .select_related("item", "household").filter(pk__in=ids)}
    done, refused = [], []
    for pk in ids:
        decl = found.get(pk)
        if decl is None:
            refused.append((pk, None, _("记录 #%(id)s 不存在或您无权审核") % {"id": pk}))
            continue
        try:
            done.append(declaration_review(actor=actor, declaration=decl, decision=decision, note=note, now=now))
        except JicengError as exc:
            reasons = [str(m) for msgs in exc.errors.values() for m in msgs] or [exc.message]
            refused.append((pk, decl, "；".join(dict.fromkeys(reasons))))
    return {"done": done, "refused": refused}
