"""What problem reports (问题诉求) register (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, Job, MenuEntry, Module, PublicNotice, Purpose, UrlMount

from .figures import registered_reports
from .permissions import DESK_ROLES

_RESIDENT = "jiceng.accounts.permissions:is_resident_only"


_AUDIT_LABELS = {
    "reports.category.created": _("新增诉求分类"),
    "reports.category.updated": _("修改诉求分类"),
    "reports.routing_rule.created": _("新增分派规则"),
    "reports.routing_rule.updated": _("修改分派规则"),
    "reports.routing_rule.deleted": _("删除分派规则"),
    "reports.open311_client.created": _("登记 Open311 接入方"),
    "reports.dispute.recorded": _("登记矛盾纠纷调解"),
    "reports.errand.recorded": _("登记代办事项"),
    "reports.figures.exported": _("导出诉求统计"),
}

_REPORT_ACTIONS = {
    "submitted": _("诉求受理登记"), "assigned": _("诉求分派"), "accepted": _("诉求受理"), "rejected": _("诉求不予受理"),
    "merged": _("合并重复诉求"), "handed_back": _("诉求退回重派"), "started": _("开始办理"), "resolved": _("诉求办结答复"),
    "rated": _("群众评价"), "overdue": _("诉求超期"),
}


def _report_action_label(code: str):
    """``reports.report.<action>``: one code per step of a report's life."""
    if code.startswith("reports.report."):
        return _REPORT_ACTIONS.get(code.rsplit(".", 1)[1])
    return None


module = Module(
    label="reports",
    name=_("问题诉求"),
    urls=[UrlMount("reports/", "jiceng.reports.urls", allowed="jiceng.reports.permissions:may_enter"),
          UrlMount("public/reports/<str:code>/", view="jiceng.reports.views:public_board", name="public_reports"),
          UrlMount("open311/v2/", "jiceng.reports.urls_open311")],
    api=[ApiMount("/", "jiceng.reports.api:router", allowed="jiceng.reports.permissions:may_enter_api")],
    menu=[
        MenuEntry(_("问题诉求"), "reports:list", "jiceng.reports.permissions:sees_reports_menu", order=60),
        MenuEntry(_("随手拍"), "reports:mine", _RESIDENT, group="resident", order=10),
        MenuEntry(_("随手拍 · 反映问题"), "reports:new", _RESIDENT, group="resident_home", order=30),
    ],
    # Who records a dispute mediated at a desk (矛盾纠纷调处); other modules may grant their roles this purpose.
    purposes={"reports_disputes": Purpose(frozenset(DESK_ROLES))},
    demo=DemoStep(build="jiceng.reports.demo:demo_step", after=("people", "points"),
                  summary="jiceng.reports.demo:demo_summary", notes="jiceng.reports.demo:demo_notes"),
    jobs=[Job("reports.check_deadlines", {"minute": "*/5"}, "jiceng.reports.services:deadlines_check",
              _("每五分钟：到期提醒、超期标记与升级"))],
    notices=[PublicNotice("reports.board", _("诉求办理公开"), "public_reports")],
    figures=[
        Figure("reports.received", _("收到诉求"), _("件"), *registered_reports("received")),
        Figure("reports.done", _("办结诉求"), _("件"), *registered_reports("done")),
        Figure("reports.overdue", _("超期诉求"), _("件"), *registered_reports("overdue")),
    ],
    audit_labels=_AUDIT_LABELS,
    audit_label=_report_action_label,
)
