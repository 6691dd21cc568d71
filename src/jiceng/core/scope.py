"""Scope: what part of the organisation tree a user may see.

Every people selector starts from ``accessible_to(user)`` on a ``ScopedQuerySet``. Scope fails
closed: a user with no role sees nothing.
"""
from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


def _paths_q(field: str, paths: list[str]) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows carry ``org_path`` (materialised path of the unit they belong to)."""

    scope_field = "org_path"

    def accessible_to(self, user, *, purpose: str = "view"):
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user, purpose=purpose)
        if scope.everything:
            return self
        if scope.paths:
            qs = self.filter(_paths_q(self.scope_field, scope.paths))
        else:
            qs = self.none()
        return self._own_rows(qs, scope)

    def _own_rows(self, qs, scope):
        """Rows a resident may see about themselves; subclasses extend."""
        return qs

    def within(self, path: str):
        return self.filter(**{f"{self.scope_field}__startswith": path})


def scope_safe(view):
    """Mark a view as applying scope through selectors (a test fails on any unmarked view)."""
    view.scope_safe = True
    return view
