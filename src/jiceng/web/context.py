"""Navigation shared by every page: which sections the user's roles open."""
from __future__ import annotations

from jiceng.accounts import permissions
from jiceng.accounts.models import Role
from jiceng.accounts.scope import roles_of
from jiceng.monitoring import permissions as monitoring_permissions
from jiceng.points import permissions as points_permissions
from jiceng.reports import permissions as report_permissions


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"large_print": request.COOKIES.get("large_print") == "1"}
    roles = roles_of(user)
    staff = bool(roles - {Role.RESIDENT})
    registry = permissions.can_view_registry(user)
    role_labels = sorted({Role(r).label for r in roles}) if not user.is_superuser else ["系统管理员"]
    return {
        "nav_staff": staff and registry,
        "nav_audit": permissions.can_view_audit(user),
        "nav_resident": Role.RESIDENT in roles and not staff,
        "nav_role_labels": role_labels,
        "nav_points": staff and points_permissions.can_view_any(user),
        "nav_reports": report_permissions.is_desk(user) or report_permissions.is_handler(user),
        "nav_monitoring": monitoring_permissions.can_view_any(user),
        "monitoring_nav": {"lists": monitoring_permissions.can_import_any(user),
                           "manage": monitoring_permissions.can_manage_any(user)},
        "nav_shop": points_permissions.can_use_any_shop(user) and not points_permissions.can_view_any(user),
        "points_nav": {"review": points_permissions.can_review_any(user),
                       "record": points_permissions.can_record_any(user),
                       "view": points_permissions.can_view_any(user)},
        "large_print": request.COOKIES.get("large_print") == "1",
    }
