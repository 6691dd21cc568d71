"""The points ledger (积分流水): posting, reversal and verification.

``ledger_post`` is the one place a balance changes. It is idempotent by key: posting the same key
twice returns the first entry and writes nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import psycopg
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.orgs.models import path_and_ancestors
from jiceng.core.errors import JicengError

from ..lock_objects import account_lock, programme_lock
from ..models import GENESIS, EntryKind, PointsAccount, PointsLedgerEntry, PointsProgramme

SPENDING_KINDS = {EntryKind.REDEMPTION, EntryKind.REVERSAL, EntryKind.EXPIRY}


class InsufficientPoints(JicengError):
    status = 409

    def __init__(self, balance: int, needed: int):
        super().__init__(_("积分余额不足：当前余额 %(balance)s 分，需要 %(needed)s 分") % {"balance": balance, "needed": needed},
                         code="insufficient_points", field="points")
        self.balance = balance
        self.needed = needed


def entry_payload(*, programme_id, account_id, kind, amount, balance_after, idempotency_key, source_type,
                  source_id, reverses_id, memo, actor_id, created_at: dt.datetime) -> str:
    """The entry's own fields in a canonical text form (everything but its place in the chain)."""
    created = created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps([programme_id, account_id, str(kind), amount, balance_after, idempotency_key, source_type,
                       str(source_id), reverses_id, memo, actor_id, created], ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, seq: int, payload: str) -> str:
    """sha256(previous hash | sequence number | payload): the same text PostgreSQL hashes in ``_PG_POST``."""
    return hashlib.sha256(f"{prev_hash}|{seq}|{payload}".encode()).hexdigest()


def entry_hash(*, programme_id, seq, account_id, kind, amount, balance_after, idempotency_key, source_type,
               source_id, reverses_id, memo, actor_id, created_at: dt.datetime, prev_hash: str) -> str:
    return chain_hash(prev_hash, seq, entry_payload(
        programme_id=programme_id, account_id=account_id, kind=kind, amount=amount, balance_after=balance_after,
        idempotency_key=idempotency_key, source_type=source_type, source_id=source_id, reverses_id=reverses_id,
        memo=memo, actor_id=actor_id, created_at=created_at))


def hash_of(entry: PointsLedgerEntry) -> str:
    return entry_hash(programme_id=entry.programme_id, seq=entry.seq, account_id=entry.account_id, kind=entry.kind,
                      amount=entry.amount, balance_after=entry.balance_after, idempotency_key=entry.idempotency_key,
                      source_type=entry.source_type, source_id=entry.source_id, reverses_id=entry.reverses_id,
                      memo=entry.memo, actor_id=entry.actor_id, created_at=entry.created_at, prev_hash=entry.prev_hash)


def programme_for_path(path: str) -> PointsProgramme | None:
    """The programme covering a unit path: the nearest ancestor-or-self unit that runs one."""
    return PointsProgramme.objects.filter(org_path__in=path_and_ancestors(path)).order_by("-org_path").first()


