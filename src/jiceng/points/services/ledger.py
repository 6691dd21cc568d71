"""The points ledger (积分流水): posting, reversal and verification, on core's ledger primitive.

``ledger_post`` is the one place a household's points change. It is idempotent by key: posting
the same key twice returns the first entry and writes nothing. The posting itself (locks, replay,
clamping, hash chain, PostgreSQL's one statement) is ``jiceng.core.ledger.post``.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import ledger
from jiceng.core.errors import JicengError
from jiceng.orgs.models import path_and_ancestors

from ..errors import InsufficientPoints  # noqa: F401 - part of this module's interface
from ..models import EntryKind, PointsAccount, PointsLedgerEntry, PointsProgramme

SPENDING_KINDS = {EntryKind.REDEMPTION, EntryKind.REVERSAL, EntryKind.EXPIRY}


def entry_payload(*, programme_id, account_id, kind, amount, balance_after, idempotency_key, source_type,
                  source_id, reverses_id, memo, actor_id, created_at: dt.datetime) -> str:
    """The entry's hashed fields in the canonical text form (everything but its place in the chain)."""
    return ledger.ledger_for(PointsLedgerEntry).meta.payload([
        programme_id, account_id, str(kind), amount, balance_after, idempotency_key, source_type, str(source_id),
        reverses_id, memo, actor_id, created_at])


def hash_of(entry: PointsLedgerEntry) -> str:
    return ledger.hash_of(entry)


def _payload_parts(*, programme_id, kind, idempotency_key, source_type, source_id, reverses_id, memo, actor_id,
                   created_at: dt.datetime) -> tuple[str, str, str]:
    """``entry_payload`` cut around the three numbers only the database knows at posting time
    (account id | amount, balance after), as the PostgreSQL posting statement receives it:
    ``head + account + mid + amount + "," + after + tail`` is exactly ``entry_payload(...)``."""
    from django.db import connection

    from jiceng.core.ledger.statement import PostingStatement

    meta = ledger.ledger_for(PointsLedgerEntry).meta
    stmt = PostingStatement(meta, connection, PointsAccount._meta.get_field("household"))
    values = {"programme_id": programme_id, "kind": str(kind), "idempotency_key": idempotency_key,
              "source_type": source_type, "source_id": str(source_id), "reverses_id": reverses_id, "memo": memo,
              "actor_id": actor_id, "created_at": created_at}
    parts = stmt.payload_parts([values.get(a) for a in meta.hashed_attnames])
    return parts["h0"], parts["h1"], parts["h2"]


def programme_for_path(path: str) -> PointsProgramme | None:
    """The programme covering a unit path: the nearest ancestor-or-self unit that runs one."""
    return PointsProgramme.objects.filter(org_path__in=path_and_ancestors(path)).order_by("-org_path").first()


def ledger_post(*, household, kind: str, amount: int, idempotency_key: str, actor=None, source_type: str = "",
                source_id="", memo: str = "", reverses: PointsLedgerEntry | None = None, clamp: bool = False,
                programme: PointsProgramme | None = None, now: dt.datetime | None = None
                ) -> tuple[PointsLedgerEntry | None, bool]:
    """Post one entry to the household's account and return ``(entry, created)``.

    A negative amount that exceeds the balance raises ``InsufficientPoints`` — unless ``clamp`` is
    set (a deduction for conduct takes what is there and no more), in which case the entry is cut to
    the balance, and no entry is written when the balance is zero (``(None, True)``). A household's
    first grant opens its account.
    """
    if amount == 0:
        raise JicengError(_("积分变动不能为 0"), field="points")
    if not idempotency_key:
        raise JicengError(_("缺少幂等键"), field="idempotency_key")
    if programme is None:
        programme = programme_for_path(household.org_path)
        if programme is None:
            raise JicengError(_("该户所在单元尚未实行积分制"), field="household", code="no_programme")
    return ledger.post(
        PointsLedgerEntry, account_by={"household_id": household.pk}, chain=programme.pk, amount=amount,
        idempotency_key=idempotency_key, clamp=clamp, now=now,
        open_account={"programme_id": programme.pk, "org_path": household.org_path},
        source_type=source_type, source_id=source_id, reverses=reverses, kind=str(kind), memo=memo[:255],
        actor_id=getattr(actor, "pk", None), actor_name=(getattr(actor, "username", "") or "system")[:150])


