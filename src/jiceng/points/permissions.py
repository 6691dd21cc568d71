"""Who may do what with points (deny by default). Services call these first."""
from __future__ import annotations

from jiceng.accounts.scope import path_in_scope, scope_for


def can_view_points(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="points_view")


def can_manage_points_list(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="points_manage")


def can_record_points(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="points_record")


def can_review_points(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="points_review")


def can_operate_shop(user, shop) -> bool:
    return path_in_scope(user, shop.org_path, purpose="points_shop")


def _any(user, purpose: str) -> bool:
    scope = scope_for(user, purpose=purpose)
    return scope.everything or bool(scope.paths)


def can_record_any(user) -> bool:
    return _any(user, "points_record")


def can_review_any(user) -> bool:
    return _any(user, "points_review")


def can_manage_any(user) -> bool:
    return _any(user, "points_manage")


def can_use_any_shop(user) -> bool:
    return _any(user, "points_shop")


def can_view_any(user) -> bool:
    return _any(user, "points_view")


def can_declare_for(user, household) -> bool:
    """A resident declares for their own household."""
    resident = getattr(user, "resident", None) if getattr(user, "is_authenticated", False) else None
    return bool(resident and resident.household_id == household.pk)


# Menus (registered in module.py).
def sees_points_menu(user) -> bool:
    from jiceng.accounts.permissions import is_staff_user

    return is_staff_user(user) and can_view_any(user)


def sees_shop_menu(user) -> bool:
    """A shop clerk's way to the counter (staff who see points reach the shops from there)."""
    return can_use_any_shop(user) and not can_view_any(user)


def points_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"points_nav": {"review": can_review_any(user), "record": can_record_any(user), "view": can_view_any(user)}}


RESIDENT_PAGES = {"my_points", "my_declare", "my_shop"}


def may_enter(request) -> bool:
    """Points' door: staff who see points, shop counters, and residents on their own pages."""
    from jiceng.accounts.permissions import resident_page

    user = request.user
    return can_view_any(user) or can_use_any_shop(user) or resident_page(request, RESIDENT_PAGES)


def may_enter_api(request) -> bool:
    from jiceng.accounts.permissions import is_resident_only

    user = request.user
    return can_view_any(user) or can_use_any_shop(user) or is_resident_only(user)
