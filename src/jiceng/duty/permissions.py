"""Who may do what at duty desks (deny by default). Each predicate names the place of the record."""
from __future__ import annotations

from jiceng.accounts.scope import holds_any, path_in_scope
from jiceng.cadre.permissions import cadre_of  # noqa: F401 (the login's own cadre record)

from .roles import DUTY_MANAGE_ROLES, DUTY_VIEW_ROLES


def can_view_any(user) -> bool:
    """The menu entry and the module's door."""
    return holds_any(user, DUTY_VIEW_ROLES)


def can_manage_any(user) -> bool:
    return holds_any(user, DUTY_MANAGE_ROLES)


def may_enter(request) -> bool:
    return can_view_any(request.user)


def may_enter_api(request) -> bool:
    return can_view_any(request.user)


def can_view(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="duty_view")


def can_manage(user, path: str) -> bool:
    """Set up a desk, draw up its roster, set the rules, see visitors' full phone numbers: over ``path``."""
    return path_in_scope(user, path, purpose="duty_manage")


def can_record(user, path: str) -> bool:
    """Record a visitor at a desk: its managers, or a cadre (with a cadre record) who sees the desk."""
    return can_manage(user, path) or (cadre_of(user) is not None and can_view(user, path))


def duty_nav(request) -> dict:
    """The module's sub-menu: whether the rules and new-desk tabs show."""
    return {"duty_nav": {"manage": can_manage_any(request.user)}}