def ledger_reverse(*, actor, entry: PointsLedgerEntry, reason: str, now=None) -> PointsLedgerEntry:
    """Reverse an entry (冲正) with an opposite entry; the original is never edited."""
    from jiceng.audit.services import audit_log
    from jiceng.core.errors import PermissionDeniedError

    from .. import permissions

    if actor is not None and not permissions.can_review_points(actor, entry.account.org_path):
        raise PermissionDeniedError()
    if not reason.strip():
        raise JicengError(_("请填写冲正原因"), field="reason")
    if entry.kind == EntryKind.REVERSAL:
        raise JicengError(_("冲正记录不能再冲正"), field="entry")
    try:
        with transaction.atomic():
            reversal = ledger.reverse(entry, now=now, kind=EntryKind.REVERSAL,
                                      memo=(_("冲正：%(reason)s") % {"reason": reason.strip()})[:255],
                                      actor_id=getattr(actor, "pk", None),
                                      actor_name=(getattr(actor, "username", "") or "system")[:150])
            audit_log(actor=actor, action="points.entry.reversed", object_type="points.pointsledgerentry",
                      object_id=entry.pk, object_repr=f"#{entry.seq} {entry.memo}", org_path=entry.account.org_path,
                      before={"amount": entry.amount}, after={"reversal": reversal.amount, "reason": reason.strip()})
    except IntegrityError:
        raise ledger.AlreadyReversed() from None
    return reversal


def points_verify(*, batch: int = 5000) -> ledger.LedgersCheck:
    """Check the points app's ledgers — every programme's points chain and every product's stock
    chain (links, hashes, no gaps, heads) and every balance against the sum of its entries; no
    running balance may dip below zero. ``jiceng ledgers verify`` checks these and every other ledger."""
    return ledger.verify_all(app_label="points", batch=batch)


def balance_of(household) -> int:
    account = PointsAccount.objects.filter(household_id=household.pk).only("balance").first()
    return account.balance if account else 0


def balance_from_entries(household) -> int:
    return PointsLedgerEntry.objects.filter(account__household_id=household.pk).aggregate(s=Sum("amount"))["s"] or 0


def points_expire_year(*, programme: PointsProgramme, year: int, now=None) -> int:
    """Yearly clearing (年度清零), for a site that chose it: each account's balance at the end of
    ``year`` is cleared by one expiry entry. Idempotent per account and year (run it twice, it
    clears once); points granted after the year's end are not touched."""
    import datetime as _dt

    if not programme.yearly_clearing:
        return 0
    now = now or timezone.now()
    cutoff = timezone.make_aware(_dt.datetime(year + 1, 1, 1))
    cleared = 0
    for account in PointsAccount.objects.filter(programme=programme).select_related("household").order_by("pk"):
        held = (PointsLedgerEntry.objects.filter(account=account, created_at__lt=cutoff)
                .order_by("-seq").values_list("balance_after", flat=True).first() or 0)
        later_spent = -(PointsLedgerEntry.objects.filter(account=account, created_at__gte=cutoff, amount__lt=0)
                        .exclude(kind=EntryKind.EXPIRY).aggregate(s=Sum("amount"))["s"] or 0)
        # What was held at the year's end and has not been spent since expires (never more than the balance).
        amount = min(max(held - later_spent, 0), account.balance)
        if amount <= 0:
            continue
        _entry, created = ledger_post(household=account.household, kind=EntryKind.EXPIRY, amount=-amount,
                                      idempotency_key=f"expiry:{year}:{account.pk}", source_type="points.expiry",
                                      source_id=str(year), memo=f"{year}年度积分清零", programme=programme,
                                      clamp=True, now=now)
        cleared += int(created)
    return cleared


def points_expire_due(*, now=None) -> int:
    """Scheduler, early January: clear last year's points for the programmes that chose it."""
    now = now or timezone.now()
    year = timezone.localdate(now).year - 1
    return sum(points_expire_year(programme=p, year=year, now=now)
               for p in PointsProgramme.objects.filter(yearly_clearing=True))
