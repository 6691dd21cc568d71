"""Navigation shared by every page: the menu each installed module registers, filtered for the user."""
from __future__ import annotations

from jiceng.accounts.models import role_label
from jiceng.accounts.scope import roles_of
from jiceng.core.modules import registry

# Entries ordered below this stand before the 更多 drop-down; the rest after it.
MENU_SPLIT = 50


def navigation(request):
    large_print = request.COOKIES.get("large_print") == "1"
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"large_print": large_print}
    main = registry.menu(user, "main")
    role_labels = sorted({role_label(r) for r in roles_of(user)}) if not user.is_superuser else ["系统管理员"]
    return {
        "nav_main_first": [e for e in main if e.order < MENU_SPLIT],
        "nav_main_rest": [e for e in main if e.order >= MENU_SPLIT],
        "nav_more": registry.menu_by_module(user, "more"),
        "nav_resident": registry.menu(user, "resident"),
        "nav_role_labels": role_labels,
        "large_print": large_print,
        **registry.template_context(request),
    }
