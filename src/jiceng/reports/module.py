"""What problem reports (问题诉求) register (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ApiMount, DemoStep, Figure, Job, MenuEntry, Module, PublicNotice, UrlMount

from .figures import registered_reports

_RESIDENT = "jiceng.accounts.permissions:is_resident_only"

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
)
