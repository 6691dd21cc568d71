"""The ledger's data: abstract models, the per-ledger mapping (``Ledger``), the errors, discovery.

A concrete ledger is three models:

- an entry model, subclass of ``LedgerEntry`` (append-only, one row per change), with a foreign
  key to its account and any columns of its own;
- an account model holding the balance (a cache of the sum of the account's entries);
- a chain head (``LedgerHead``): the last entry's sequence number and hash. By default the
  account is its own chain (``LedgerAccount`` is a head and a balance), so postings to different
  accounts never wait for each other; a ledger may instead chain all entries under a shared
  row (``Ledger(chain="programme")``), which then serialises its postings.

Amounts are whole numbers of the ledger's unit (points, pieces, fen, minutes): ``BigIntegerField``
by default, narrower where a ledger's table already is. Names that differ from the defaults are
declared on the entry model with ``ledger = Ledger(...)``.
Nothing has to be registered: every installed model that subclasses ``LedgerEntry`` is a ledger
(``ledger_models``), and ``jiceng ledgers verify`` checks them all.
"""
from __future__ import annotations

import datetime as dt
from functools import cached_property
from json.encoder import encode_basestring

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.errors import JicengError

GENESIS = "0" * 64
_UTC = dt.timezone.utc


class LedgerHead(models.Model):
    """The head of a hash chain (链头): the sequence number and hash of the chain's last entry."""

    chain_seq = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        abstract = True


class LedgerAccount(LedgerHead):
    """An account (账户) that is its own chain: ``balance`` caches the sum of its entries and is
    never negative. A subclass that declares its own ``Meta`` inherits ``LedgerAccount.Meta`` to
    keep the constraint."""

    balance = models.BigIntegerField(gettext_lazy("余额"), default=0)

    class Meta:
        abstract = True
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0),
                                              name="%(app_label)s_%(class)s_balance_non_negative")]


class LedgerEntry(models.Model):
    """One append-only change of an account's balance (流水). Never updated or deleted: a
    correction is a reversal entry pointing at the entry it reverses (at most one per entry).

    ``seq`` numbers the entries of one chain from 1; ``entry_hash`` is sha256 of the previous
    entry's hash, ``seq`` and the entry's hashed fields (``Ledger.hashed``). A concrete subclass adds
    the foreign key to its account (``account`` unless ``Ledger(account=...)`` says otherwise) and
    the constraints ``ledger_constraints`` returns (or its own with the same meaning).
    """

    seq = models.BigIntegerField()
    amount = models.BigIntegerField(gettext_lazy("变动"))
    balance_after = models.BigIntegerField(gettext_lazy("变动后余额"))
    idempotency_key = models.CharField(max_length=100)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        abstract = True


def ledger_constraints(prefix: str, *, scope: str = "account", amount: str = "amount",
                       balance_after: str = "balance_after") -> list[models.BaseConstraint]:
    """The constraints every ledger's entry table needs, named ``<prefix>_...``: one entry per
    sequence number and per idempotency key in a chain (``scope``: the account, or the shared
    chain head's foreign key), no zero change, no negative balance."""
    return [
        models.UniqueConstraint(fields=[scope, "seq"], name=f"{prefix}_seq_unique"),
        models.UniqueConstraint(fields=[scope, "idempotency_key"], name=f"{prefix}_idempotency_unique"),
        models.CheckConstraint(condition=~Q(**{amount: 0}), name=f"{prefix}_amount_nonzero"),
        models.CheckConstraint(condition=Q(**{f"{balance_after}__gte": 0}), name=f"{prefix}_balance_after_non_negative"),
    ]


class LedgerError(JicengError):
    pass


class InsufficientBalance(LedgerError):
    """A posting would take the balance below zero. A ledger may name a subclass with its own
    message and code (``Ledger(insufficient=...)``); it is built as ``cls(balance, needed)``.

    A refusal of the request as it stands (400), like any other invalid request: the API keeps 409
    for a replayed Idempotency-Key alone, so a client can tell "not done, fix it" from "done before"."""

    status = 400

    def __init__(self, balance: int, needed: int, *, message: str = "", code: str = "insufficient_balance",
                 field: str = "amount"):
        super().__init__(message or _("余额不足：当前余额 %(balance)s，需要 %(needed)s")
                         % {"balance": balance, "needed": needed}, code=code, field=field)
        self.balance = balance
        self.needed = needed


class AlreadyReversed(LedgerError):
    status = 409

    def __init__(self):
        super().__init__(_("该笔流水已冲正过"), field="entry", code="already_reversed")


# --------------------------------------------------------------------------- values as hashed

def _text(v):
    return None if v is None else str(v)


def _integer(v):
    return None if v is None else int(v)


def _boolean(v):
    return None if v is None else bool(v)


def _datetime(v):
    return None if v is None else v.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _date(v):
    return None if v is None else v.isoformat()


