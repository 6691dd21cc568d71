"""Who may do what with reports (deny by default)."""
from __future__ import annotations

from jiceng.accounts.models import Role
from jiceng.accounts.scope import path_in_scope

DESK_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_STAFF}
HANDLER_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DEPARTMENT_HANDLER}


def _role_paths(user, roles) -> tuple[bool, list[str]]:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True, []
    if not getattr(user, "is_authenticated", False):
        return False, []
    from jiceng.accounts.scope import _assignments

    return False, [a.org_unit.path for a in _assignments(user) if a.role in roles]


def can_accept(user, report) -> bool:
    """The desk (受理): community or street staff over the report's place."""
    everything, paths = _role_paths(user, DESK_ROLES)
    return everything or any(report.org_path.startswith(p) for p in paths)


def can_record_dispute(user, path: str) -> bool:
    """A dispute mediated over ``path``: the desk's staff, and roles other modules grant ``reports_disputes``
    (a village cadre on duty at the village's desk)."""
    from types import SimpleNamespace

    return can_accept(user, SimpleNamespace(org_path=path)) or path_in_scope(user, path, purpose="reports_disputes")


def can_handle(user, report) -> bool:
    """The handler: staff whose unit is the handling unit or above it; a partner's liaison for a
    report handed to their partner unit within their area."""
    everything, paths = _role_paths(user, HANDLER_ROLES)
    if everything:
        return True
    if report.handler_unit_id:
        unit_path = report.handler_unit.path
        if any(unit_path.startswith(p) for p in paths):
            return True
    if report.handler_partner_id:
        # The partner's liaison, or the desk over the place recording the partner's reply.
        _e, partner_paths = _role_paths(user, {Role.PARTNER_HANDLER} | DESK_ROLES)
        return any(report.org_path.startswith(p) for p in partner_paths)
    return False


def can_view(user, report) -> bool:
    if report.reporter_id and getattr(user, "pk", None) == report.reporter_id:
        return True
    return path_in_scope(user, report.org_path, purpose="view") or can_handle(user, report)


def is_desk(user) -> bool:
    everything, paths = _role_paths(user, DESK_ROLES)
    return everything or bool(paths)


def is_handler(user) -> bool:
    everything, paths = _role_paths(user, HANDLER_ROLES | {Role.PARTNER_HANDLER})
    return everything or bool(paths)


def can_manage_categories(user, site) -> bool:
    """A site's categories (types, keywords, deadlines, points) are the street's: its admins only."""
    everything, paths = _role_paths(user, {Role.STREET_ADMIN})
    return everything or any(site.path.startswith(p) for p in paths)


def can_manage_routing(user, unit) -> bool:
    """Routing rules for a place: the street's admins, or a community's staff for their community."""
    everything, paths = _role_paths(user, {Role.STREET_ADMIN, Role.COMMUNITY_STAFF})
    return everything or any(unit.path.startswith(p) for p in paths)


def can_open_setup(user) -> bool:
    """Whether the set-up pages (办理设置) are offered at all: street admins and community staff."""
    return is_desk(user)


def sees_reports_menu(user) -> bool:
    return is_desk(user) or is_handler(user)


# A resident files reports, follows their own and rates them (each page shows only their own).
RESIDENT_PAGES = {"new", "mine", "detail", "photo", "act"}


def is_staff_of_reports(user) -> bool:
    """The desk, handlers, partners' liaisons, and every registry reader (the list shows reports in their area)."""
    from jiceng.accounts.permissions import can_view_registry
    from jiceng.accounts.scope import roles_of

    return is_desk(user) or is_handler(user) or Role.PARTNER_HANDLER in roles_of(user) or can_view_registry(user)


def may_enter(request) -> bool:
    from jiceng.accounts.permissions import resident_page

    return is_staff_of_reports(request.user) or resident_page(request, RESIDENT_PAGES)


def may_enter_api(request) -> bool:
    from jiceng.accounts.permissions import is_resident_only

    return is_staff_of_reports(request.user) or is_resident_only(request.user)
