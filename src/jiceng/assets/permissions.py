"""Who may do what with the collective economy (deny by default); each predicate names the record's place."""
from __future__ import annotations

from jiceng.accounts.scope import holds_any, path_in_scope

from .roles import ASSETS_KEEP_ROLES, ASSETS_REVIEW_ROLES, ASSETS_VIEW_ROLES


def can_view_any(user) -> bool:
    return holds_any(user, ASSETS_VIEW_ROLES)


def can_keep_any(user) -> bool:
    return holds_any(user, ASSETS_KEEP_ROLES)


def can_review_any(user) -> bool:
    return holds_any(user, ASSETS_REVIEW_ROLES)


def may_enter(request) -> bool:
    return can_view_any(request.user)


def can_view(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="assets_view")


def can_keep(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="assets_keep")


def can_apply(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="assets_apply")


def can_review(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="assets_review")


def can_approve(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="assets_approve")


def assets_nav(request) -> dict:
    user = request.user
    return {"assets_nav": {"keep": can_keep_any(user), "review": can_review_any(user)}}
