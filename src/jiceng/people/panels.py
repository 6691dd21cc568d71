"""The registry's panels on shared pages (home, org unit), registered in module.py."""
from __future__ import annotations

from jiceng.accounts import permissions
from jiceng.accounts.models import Role
from jiceng.accounts.scope import roles_of
from jiceng.core.modules import registry
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_roots_for_user

from . import selectors
from .models import SpecialGroup


def _counts(request) -> dict:
    """The user's registry counts, once per request (two home panels show them)."""
    if not hasattr(request, "_jiceng_people_counts"):
        request._jiceng_people_counts = selectors.people_counts(user=request.user)
    return request._jiceng_people_counts


def home_overview(request, _obj=None) -> dict | None:
    """Staff: search, counts, the units below, paired partners."""
    user = request.user
    roles = roles_of(user)
    if not permissions.is_staff_user(user) and not user.is_superuser:
        return None
    counts = _counts(request)
    roots = list(org_roots_for_user(user))
    return {
        "counts": counts, "roots": roots,
        "breakdown": selectors.unit_breakdown(user=user, unit=roots[0]) if len(roots) == 1 else [],
        "unit_count": OrgUnit.objects.accessible_to(user).count(),
        "top_unit": roots[0] if len(roots) == 1 else None,
        "can_change": permissions.can_change_people(user),
        "partners": (selectors.partner_unit_list(user=user)[:6]
                     if roles & {Role.PARTNER_HANDLER, Role.DEPARTMENT_HANDLER} else []),
    }


def home_groups(request, _obj=None) -> dict | None:
    """Staff: residents per special group (特殊群体)."""
    user = request.user
    if not permissions.is_staff_user(user) and not user.is_superuser:
        return None
    counts = _counts(request)
    return {"tag_rows": [(SpecialGroup(tag).label, tag, n) for tag, n in counts["tags"].items()]}


def home_resident(request, _obj=None) -> dict | None:
    """A resident's own household, the actions modules offer them, and its members."""
    user = request.user
    if not permissions.is_resident_only(user):
        return None
    household = None
    if user.resident_id and user.resident.household_id:
        household = selectors.household_get_for_user(user, user.resident.household_id)
    return {"household": household, "members": list(household.members.all()) if household else [],
            "actions": registry.menu(user, "resident_home")}


def org_unit_counts(request, unit) -> dict | None:
    return {"counts": selectors.people_counts(user=request.user, org_path=unit.path), "unit": unit}
