"""What the people registry registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, MenuEntry, Module, Panel, UrlMount

from . import figures

_STAFF = "jiceng.accounts.permissions:can_use_registry"

module = Module(
    label="people",
    name=_("人口台账"),
    urls=[UrlMount("people/", "jiceng.people.urls", allowed="jiceng.accounts.permissions:enters_registry")],
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
)
