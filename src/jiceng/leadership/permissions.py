"""Who may do what with team records, selections and duty lists (deny by default); each predicate names
the place of the record."""
from __future__ import annotations

from jiceng.accounts.scope import holds_any, path_in_scope

from .roles import LEADERSHIP_MANAGE_ROLES, LEADERSHIP_VIEW_ROLES


def can_view_any(user) -> bool:
    """The menu entry and the module's door."""
    return holds_any(user, LEADERSHIP_VIEW_ROLES)


def can_manage_any(user) -> bool:
    return holds_any(user, LEADERSHIP_MANAGE_ROLES)


def may_enter(request) -> bool:
    return can_view_any(request.user)


def may_enter_api(request) -> bool:
    return can_view_any(request.user)


def can_view(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="leadership_view")


def can_nominate(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="leadership_nominate")


def can_manage(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="leadership_manage")


def leadership_nav(request) -> dict:
    return {"leadership_nav": {"manage": can_manage_any(request.user)}}
