"""Reads of the organisation tree, scoped to the user."""
from __future__ import annotations

from django.db.models import Count

from jiceng.core.errors import NotFoundError

from .models import OrgUnit, UnitChange


def org_unit_list(*, user, parent_id: int | None = None, kind: str = "", q: str = ""):
    qs = OrgUnit.objects.accessible_to(user)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("path")


def org_unit_get_for_user(user, unit_id, *, purpose: str = "view") -> OrgUnit:
    try:
        return OrgUnit.objects.accessible_to(user, purpose=purpose).get(pk=int(unit_id))
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def org_unit_get_by_code_for_user(user, code: str) -> OrgUnit:
    try:
        return OrgUnit.objects.accessible_to(user).get(code=code)
    except OrgUnit.DoesNotExist:
        raise NotFoundError() from None


def org_roots_for_user(user, *, purpose: str = "view"):
    """The top units the user sees: the units of their roles (or the tree's roots for everything)."""
    from jiceng.accounts.scope import scope_for

    scope = scope_for(user, purpose=purpose)
    if scope.everything:
        return OrgUnit.objects.filter(parent__isnull=True).order_by("sort_order", "path")
    paths = scope.paths
    # Drop paths nested in another path of the same user.
    tops = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
    return OrgUnit.objects.filter(path__in=tops).order_by("path")


def org_children(*, user, unit: OrgUnit):
    return (OrgUnit.objects.accessible_to(user).filter(parent=unit)
            .annotate(child_count=Count("children")).order_by("sort_order", "path"))


def org_unit_choices(*, user, kinds=None, purpose: str = "view"):
    qs = OrgUnit.objects.accessible_to(user, purpose=purpose).filter(is_active=True, ended_on__isnull=True)
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    return qs.order_by("path")


def org_unit_changes(*, user, unit: OrgUnit):
    """The changes of the tree that concern a unit the user sees (区划调整记录): the unit moved, split or merged
    away, a unit split or merged into it, or a unit moved in or out of its subtree, newest first."""
    from django.db.models import Q

    unit = org_unit_get_for_user(user, unit.pk)
    return (UnitChange.objects.filter(Q(unit=unit) | Q(paths__unit=unit) | Q(unit__successor=unit)
                                      | Q(paths__old_path__startswith=unit.path)
                                      | Q(paths__new_path__startswith=unit.path))
            .select_related("unit").prefetch_related("paths__unit").distinct().order_by("-effective_on", "-id"))
