"""Scope: what part of the organisation tree a user may see.

Every people selector starts from ``accessible_to(user)`` on a ``ScopedQuerySet``. Scope fails
closed: a user with no role sees nothing, and with no resolver installed nothing runs.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


_resolver = None


def scope_resolver_set(resolver) -> None:
    """Accounts says how a user's scope is found (``accounts.scope.scope_for``), at start-up; core knows no
    accounts."""
    global _resolver
    _resolver = resolver


def scope_resolver():
    if _resolver is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("no scope resolver: jiceng.accounts must be installed")
    return _resolver


def _paths_q(field: str, paths: list[str]) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


# The reason a service gives when it re-reads, locks or updates a record it has already fetched through the
# actor's scope and authorised, or reads the rows that belong to such a record: ``unscoped(AUTHORISED)``.
AUTHORISED = "rows of a record already fetched through the actor's scope and authorised"


# The reason an import gives: it matches the file's rows to the registry by their keys (ID number, household
# number), then checks each row's place against the importer's scope.
IMPORT_MATCH = "an import matches rows by their keys, then checks each row's place against the importer's scope"

# The reason a selector gives when it narrows rows to the user's scope itself, in the lines that follow (a
# hand-written condition on the scope's paths): ``unscoped(FILTERED_BELOW)``.
FILTERED_BELOW = "narrowed to the user's scope by the conditions that follow"


def _caller() -> str:
    """Where the project's code asked for the rows (the error names the line to mend)."""
    import sysconfig
    import traceback

    stdlib = sysconfig.get_paths()["stdlib"]
    for frame in reversed(traceback.extract_stack()[:-3]):
        name = frame.filename
        if "site-packages" in name or name.startswith(stdlib) or name.endswith("core/scope.py"):
            continue
        short = name.split("/src/", 1)[1] if "/src/" in name else "/".join(name.rsplit("/", 2)[-2:])
        return f"{short}:{frame.lineno} {frame.name}"
    return "outside the project"


class UnscopedQueryError(RuntimeError):
    """A scoped model's rows were read, while serving a user, through a queryset that no scope narrowed."""


# While serving a request, reads of scoped models must say whose scope they follow (``accessible_to``), which
# subtree an already authorised record names (``within``), or why they need rows beyond both (``unscoped``).
# Outside a request (the scheduler, the CLI, the demo, migrations) the caller is the system itself.
_scope_required: contextvars.ContextVar[bool] = contextvars.ContextVar("jiceng_scope_required", default=False)


@contextmanager
def scope_required(required: bool = True):
    """Within this block, a scoped queryset read without a scope raises ``UnscopedQueryError``."""
    token = _scope_required.set(required)
    try:
        yield
    finally:
        _scope_required.reset(token)


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows carry ``org_path`` (materialised path of the unit they belong to).

    It fails closed: while a request is served, reading rows needs a scope — ``accessible_to(user)``,
    ``within(path)`` of a record already authorised, rows reached from an authorised parent
    (``household.members.all()``), or ``unscoped("why")`` naming the reason for reading past any scope.
    """

    scope_field = "org_path"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_reason = ""

    def _clone(self):
        clone = super()._clone()
        clone._scope_reason = self._scope_reason
        return clone

    def _scoped(self, reason: str):
        clone = self._chain()
        clone._scope_reason = reason
        return clone

    def accessible_to(self, user, *, purpose: str = "view"):
        scope = scope_resolver()(user, purpose=purpose)
        if scope.everything:
            return self._scoped(f"scope:{purpose}")
        if scope.paths:
            qs = self.filter(_paths_q(self.scope_field, scope.paths))
        else:
            qs = self.none()
        return self._own_rows(qs, scope)._scoped(f"scope:{purpose}")

    def _own_rows(self, qs, scope):
        """Rows a resident may see about themselves; subclasses extend."""
        return qs

    def within(self, path: str):
        """Rows under ``path``, the place of a record the caller has already authorised."""
        if not path:
            raise ValueError("within() needs a path")
        return self.filter(**{f"{self.scope_field}__startswith": path})._scoped(f"within:{path}")

    def unscoped(self, reason: str):
        """Rows past any user's scope, for a reason stated here (a key lookup the caller authorises next, a
        public page's own filter, a system job)."""
        if not reason or not reason.strip():
            raise ValueError("unscoped() needs a reason")
        return self._scoped(f"unscoped:{reason}")

    # -- the guard: every way a queryset reaches the database for rows or numbers
    def _check_scope(self) -> None:
        # A related manager's rows (``household.members``, ``member.linked_households``) carry the parent as
        # their "instance" hint: rows of a record the caller already holds.
        if self._scope_reason or not _scope_required.get() or self._hints.get("instance") is not None:
            return
        raise UnscopedQueryError(
            f"{self.model._meta.label}: rows read without a scope while serving a request ({_caller()}); start "
            f"from accessible_to(user), within(path) of an authorised record, or unscoped(reason)")

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def _prefetch_related_objects(self):
        # Rows prefetched for rows this queryset may read belong to them.
        with scope_required(False):
            super()._prefetch_related_objects()

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        # The caller holds the rows it updates.
        return super(ScopedQuerySet, self._scoped("bulk_update of rows the caller holds")).bulk_update(
            objs, fields, batch_size=batch_size)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    def delete(self):
        self._check_scope()
        return super().delete()


def scope_safe(view):
    """Mark a view as applying scope through selectors (a test fails on any unmarked view)."""
    view.scope_safe = True
    return view
