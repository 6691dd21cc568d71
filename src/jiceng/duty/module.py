"""What duty desks (坐班值班) register (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, Job, MenuEntry, Module, Panel, Purpose, PublicNotice, UrlMount

from .figures import registered_figure
from .roles import DUTY_MANAGE_ROLES, DUTY_VIEW_ROLES

_AUDIT_LABELS = {
    "duty.rules.updated": _("修改值班规则"),
    "duty.desk.created": _("新建值班台"),
    "duty.shift.created": _("排班"),
    "duty.shift.deleted": _("删除班次"),
    "duty.shift.checked_in": _("值班签到"),
    "duty.shift.checked_out": _("值班签退"),
    "duty.shift.missed": _("值班缺勤"),
    "duty.shift.settled": _("值班结束（未签退）"),
    "duty.visitor.recorded": _("来访登记"),
    "duty.exported": _("导出值班数据"),
}

module = Module(
    label="duty",
    name=_("坐班值班"),
    urls=[UrlMount("duty/", "jiceng.duty.urls", allowed="jiceng.duty.permissions:may_enter"),
          UrlMount("public/duty/<str:code>/", view="jiceng.duty.views:public_roster", name="public_duty")],
    api=[ApiMount("/duty", "jiceng.duty.api:router", allowed="jiceng.duty.permissions:may_enter_api")],
    menu=[MenuEntry(_("坐班值班"), "duty:home", "jiceng.duty.permissions:can_view_any", order=86)],
    purposes={"duty_view": Purpose(DUTY_VIEW_ROLES), "duty_manage": Purpose(DUTY_MANAGE_ROLES)},
    demo=DemoStep(build="jiceng.duty.demo:demo_step", after=("people", "reports", "cadre"),
                  summary="jiceng.duty.demo:demo_summary"),
    jobs=[Job("duty.check", {"minute": "*/15"}, "jiceng.duty.services:duty_check",
              _("每十五分钟：值班缺勤标记、未签退结算、明日无人值班提醒"))],
    panels=[Panel("home", "duty/_home_panel.html", "jiceng.duty.views:home_panel", order=16)],
    notices=[PublicNotice("duty.roster", _("值班表"), "public_duty")],
    figures=[
        Figure("duty.visitors", _("接待来访"), _("人次"), *registered_figure("visitors")),
        Figure("duty.matters", _("办理事项"), _("件"), *registered_figure("matters")),
        Figure("duty.disputes", _("调解纠纷"), _("件"), *registered_figure("disputes")),
        Figure("duty.shifts_kept", _("值班到岗"), _("班次"), *registered_figure("shifts_kept")),
        Figure("duty.shifts_missed", _("值班缺勤"), _("班次"), *registered_figure("shifts_missed")),
    ],
    context="jiceng.duty.permissions:duty_nav",
    audit_labels=_AUDIT_LABELS,
)
