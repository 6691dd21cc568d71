"""What return-to-poverty monitoring (防返贫监测) registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, Job, MenuEntry, Module, Panel, Purpose, RoleDef, UrlMount

from .figures import registered_cases

from .roles import (
    COUNTY_APPROVER, COUNTY_APPROVER_LABEL, MONITORING_MANAGE_ROLES, MONITORING_RECORD_ROLES, MONITORING_VIEW_ROLES,
)

module = Module(
    label="monitoring",
    name=_("防返贫监测"),
    urls=[UrlMount("monitoring/", "jiceng.monitoring.urls", allowed="jiceng.monitoring.permissions:may_enter")],
    api=[ApiMount("/", "jiceng.monitoring.api:router", allowed="jiceng.monitoring.permissions:may_enter_api")],
    menu=[
        MenuEntry(_("防返贫监测"), "monitoring:worklist", "jiceng.monitoring.permissions:can_view_any", order=80),
        MenuEntry(_("困难申报"), "monitoring:declare_mine", "jiceng.accounts.permissions:is_resident_only",
                  group="resident", order=40),
    ],
    roles=[RoleDef(COUNTY_APPROVER, COUNTY_APPROVER_LABEL, home="monitoring:worklist", demo_login="demo-county",
                   demo_unit="street")],
    purposes={
        "monitoring_view": Purpose(MONITORING_VIEW_ROLES),
        "monitoring_record": Purpose(MONITORING_RECORD_ROLES),
        "monitoring_manage": Purpose(MONITORING_MANAGE_ROLES),
    },
    demo=DemoStep(build="jiceng.monitoring.demo:demo_step", after=("people", "reports"),
                  summary="jiceng.monitoring.demo:demo_summary"),
    jobs=[
        Job("monitoring.run_rules", {"minute": "20", "hour": "2"}, "jiceng.monitoring.services:rules_run_all",
            _("每晚：按当年监测标准和规则检查每户档案")),
        Job("monitoring.close_postings", {"minute": "5"}, "jiceng.monitoring.services:postings_close",
            _("每小时：公示期满的转入乡镇审核")),
        Job("monitoring.check_visits", {"minute": "10", "hour": "*/6"},
            "jiceng.monitoring.tasks:visits_and_deadlines_check", _("每天四次：走访提醒与逾期、风险信号核实期限")),
    ],
    panels=[Panel("household", "monitoring/_household_panel.html", "jiceng.monitoring.selectors:household_panel",
                  order=10)],
    figures=[
        Figure("monitoring.enrolled", _("新纳入监测户"), _("户"), *registered_cases("enrolled")),
        Figure("monitoring.eliminated", _("风险消除户"), _("户"), *registered_cases("eliminated")),
        Figure("monitoring.monitored", _("监测帮扶中"), _("户"), *registered_cases("monitored")),
    ],
    context="jiceng.monitoring.permissions:monitoring_nav",
)
