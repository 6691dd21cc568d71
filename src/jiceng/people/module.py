"""What the people registry registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, MenuEntry, Module, Panel, UrlMount

from . import figures

_STAFF = "jiceng.accounts.permissions:can_use_registry"


_AUDIT_LABELS = {
    "people.household.created": _("登记住户"),
    "people.household.updated": _("修改住户"),
    "people.household.moved": _("迁移住户"),
    "people.resident.created": _("登记居民"),
    "people.resident.updated": _("修改居民"),
    "people.resident.exported": _("导出居民名单"),
    "people.personal_data.viewed": _("查看完整个人信息"),
    "people.party_member.created": _("登记党员"),
    "people.party_member.updated": _("修改党员"),
    "people.partner_unit.created": _("登记共建单位"),
    "people.partner_unit.updated": _("修改共建单位"),
    "people.cadre.updated": _("修改干部"),
    "people.residents.exported": _("导出居民名单"),
    "people.households.exported": _("导出住户名单"),
    "people.party_members.exported": _("导出党员名单"),
}

module = Module(
    label="people",
    name=_("人口台账"),
    urls=[UrlMount("people/", "jiceng.people.urls", allowed="jiceng.accounts.permissions:enters_registry",
                   refused="jiceng.accounts.permissions:resident_own_pages")],
    api=[ApiMount("/", "jiceng.people.api:router", allowed="jiceng.accounts.permissions:enters_registry_api")],
    menu=[
        MenuEntry(_("住户"), "people:household_list", _STAFF, order=20),
        MenuEntry(_("居民"), "people:resident_list", _STAFF, order=30),
        MenuEntry(_("党员"), "people:party_member_list", _STAFF, order=40),
        MenuEntry(_("干部与工作人员"), "people:cadre_list", _STAFF, group="more", order=10),
        MenuEntry(_("志愿者"), "people:volunteer_list", _STAFF, group="more", order=20),
        MenuEntry(_("共建单位"), "people:partner_list", _STAFF, group="more", order=30),
    ],
    panels=[
        Panel("home", "people/_home_overview.html", "jiceng.people.panels:home_overview", order=10),
        Panel("home", "people/_home_groups.html", "jiceng.people.panels:home_groups", order=30),
        Panel("home", "people/_home_resident.html", "jiceng.people.panels:home_resident", order=10),
        Panel("org_unit", "people/_org_unit_counts.html", "jiceng.people.panels:org_unit_counts", order=10),
    ],
    demo=DemoStep(build="jiceng.people.demo:build_registry_demo", summary="jiceng.people.demo:registry_summary",
                  exists="jiceng.people.demo:demo_exists"),
    figures=[
        Figure("people.households", _("在册住户"), _("户"), figures.count_of(figures.households), figures.households),
        Figure("people.residents", _("在住居民"), _("人"), figures.count_of(figures.residents), figures.residents),
        Figure("people.party_members", _("党员"), _("人"), figures.count_of(figures.party_members),
               figures.party_members),
    ],
    audit_labels=_AUDIT_LABELS,
)
