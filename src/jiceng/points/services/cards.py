"""Points cards (积分卡): numbers, issue, reissue, lookup at the counter, the printable PDF sheet."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.people.models import Household, HouseholdStatus

from .. import permissions
from ..lock_objects import programme_lock
from ..models import CardStatus, PointsCard
from .ledger import programme_for_path


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card_number(prefix: str, programme_id: int, seq: int) -> str:
    body = f"{programme_id:02d}{seq:07d}"
    return f"{prefix}{body}{luhn_digit(body)}"


def normalise_card_number(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def _issue(programme_id: int, household, now) -> PointsCard:
    head = programme_lock(programme_id)
    seq = head.card_seq + 1
    type(head).objects.filter(pk=head.pk).update(card_seq=seq)
    return PointsCard.objects.create(programme_id=head.pk, household=household,
                                     number=card_number(head.card_prefix, head.pk, seq), issued_at=now)


def card_issue(*, actor, household, now=None) -> PointsCard:
    if not permissions.can_record_points(actor, household.org_path):
        raise PermissionDeniedError()
    programme = programme_for_path(household.org_path)
    if programme is None:
        raise JicengError(_("该户所在单元尚未实行积分制"), field="household", code="no_programme")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        if PointsCard.objects.filter(household=household, status=CardStatus.ACTIVE).exists():
            raise JicengError(_("该户已有在用的积分卡；遗失请办理挂失换发"), field="household", code="duplicate")
        card = _issue(programme.pk, household, now)
        audit_log(actor=actor, action="points.card.issued", obj=card, org_path=household.org_path,
                  after={"number": card.number, "household": household.number})
    return card


def cards_issue_missing(*, actor, unit, now=None) -> int:
    """Issue a card to every active household under a unit that has none."""
    if not permissions.can_record_points(actor, unit.path):
        raise PermissionDeniedError()
    programme = programme_for_path(unit.path)
    if programme is None:
        raise JicengError(_("该单元尚未实行积分制"), field="org_unit", code="no_programme")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        head = programme_lock(programme.pk)
        households = list(Household.objects.within(unit.path).filter(status=HouseholdStatus.ACTIVE)
                          .exclude(points_cards__status=CardStatus.ACTIVE).order_by("pk"))
        seq = head.card_seq
        cards = []
        for hh in households:
            seq += 1
            cards.append(PointsCard(programme_id=head.pk, household=hh, number=card_number(head.card_prefix, head.pk, seq),
                                    issued_at=now))
        PointsCard.objects.bulk_create(cards, batch_size=2000)
        type(head).objects.filter(pk=head.pk).update(card_seq=seq)
        audit_log(actor=actor, action="points.card.issued_bulk", obj=unit, org_path=unit.path,
                  after={"cards": len(cards)})
    return len(cards)


def card_reissue(*, actor, household, reason: str, now=None) -> PointsCard:
    """A lost or damaged card is replaced (挂失换发): the old number stops working at once."""
    if not permissions.can_record_points(actor, household.org_path):
        raise PermissionDeniedError()
    if not (reason or "").strip():
        raise JicengError(_("请填写换发原因（如遗失、损坏）"), field="reason")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        old = PointsCard.objects.select_for_update().filter(household=household, status=CardStatus.ACTIVE).first()
        if old is None:
            raise JicengError(_("该户没有在用的积分卡"), field="household")
        PointsCard.objects.filter(pk=old.pk).update(status=CardStatus.REPLACED, replaced_at=now,
                                                    replaced_reason=reason.strip()[:100])
        card = _issue(old.programme_id, household, now)
        audit_log(actor=actor, action="points.card.reissued", obj=card, org_path=household.org_path,
                  before={"number": old.number}, after={"number": card.number, "reason": reason.strip()})
    return card


def card_lookup(number: str) -> PointsCard:
    """The active card with this number, or a clear refusal (unknown, or replaced)."""
    number = normalise_card_number(number)
    card = PointsCard.objects.select_related("household", "household__head").filter(number=number).first()
    if card is None:
        raise NotFoundError(_("卡号 %(number)s 不存在") % {"number": number or "—"}, field="card")
    if card.status != CardStatus.ACTIVE:
        raise JicengError(_("积分卡 %(number)s 已挂失换发，停止使用；请使用该户的新卡") % {"number": card.number},
                          field="card", code="card_replaced")
    return card
