"""What subtree(s) of the organisation tree a user's roles cover."""
from __future__ import annotations

from dataclasses import dataclass, field

from .models import Role, role_codes

# Roles that read the people registry within their subtree.
PEOPLE_READ_ROLES = {
    Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.BRANCH_SECRETARY,
    Role.DEPARTMENT_HANDLER, Role.PARTNER_HANDLER, Role.AUDITOR,
}
# Roles that change the registry within their subtree.
PEOPLE_WRITE_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER}
# Roles that may see unmasked ID numbers and phones (each view is recorded).
PERSONAL_DATA_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER}
# Roles that may change the tree itself.
ORG_WRITE_ROLES = {Role.STREET_ADMIN}
AUDIT_ROLES = {Role.AUDITOR, Role.STREET_ADMIN}
# Roles that may export lists of people.
EXPORT_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.AUDITOR}

PURPOSE_ROLES = {
    "view": PEOPLE_READ_ROLES,
    "change": PEOPLE_WRITE_ROLES,
    "personal_data": PERSONAL_DATA_ROLES,
    "org_change": ORG_WRITE_ROLES,
    "audit": AUDIT_ROLES,
    "export": EXPORT_ROLES,
}
# Resident own rows: a resident also sees their own household and themselves under "view".
OWN_ROWS_PURPOSES = {"view"}


def purpose_roles(purpose: str):
    """The purpose as registered (``Module.purposes``; the registry's own are in accounts/module.py). An
    unknown purpose is an error, never an empty or a full set."""
    from jiceng.core.modules import registry

    found = registry.purposes().get(purpose)
    if found is None:
        raise KeyError(f"unknown purpose {purpose!r}")
    return found


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    paths: tuple[str, ...] = ()
    resident_household_id: int | None = None
    resident_id: int | None = None
    roles: frozenset = field(default_factory=frozenset)


def _assignments(user):
    cache = getattr(user, "_jiceng_roles", None)
    if cache is None:
        cache = list(user.role_assignments.select_related("org_unit").all())
        user._jiceng_roles = cache
    return cache


def scope_for(user, *, purpose: str = "view") -> Scope:
    """The user's scope for one purpose. Fails closed: no role, no rows."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True, roles=role_codes())
    registered = purpose_roles(purpose)
    allowed = registered.roles
    assignments = _assignments(user)
    paths = sorted({a.org_unit.path for a in assignments if a.role in allowed})
    roles = frozenset(a.role for a in assignments)
    resident_household_id = resident_id = None
    if Role.RESIDENT in roles and user.resident_id and registered.own_rows:
        resident_id = user.resident_id
        resident_household_id = user.resident.household_id
    return Scope(paths=tuple(paths), resident_household_id=resident_household_id,
                 resident_id=resident_id, roles=roles)


def roles_of(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(role_codes())
    return {a.role for a in _assignments(user)}


def holds_any(user, roles) -> bool:
    """Whether an active login holds any of ``roles`` anywhere (a superuser holds them all): a module's door and
    menu entry."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(a.role in roles for a in _assignments(user))


def path_in_scope(user, path: str, *, purpose: str) -> bool:
    scope = scope_for(user, purpose=purpose)
    return scope.everything or any(path.startswith(p) for p in scope.paths)
