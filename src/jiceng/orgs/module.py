"""What the organisation tree registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, MenuEntry, Module, UrlMount


_AUDIT_LABELS = {
    "orgs.unit.created": _("新增组织单元"),
    "orgs.unit.updated": _("修改组织单元"),
    "orgs.unit.moved": _("迁移组织单元"),
    "orgs.unit.split": _("拆分组织单元"),
    "orgs.unit.merged": _("合并组织单元"),
}

module = Module(
    label="orgs",
    name=_("组织体系"),
    urls=[UrlMount("orgs/", "jiceng.orgs.urls", allowed="jiceng.accounts.permissions:enters_registry",
                   refused="jiceng.accounts.permissions:resident_own_pages")],
    api=[ApiMount("/orgs", "jiceng.orgs.api:router", allowed="jiceng.accounts.permissions:enters_registry")],
    menu=[MenuEntry(_("组织体系"), "orgs:tree", "jiceng.accounts.permissions:can_use_registry", order=10)],
    audit_labels=_AUDIT_LABELS,
)
