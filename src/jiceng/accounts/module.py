"""What accounts registers: the platform's roles and the registry's purposes (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, Job, Module, Purpose, RoleDef, UrlMount

from .models import Role
from .scope import OWN_ROWS_PURPOSES, PURPOSE_ROLES

# Where each platform role's demo login works (the demo district's first community, its first grid…).
_DEMO = {
    Role.STREET_ADMIN: ("demo-street", "street"),
    Role.COMMUNITY_STAFF: ("demo-community", "community"),
    Role.GRID_WORKER: ("demo-grid", "grid"),
    Role.BRANCH_SECRETARY: ("demo-branch", "grid"),
    Role.DEPARTMENT_HANDLER: ("demo-department", "second_community"),
    Role.PARTNER_HANDLER: ("demo-partner", "partner_community"),
    Role.AUDITOR: ("demo-auditor", "street"),
    Role.RESIDENT: ("demo-resident", "grid"),
}


_AUDIT_LABELS = {
    "accounts.user.created": _("创建账号"),
}

module = Module(
    label="accounts",
    name=_("账号与角色"),
    urls=[UrlMount("login/", view="jiceng.accounts.views:login_view", name="login"),
          UrlMount("logout/", view="jiceng.accounts.views:logout_view", name="logout")],
    api=[ApiMount("/", "jiceng.accounts.api:router")],
    roles=[RoleDef(role.value, role.label, demo_login=_DEMO[role][0], demo_unit=_DEMO[role][1]) for role in Role],
    purposes={name: Purpose(frozenset(roles), own_rows=name in OWN_ROWS_PURPOSES)
              for name, roles in PURPOSE_ROLES.items()},
    audit_labels=_AUDIT_LABELS,
    jobs=[Job("accounts.purge_login_failures", {"minute": "50"}, "jiceng.accounts.services:login_failures_purge",
              label=_("每小时删除过期的登录失败记录"))],
)