def ledger_post(*, household, kind: str, amount: int, idempotency_key: str, actor=None, source_type: str = "",
                source_id="", memo: str = "", reverses: PointsLedgerEntry | None = None, clamp: bool = False,
                programme: PointsProgramme | None = None, now: dt.datetime | None = None
                ) -> tuple[PointsLedgerEntry | None, bool]:
    """Post one entry and return ``(entry, created)``.

    A negative amount that exceeds the balance raises ``InsufficientPoints`` — unless ``clamp`` is
    set (a deduction for conduct takes what is there and no more), in which case the entry is cut to
    the balance, and no entry is written when the balance is zero (``(None, True)``).
    """
    if amount == 0:
        raise JicengError(_("积分变动不能为 0"), field="points")
    if not idempotency_key:
        raise JicengError(_("缺少幂等键"), field="idempotency_key")
    if programme is None:
        programme = programme_for_path(household.org_path)
        if programme is None:
            raise JicengError(_("该户所在单元尚未实行积分制"), field="household", code="no_programme")
    if connection.vendor == "postgresql":
        return _post_pg(programme_id=programme.pk, household=household, kind=kind, amount=amount,
                        idempotency_key=idempotency_key, actor=actor, source_type=source_type, source_id=source_id,
                        memo=memo, reverses=reverses, clamp=clamp, now=now)
    with transaction.atomic():
        account = account_lock(household.pk)
        head = programme_lock(programme.pk)
        existing = PointsLedgerEntry.objects.filter(programme_id=head.pk, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
        if account is None:
            if amount < 0:  # a deduction for a household that never had points: nothing to take
                if clamp:
                    return None, True
                raise InsufficientPoints(0, -amount)
            account = PointsAccount.objects.create(programme_id=head.pk, household_id=household.pk,
                                                   org_path=household.org_path)
        balance = account.balance
        if balance + amount < 0:
            if not clamp:
                raise InsufficientPoints(balance, -amount)
            amount = -balance
            if amount == 0:
                return None, True
        now = now or timezone.now()
        seq = head.chain_seq + 1
        actor_id = getattr(actor, "pk", None)
        entry = PointsLedgerEntry(
            programme_id=head.pk, seq=seq, account_id=account.pk, kind=kind, amount=amount,
            balance_after=balance + amount, idempotency_key=idempotency_key, source_type=source_type,
            source_id=str(source_id or ""), reverses=reverses, memo=memo[:255], actor_id=actor_id,
            actor_name=(getattr(actor, "username", "") or "system")[:150], created_at=now, prev_hash=head.chain_hash,
        )
        entry.entry_hash = hash_of(entry)
        entry.save(force_insert=True)
        PointsAccount.objects.filter(pk=account.pk).update(balance=balance + amount)
        PointsProgramme.objects.filter(pk=head.pk).update(chain_seq=seq, chain_hash=entry.entry_hash)
    return entry, True


def _payload_parts(*, programme_id, kind, idempotency_key, source_type, source_id, reverses_id, memo, actor_id,
                   created_at: dt.datetime) -> tuple[str, str, str]:
    """``entry_payload`` cut around the three numbers only the database knows at posting time
    (account id | amount, balance after): ``head + account + mid + amount + "," + after + tail``
    is exactly ``entry_payload(...)`` (JSON writes an integer as its decimal digits, as ``::text`` does)."""
    def dumps(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    created = created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    head = dumps([programme_id])[:-1] + ","
    mid = "," + dumps(str(kind)) + ","
    tail = "," + dumps([idempotency_key, source_type, str(source_id), reverses_id, memo, actor_id, created])[1:]
    return head, mid, tail


# The whole posting as one statement (one round trip, its own transaction when the caller has none;
# prepared once per connection, see ``_post_pg``):
#   a   lock the household's account (first, as every posting does) and read its balance;
#   d   has this key been posted? (an earlier commit; a concurrent one is caught by ON CONFLICT);
#   v   the amount to post — cut to the balance when clamping — and only if the key is new, the
#       balance stays >= 0 and the amount is not zero;
#   p   then lock the programme's chain head (joined to v, so it is taken after the account);
#   e   chain the entry (hashing in the database the same text ``chain_hash`` hashes) and insert it;
#   ua, up  move the account's balance and the chain head — only for an entry that was inserted.
# The final row says which of these happened, so the caller can tell a replay, a refusal or a
# missing account from a posting. The hot chain-head row is locked only for this statement.
_PG_POST = (
    "WITH a AS (SELECT id, balance FROM points_pointsaccount WHERE household_id = %(household)s::bigint "
    "FOR UPDATE), "
    "d AS (SELECT id FROM points_pointsledgerentry WHERE programme_id = %(programme)s::bigint "
    "AND idempotency_key = %(key)s::text), "
    "v AS (SELECT a.id AS account, a.balance + x.amount AS after, x.amount FROM a, LATERAL (SELECT CASE "
    "WHEN %(clamp)s::boolean THEN GREATEST(%(amount)s::integer, -a.balance) ELSE %(amount)s::integer END "
    "AS amount) x WHERE NOT EXISTS (SELECT 1 FROM d) AND a.balance + x.amount >= 0 AND x.amount <> 0), "
    "p AS (SELECT pp.id, pp.chain_seq + 1 AS seq, pp.chain_hash AS prev, v.account, v.amount, v.after "
    "FROM points_pointsprogramme pp, v WHERE pp.id = %(programme)s::bigint FOR UPDATE OF pp), "
    "e AS (INSERT INTO points_pointsledgerentry (programme_id, seq, account_id, kind, amount, balance_after, "
    "idempotency_key, source_type, source_id, reverses_id, memo, actor_id, actor_name, created_at, prev_hash, "
    "entry_hash) SELECT p.id, p.seq, p.account, %(kind)s::text, p.amount, p.after, %(key)s::text, "
    "%(source_type)s::text, %(source_id)s::text, %(reverses)s::bigint, %(memo)s::text, %(actor)s::bigint, "
    "%(actor_name)s::text, %(created)s::timestamptz, p.prev, "
    "encode(sha256(convert_to(p.prev || '|' || p.seq::text || '|' || %(head)s::text || p.account::text "
    "|| %(mid)s::text || p.amount::text || ',' || p.after::text || %(tail)s::text, 'UTF8')), 'hex') FROM p "
    "ON CONFLICT ON CONSTRAINT ledger_idempotency_unique DO NOTHING "
    "RETURNING id, programme_id, seq, account_id, amount, balance_after, prev_hash, entry_hash), "
    "ua AS (UPDATE points_pointsaccount SET balance = e.balance_after FROM e "
    "WHERE points_pointsaccount.id = e.account_id), "
    "up AS (UPDATE points_pointsprogramme SET chain_seq = e.seq, chain_hash = e.entry_hash FROM e "
    "WHERE points_pointsprogramme.id = e.programme_id) "
    "SELECT (SELECT id FROM a), (SELECT balance FROM a), (SELECT id FROM d), "
    "e.id, e.seq, e.account_id, e.amount, e.balance_after, e.prev_hash, e.entry_hash "
    "FROM (SELECT 1) one LEFT JOIN e ON true"
)


def _post_pg(*, programme_id, household, kind, amount, idempotency_key, actor, source_type, source_id, memo,
             reverses, clamp, now):
    """The posting path on PostgreSQL: ``_PG_POST``, one statement and one round trip. Only a
    household's first posting takes a second one, to open its account.

    The statement runs on a server-side cursor and is prepared once per connection: parsing and
    planning it took longer (0.5 ms) than running it, on the CPU the other postings need. Its
    parameters carry explicit types so one generic plan serves every call. Database errors come out
    as Django's (``wrap_database_errors``), as they would through ``connection.cursor()``."""
    now = now or timezone.now()
    actor_id = getattr(actor, "pk", None)
    actor_name = (getattr(actor, "username", "") or "system")[:150]
    source_id = str(source_id or "")
    memo = memo[:255]
    reverses_id = getattr(reverses, "pk", None)
    head, mid, tail = _payload_parts(programme_id=programme_id, kind=kind, idempotency_key=idempotency_key,
                                     source_type=source_type, source_id=source_id, reverses_id=reverses_id,
                                     memo=memo, actor_id=actor_id, created_at=now)
    params = {"household": household.pk, "programme": programme_id, "key": idempotency_key, "clamp": bool(clamp),
              "amount": amount, "kind": str(kind), "source_type": source_type, "source_id": source_id,
              "reverses": reverses_id, "memo": memo, "actor": actor_id, "actor_name": actor_name, "created": now,
              "head": head, "mid": mid, "tail": tail}
    if connection.in_atomic_block:
        # Inside the caller's transaction a savepoint keeps a failed statement from aborting it
        # (the raw cursor bypasses Django's bookkeeping); in autocommit the statement is its own
        # transaction and needs none.
        with transaction.atomic():
            row = _run_post(params, household=household, programme_id=programme_id, amount=amount, now=now)
    else:
        row = _run_post(params, household=household, programme_id=programme_id, amount=amount, now=now)
    if row is None:  # a deduction for a household that never had points
        if clamp:
            return None, True
        raise InsufficientPoints(0, -amount)
    _account, balance, _existing, entry_id, seq, account_id, posted, after, prev, digest = row
    if entry_id is None:
        # Posted before; or by a concurrent call with the same key that committed while this one
        # waited for the account (the statement's snapshot predates that wait, so its own check
        # missed it): a replay either way, whatever the balance now says.
        replayed = PointsLedgerEntry.objects.filter(programme_id=programme_id, idempotency_key=idempotency_key).first()
        if replayed is not None:
            return replayed, False
        effective = max(amount, -balance) if clamp else amount
        if effective == 0:
            return None, True  # a clamped deduction from an empty account takes nothing
        raise InsufficientPoints(balance, -amount)
    entry = PointsLedgerEntry(pk=entry_id, programme_id=programme_id, seq=seq, account_id=account_id, kind=kind,
                              amount=posted, balance_after=after, idempotency_key=idempotency_key,
                              source_type=source_type, source_id=source_id, reverses_id=reverses_id, memo=memo,
                              actor_id=actor_id, actor_name=actor_name, created_at=now, prev_hash=prev,
                              entry_hash=digest)
    entry._state.adding = False
    entry._state.db = "default"
    return entry, True


def _run_post(params: dict, *, household, programme_id: int, amount: int, now) -> tuple | None:
    """Run ``_PG_POST`` (prepared) and return its row; ``None`` for a deduction from a household
    that has no account (nothing to take, nothing written)."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
        cur.execute(_PG_POST, params, prepare=True)
        row = cur.fetchone()
        if row[0] is not None:
            return row
        if amount < 0:
            return None
        # A household's first grant opens its account (a concurrent first posting meets the same
        # unique key and does nothing), then posts; both or neither.
        with transaction.atomic():
            cur.execute("INSERT INTO points_pointsaccount (programme_id, household_id, org_path, balance, "
                        "created_at) VALUES (%s, %s, %s, 0, %s) ON CONFLICT (household_id) DO NOTHING",
                        [programme_id, household.pk, household.org_path, now])
            cur.execute(_PG_POST, params, prepare=True)
            return cur.fetchone()


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
    if PointsLedgerEntry.objects.filter(reverses=entry).exists():
        raise JicengError(_("该笔流水已冲正过"), field="entry", code="already_reversed")
    household = entry.account.household
    try:
        with transaction.atomic():
            reversal, _created = ledger_post(
                household=household, kind=EntryKind.REVERSAL, amount=-entry.amount,
                idempotency_key=f"reversal:{entry.pk}", actor=actor, source_type=entry.source_type,
                source_id=entry.source_id, memo=_("冲正：%(reason)s") % {"reason": reason.strip()}, reverses=entry,
                programme=entry.programme, now=now)
            audit_log(actor=actor, action="points.entry.reversed", object_type="points.pointsledgerentry",
                      object_id=entry.pk, object_repr=f"#{entry.seq} {entry.memo}", org_path=entry.account.org_path,
                      before={"amount": entry.amount}, after={"reversal": reversal.amount, "reason": reason.strip()})
    except IntegrityError:
        raise JicengError(_("该笔流水已冲正过"), field="entry", code="already_reversed") from None
    return reversal


@dataclass
class LedgerCheck:
    programmes: int = 0
    entries: int = 0
    accounts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def points_verify(*, batch: int = 5000) -> LedgerCheck:
    """Check every programme's chain (links, hashes, no gaps, head) and every account's balance
    against the sum of its entries; no running balance may dip below zero."""
    result = LedgerCheck()
    for programme in PointsProgramme.objects.order_by("pk"):
        result.programmes += 1
        prev = GENESIS
        expected = 1
        running: dict[int, int] = {}
        last_seq = 0
        qs = PointsLedgerEntry.objects.filter(programme=programme).order_by("seq")
        start = 0
        while True:
            rows = list(qs.filter(seq__gt=start)[:batch])
            if not rows:
                break
            for e in rows:
                where = f"{programme.name} #{e.seq}"
                if e.seq != expected:
                    result.problems.append(f"{programme.name}：流水 #{expected}–#{e.seq - 1} 缺失")
                if e.prev_hash != prev:
                    result.problems.append(f"{where}：前序哈希与上一条不符（链被破坏）")
                if hash_of(e) != e.entry_hash:
                    result.problems.append(f"{where}：内容与哈希不符（被篡改）")
                bal = running.get(e.account_id, 0) + e.amount
                if bal != e.balance_after:
                    result.problems.append(f"{where}：变动后余额 {e.balance_after} 与累计 {bal} 不符")
                if bal < 0:
                    result.problems.append(f"{where}：余额为负（{bal}）")
                running[e.account_id] = bal
                prev = e.entry_hash
                expected = e.seq + 1
                last_seq = e.seq
                result.entries += 1
            start = rows[-1].seq
        if programme.chain_seq != last_seq or programme.chain_hash != prev:
            result.problems.append(f"{programme.name}：链头指向 #{programme.chain_seq}，最后一条流水是 #{last_seq}")
        for account in PointsAccount.objects.filter(programme=programme).only("pk", "balance", "household_id"):
            result.accounts += 1
            derived = running.get(account.pk, 0)
            if account.balance != derived:
                result.problems.append(
                    f"{programme.name}：户 #{account.household_id} 账户余额 {account.balance} 与流水合计 {derived} 不符")
    return result


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
