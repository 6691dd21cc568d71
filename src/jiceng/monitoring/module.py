"""What return-to-poverty monitoring (防返贫监测) registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, Job, MenuEntry, Module, Panel, Purpose, RoleDef, UrlMount

from .figures import registered_cases

from .roles import (
    COUNTY_APPROVER, COUNTY_APPROVER_LABEL, MONITORING_MANAGE_ROLES, MONITORING_RECORD_ROLES, MONITORING_VIEW_ROLES,
)


_AUDIT_LABELS = {
    "monitoring.case.opened": _("启动监测程序"),
    "monitoring.case.posting_closed": _("公示期满"),
    "monitoring.case.responsible": _("指定帮扶责任人"),
    "monitoring.department_list.checked": _("比对部门推送名单"),
    "monitoring.figures.exported": _("导出监测统计"),
    "monitoring.households.exported": _("导出监测户名单"),
    "monitoring.income_line.set": _("设定监测收入标准"),
    "monitoring.measure.added": _("添加帮扶措施"),
    "monitoring.measure.updated": _("修改帮扶措施"),
    "monitoring.profile.created": _("建立监测档案"),
    "monitoring.profile.updated": _("修改监测档案"),
    "monitoring.profile.viewed": _("查看监测档案"),
    "monitoring.rule.updated": _("修改预警规则"),
    "monitoring.settings.updated": _("修改监测设置"),
    "monitoring.signal.cleared": _("风险信号解除"),
    "monitoring.signal.confirmed": _("风险信号核实属实"),
    "monitoring.signal.dismissed": _("风险信号核实排除"),
    "monitoring.signal.raised": _("发出风险信号"),
    "monitoring.visit.overdue": _("走访逾期"),
    "monitoring.visit.recorded": _("记录走访"),
    "imports.department_warnings.imported": _("导入部门预警名单"),
}


def _case_action_label(code: str):
    """``monitoring.case.<procedure>.<stage>``: a step of identification or elimination."""
    from .models import Procedure, Stage

    parts = code.split(".")
    if len(parts) == 4 and parts[:2] == ["monitoring", "case"]:
        try:
            return f"{Procedure(parts[2]).label} · {Stage(parts[3]).label}"
        except ValueError:
            return None
    return None


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
                  order=10),
            Panel("home", "monitoring/_home_visits.html", "jiceng.monitoring.selectors:home_visits", order=14)],
    figures=[
        Figure("monitoring.enrolled", _("新纳入监测户"), _("户"), *registered_cases("enrolled")),
        Figure("monitoring.eliminated", _("风险消除户"), _("户"), *registered_cases("eliminated")),
        Figure("monitoring.monitored", _("监测帮扶中"), _("户"), *registered_cases("monitored")),
    ],
    context="jiceng.monitoring.permissions:monitoring_nav",
    audit_labels=_AUDIT_LABELS,
    audit_label=_case_action_label,
)
