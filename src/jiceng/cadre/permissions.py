"""Who may do what in cadre work (deny by default). Each predicate names the place of the record."""
from __future__ import annotations

from jiceng.accounts.scope import holds_any, path_in_scope

from .roles import CADRE_MANAGE_ROLES, CADRE_VIEW_ROLES


def can_view_any(user) -> bool:
    """The menu entry and the module's door."""
    return holds_any(user, CADRE_VIEW_ROLES)


def can_manage_any(user) -> bool:
    return holds_any(user, CADRE_MANAGE_ROLES)


def may_enter(request) -> bool:
    return can_view_any(request.user)


def may_enter_api(request) -> bool:
    return can_view_any(request.user)


def can_view(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="cadre_view")


def can_manage(user, path: str) -> bool:
    """Issue a list, grade its tasks, approve adjustments, decide appeals, set the rules: over ``path``."""
    return path_in_scope(user, path, purpose="cadre_manage")


def cadre_of(user):
    """The cadre record (干部) a login belongs to, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_jiceng_cadre", False)
    if cached is False:
        from jiceng.people.models import Cadre

        cached = Cadre.objects.unscoped("a login's own cadre record").filter(user=user).first()
        user._jiceng_cadre = cached
    return cached


def is_task_owner(user, task) -> bool:
    """The task's owner or one of its co-owners (责任人/配合人)."""
    cadre = cadre_of(user)
    if cadre is None:
        return False
    return task.owner_id == cadre.pk or task.co_owners.filter(pk=cadre.pk).exists()


def can_report(user, task) -> bool:
    return is_task_owner(user, task)


def can_grade(user, task) -> bool:
    """The issuing unit's managers, never the task's own owner or co-owner."""
    return can_manage(user, task.task_list.org_path) and not is_task_owner(user, task)


def cadre_nav(request) -> dict:
    """The module's sub-menu: whether the rules tab shows."""
    return {"cadre_nav": {"manage": can_manage_any(request.user)}}
