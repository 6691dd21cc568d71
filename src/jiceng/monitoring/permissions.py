"""Who may do what in monitoring (deny by default). Each predicate names the household's place."""
from __future__ import annotations

from jiceng.accounts.models import Role
from jiceng.accounts.scope import _assignments, path_in_scope
from .models import Stage
from .roles import COUNTY_APPROVER, MONITORING_MANAGE_ROLES, MONITORING_RECORD_ROLES, MONITORING_VIEW_ROLES

# The roles that may complete each step of the identification and elimination chains.
STAGE_ROLES = {
    Stage.HOME_CHECK: {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_ADMIN},
    Stage.VILLAGE_REVIEW: {Role.COMMUNITY_STAFF},
    Stage.TOWNSHIP_REVIEW: {Role.STREET_ADMIN},
    Stage.COUNTY_APPROVAL: {COUNTY_APPROVER},
    Stage.ANNOUNCEMENT: {Role.STREET_ADMIN, COUNTY_APPROVER},
}


def _covers(user, roles, path: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(a.role in roles and path.startswith(a.org_unit.path) for a in _assignments(user))


def _any(user, roles) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(a.role in roles for a in _assignments(user))


def can_view(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="monitoring_view")


def can_record(user, path: str) -> bool:
    """Profiles, visits, verifying signals, measures."""
    return path_in_scope(user, path, purpose="monitoring_record")


def can_manage(user, path: str) -> bool:
    """Income lines, rules and settings of a site; department lists."""
    return path_in_scope(user, path, purpose="monitoring_manage")


def can_import_list(user, path: str) -> bool:
    return _covers(user, {Role.STREET_ADMIN, Role.COMMUNITY_STAFF, COUNTY_APPROVER}, path)


def can_act_on_stage(user, stage: str, path: str) -> bool:
    roles = STAGE_ROLES.get(stage)
    return bool(roles) and _covers(user, roles, path)


def can_view_any(user) -> bool:
    return _any(user, MONITORING_VIEW_ROLES)


def can_record_any(user) -> bool:
    return _any(user, MONITORING_RECORD_ROLES)


def can_manage_any(user) -> bool:
    return _any(user, MONITORING_MANAGE_ROLES)


def can_declare_for_household(user, household) -> bool:
    """A resident for their own household (农户自主申报); a worker entering it for them."""
    if getattr(user, "resident_id", None) and user.resident.household_id == household.pk:
        return True
    return can_record(user, household.org_path)


def can_import_any(user) -> bool:
    return _any(user, {Role.STREET_ADMIN, Role.COMMUNITY_STAFF, COUNTY_APPROVER})


def monitoring_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"monitoring_nav": {"lists": can_import_any(user), "manage": can_manage_any(user)}}


def may_enter(request) -> bool:
    """Monitoring's door: the roles that handle it; a resident only on their own declaration page."""
    from jiceng.accounts.permissions import resident_page

    return can_view_any(request.user) or resident_page(request, {"declare_mine"})


def may_enter_api(request) -> bool:
    """The API: the roles that handle monitoring; a resident only to declare a difficulty for their household."""
    from jiceng.accounts.permissions import is_resident_only

    if can_view_any(request.user):
        return True
    return is_resident_only(request.user) and request.path.endswith("/declarations")