# The same values as JSON text, each exactly as ``json.dumps(..., ensure_ascii=False)`` writes it;
# a payload is these joined by commas inside brackets (what ``json.dumps`` of the list writes, with
# ``separators=(",", ":")``), built without an encoder object per posting.

def _json_text(v):
    return "null" if v is None else encode_basestring(str(v))


def _json_integer(v):
    return "null" if v is None else str(int(v))


def _json_boolean(v):
    return "null" if v is None else ("true" if v else "false")


def _json_datetime(v):
    return "null" if v is None else '"' + v.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + '"'


def _json_date(v):
    return "null" if v is None else '"' + v.isoformat() + '"'


_AS_JSON = {_text: _json_text, _integer: _json_integer, _boolean: _json_boolean, _datetime: _json_datetime,
            _date: _json_date}


def hash_value(field: models.Field):
    """How one field's stored value appears in the hashed payload (a JSON value): integers as
    numbers, text as strings, a moment in UTC to the microsecond, a foreign key as its target's key."""
    if field.is_relation:
        return hash_value(field.target_field)
    if isinstance(field, models.DateTimeField):
        return _datetime
    if isinstance(field, models.DateField):
        return _date
    if isinstance(field, models.BooleanField):
        return _boolean
    if isinstance(field, (models.IntegerField, models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return _integer
    return _text


def db_value(field: models.Field):
    """How a value given to ``post`` is stored: a model instance for a foreign key becomes its key,
    text becomes ``str``; everything else as given."""
    if field.is_relation:
        def fk(v):
            return getattr(v, "pk", v)
        return fk
    if isinstance(field, (models.CharField, models.TextField)):
        return _text
    return None


# --------------------------------------------------------------------------- the mapping

_BOOKKEEPING = ("seq", "idempotency_key", "source_type", "source_id", "reverses", "created_at", "prev_hash",
                "entry_hash")


class Ledger:
    """How one concrete entry model maps onto the primitive; declared as ``ledger = Ledger(...)``
    on the model when a name differs from the defaults.

    account        the entry's foreign key to its account model
    chain          the entry's foreign key to a shared chain head (a ``LedgerHead``); ``None``:
                   each account is its own chain (the account model is then a ``LedgerHead``)
    amount, balance_after   the entry's change and balance-after fields
    balance        the account model's balance field
    hashed         the entry fields the hash covers, in order (default: every concrete field but
                   the id, ``seq`` and the two hashes, in model order); never a foreign key that a
                   deletion could change (``SET_NULL``, ``CASCADE``)
    insufficient   the ``InsufficientBalance`` subclass raised on an overdraft
    prepare        on PostgreSQL, prepare the posting statement on its first use on a connection
                   (a ledger on a hot path); by default psycopg prepares it once it has run
                   ``prepare_threshold`` times there. ``JICENG_PG_PREPARE=0`` turns both off.
    """

    def __init__(self, *, account: str = "account", chain: str | None = None, amount: str = "amount",
                 balance_after: str = "balance_after", balance: str = "balance", hashed: tuple[str, ...] | None = None,
                 insufficient: type[InsufficientBalance] = InsufficientBalance, prepare: bool = False):
        self.account = account
        self.chain = chain
        self.amount = amount
        self.balance_after = balance_after
        self.balance = balance
        self.hashed = tuple(hashed) if hashed is not None else None
        self.insufficient = insufficient
        self.prepare = True if prepare else None  # psycopg: True now, None after its threshold
        self.model: type[LedgerEntry] | None = None
        self.statements: dict[str, object] = {}

    def contribute_to_class(self, cls, name):
        self.model = cls
        setattr(cls, name, self)

    def __repr__(self) -> str:
        return f"<Ledger {self.model._meta.label if self.model else '?'}>"

    @property
    def label(self) -> str:
        return f"{self.model._meta.verbose_name}（{self.model._meta.label}）"

    # Everything below is resolved from the models once, on first use (after the app registry is ready).

    @cached_property
    def meta(self) -> "LedgerMeta":
        return LedgerMeta(self)


class LedgerMeta:
    """The resolved fields, tables and hashing of one ledger."""

    def __init__(self, ledger: Ledger):
        model = ledger.model
        m = model._meta
        self.model = model
        self.account_field = m.get_field(ledger.account)
        self.account_model = self.account_field.related_model
        self.chain_field = m.get_field(ledger.chain) if ledger.chain else None
        self.head_model = self.chain_field.related_model if self.chain_field else self.account_model
        self.scope_field = self.chain_field or self.account_field
        self.amount_field = m.get_field(ledger.amount)
        self.after_field = m.get_field(ledger.balance_after)
        self.balance_field = self.account_model._meta.get_field(ledger.balance)
        own = {self.account_field.name, self.amount_field.name, self.after_field.name, *_BOOKKEEPING}
        if self.chain_field is not None:
            own.add(self.chain_field.name)
        self.extra_fields = tuple(f for f in m.concrete_fields if not f.primary_key and f.name not in own)
        # The columns ``post`` takes from its caller: source, reversal, the ledger's own, the moment.
        self.given_fields = (m.get_field("idempotency_key"), m.get_field("source_type"), m.get_field("source_id"),
                             m.get_field("reverses"), *self.extra_fields, m.get_field("created_at"))
        # The ledger's own columns, by name and by attname (``actor`` or ``actor_id``).
        self.extra_by_name = {}
        for f in self.extra_fields:
            self.extra_by_name[f.name] = f
            self.extra_by_name[f.attname] = f
        self.given_db_value = {f.attname: db_value(f) for f in self.given_fields}
        if ledger.hashed is not None:
            hashed = tuple(m.get_field(n) for n in ledger.hashed)
        else:
            skip = {"seq", "prev_hash", "entry_hash"}
            hashed = tuple(f for f in m.concrete_fields if not f.primary_key and f.name not in skip)
        self.hashed_fields = hashed
        self.hashed_attnames = tuple(f.attname for f in hashed)
        self.hash_values = tuple(hash_value(f) for f in hashed)
        self.hash_json = tuple(_AS_JSON[conv] for conv in self.hash_values)
        # Every concrete column in model order, as ``Model.from_db`` takes a row.
        self.row_attnames = tuple(f.attname for f in m.concrete_fields)

    def payload(self, values) -> str:
        """The hashed fields' values in canonical text: a JSON array, no spaces, UTF-8 as is
        (``json.dumps(values, ensure_ascii=False, separators=(",", ":"))`` of the converted values)."""
        return "[" + ",".join([enc(v) for enc, v in zip(self.hash_json, values)]) + "]"

    def problems(self) -> list[str]:
        """What this ledger's models lack for the primitive to keep its promises."""
        out = []
        m = self.model._meta
        label = m.label
        if not (self.account_field.many_to_one and self.account_field.remote_field.on_delete is models.PROTECT):
            out.append(f"{label}.{self.account_field.name}: the account must be a foreign key with on_delete=PROTECT")
        for attr in ("chain_seq", "chain_hash"):
            try:
                self.head_model._meta.get_field(attr)
            except FieldDoesNotExist:
                out.append(f"{self.head_model._meta.label}: a chain head needs {attr} (subclass LedgerHead)")
        unique = {tuple(c.fields) for c in m.constraints if isinstance(c, models.UniqueConstraint) and not c.condition}
        unique |= {tuple(u) for u in m.unique_together}
        scope = self.scope_field.name
        for pair in ((scope, "seq"), (scope, "idempotency_key")):
            if pair not in unique and pair[::-1] not in unique:
                out.append(f"{label}: needs a unique constraint on {pair} (see ledger_constraints)")
        checks_ = [c.condition for c in m.constraints if isinstance(c, models.CheckConstraint)]
        if ~Q(**{self.amount_field.name: 0}) not in checks_:
            out.append(f"{label}: needs CheckConstraint(~Q({self.amount_field.name}=0))")
        if Q(**{f"{self.after_field.name}__gte": 0}) not in checks_:
            out.append(f"{label}: needs CheckConstraint(Q({self.after_field.name}__gte=0))")
        account_checks = [c.condition for c in self.account_model._meta.constraints
                          if isinstance(c, models.CheckConstraint)]
        if Q(**{f"{self.balance_field.name}__gte": 0}) not in account_checks:
            out.append(f"{self.account_model._meta.label}: needs CheckConstraint(Q({self.balance_field.name}__gte=0))")
        for f in self.hashed_fields:
            if f.is_relation and f.remote_field.on_delete is not models.PROTECT:
                out.append(f"{label}.{f.name}: a hashed foreign key must be on_delete=PROTECT "
                           "(a deletion elsewhere would change the entry)")
        return out


_undeclared: dict[type, Ledger] = {}


def ledger_for(model) -> Ledger:
    """The ``Ledger`` of a concrete entry model (its declared one, or the defaults)."""
    ledger = model.__dict__.get("ledger")
    if isinstance(ledger, Ledger):
        return ledger
    ledger = _undeclared.get(model)
    if ledger is None:
        ledger = Ledger()
        ledger.model = model
        _undeclared[model] = ledger
    return ledger


def ledger_models(app_label: str | None = None) -> list[type[LedgerEntry]]:
    """Every installed concrete ledger entry model (optionally of one app), by label."""
    found = [m for m in apps.get_models() if issubclass(m, LedgerEntry)
             and (app_label is None or m._meta.app_label == app_label)]
    return sorted(found, key=lambda m: m._meta.label)


@checks.register(checks.Tags.models)
def check_ledgers(app_configs=None, **kwargs):
    """``manage.py check``: every concrete ledger has what the primitive relies on."""
    errors = []
    for model in ledger_models():
        if app_configs is not None and model._meta.app_config not in app_configs:
            continue
        for problem in ledger_for(model).meta.problems():
            errors.append(checks.Error(problem, obj=model, id="jiceng.L001"))
    return errors
