"""What cadre work (干部工作) registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, Job, MenuEntry, Module, Panel, Purpose, RoleDef, UrlMount

from .figures import registered_figure
from .roles import (
    CADRE_MANAGE_ROLES, CADRE_VIEW_ROLES, TOWNSHIP_LEADER, TOWNSHIP_LEADER_LABEL, VILLAGE_CADRE, VILLAGE_CADRE_LABEL,
)

_AUDIT_LABELS = {
    "cadre.rules.updated": _("修改干部积分规则"),
    "cadre.task_list.created": _("新建任务清单"),
    "cadre.task_list.issued": _("下发任务清单"),
    "cadre.task.created": _("添加任务"),
    "cadre.task.reported": _("报告任务完成"),
    "cadre.task.progress": _("报告任务进展"),
    "cadre.task.returned": _("退回任务报告"),
    "cadre.task.graded": _("评定任务"),
    "cadre.task.overdue": _("任务逾期"),
    "cadre.task.removed": _("删除草稿任务"),
    "cadre.adjustment.proposed": _("提议人工加减分"),
    "cadre.adjustment.approved": _("批准人工加减分"),
    "cadre.adjustment.rejected": _("驳回人工加减分"),
    "cadre.appeal.filed": _("提出积分申诉"),
    "cadre.appeal.upheld": _("申诉成立，积分改正"),
    "cadre.appeal.dismissed": _("申诉复核，维持原结果"),
    "cadre.tasks.exported": _("导出任务"),
    "cadre.points.exported": _("导出绩效积分"),
    "cadre.ranking.exported": _("导出排名"),
    "cadre.adjustments.exported": _("导出人工加减分"),
    "cadre.appeals.exported": _("导出积分申诉"),
    "cadre.plans.exported": _("导出整改方案"),
    "cadre.showcases.exported": _("导出示范点"),
    "cadre.ranking_scheme.saved": _("保存排名方案"),
    "cadre.ranking.computed": _("计算排队抓尾排名"),
    "cadre.plan.created": _("制定整改方案"),
    "cadre.measure.completed": _("整改措施完成"),
    "cadre.plan.followed_up": _("整改跟踪督导"),
    "cadre.plan.closed": _("整改方案销号"),
    "cadre.showcase.created": _("建立示范点"),
    "cadre.showcase.letter": _("签订示范点责任书"),
    "cadre.showcase.progress": _("示范点报送进展"),
    "cadre.showcase.titled": _("示范点命名授牌"),
    "cadre.showcase.talk": _("示范点考核约谈"),
}

module = Module(
    label="cadre",
    name=_("干部工作"),
    urls=[UrlMount("cadre/", "jiceng.cadre.urls", allowed="jiceng.cadre.permissions:may_enter")],
    api=[ApiMount("/cadre", "jiceng.cadre.api:router", allowed="jiceng.cadre.permissions:may_enter_api")],
    menu=[MenuEntry(_("干部工作"), "cadre:home", "jiceng.cadre.permissions:can_view_any", order=85)],
    roles=[
        RoleDef(TOWNSHIP_LEADER, TOWNSHIP_LEADER_LABEL, home="cadre:home", demo_login="demo-leader", demo_unit="street"),
        RoleDef(VILLAGE_CADRE, VILLAGE_CADRE_LABEL, home="cadre:mine", demo_login="demo-cadre", demo_unit="village"),
    ],
    purposes={"cadre_view": Purpose(CADRE_VIEW_ROLES), "cadre_manage": Purpose(CADRE_MANAGE_ROLES)},
    # A village cadre records the disputes mediated at the village's duty desk (reports counts them).
    grants={"reports_disputes": frozenset({VILLAGE_CADRE})},
    demo=DemoStep(build="jiceng.cadre.demo:demo_step", after=("people", "reports", "monitoring"),
                  summary="jiceng.cadre.demo:demo_summary"),
    jobs=[Job("cadre.check_due", {"minute": "*/15"}, "jiceng.cadre.services:tasks_check_due",
              _("每十五分钟：任务到期提醒与逾期标记")),
          Job("cadre.collect_points", {"minute": "35", "hour": "1"}, "jiceng.cadre.services:points_collect",
              _("每晚：按诉求办结、监测走访的时效给干部记绩效积分"))],
    panels=[Panel("home", "cadre/_home_panel.html", "jiceng.cadre.views:home_panel", order=15)],
    figures=[
        Figure("cadre.tasks_issued", _("下发任务"), _("项"), *registered_figure("tasks_issued")),
        Figure("cadre.tasks_on_time", _("按时完成任务"), _("项"), *registered_figure("tasks_on_time")),
        Figure("cadre.tasks_late", _("逾期完成任务"), _("项"), *registered_figure("tasks_late")),
        Figure("cadre.tasks_overdue", _("逾期未完成任务"), _("项"), *registered_figure("tasks_overdue")),
        Figure("cadre.additions", _("绩效加分"), _("笔"), *registered_figure("additions")),
        Figure("cadre.deductions", _("绩效扣分"), _("笔"), *registered_figure("deductions")),
        Figure("cadre.addition_points", _("绩效加分分值"), _("分"), *registered_figure("addition_points"),
               sums="amount"),
        Figure("cadre.deduction_points", _("绩效扣分分值"), _("分"), *registered_figure("deduction_points"),
               sums="-amount"),
    ],
    context="jiceng.cadre.permissions:cadre_nav",
    audit_labels=_AUDIT_LABELS,
)
