"""What leadership and burden-cutting (班子队伍与基层减负) registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import (
    ApiMount, Check, DemoStep, Figure, ImportKind, MenuEntry, Module, Panel, Purpose, PublicNotice, UrlMount,
)

from .figures import registered_figure
from .roles import LEADERSHIP_MANAGE_ROLES, LEADERSHIP_NOMINATE_ROLES, LEADERSHIP_VIEW_ROLES

_AUDIT_LABELS = {
    "leadership.term.created": _("登记换届届次"),
    "leadership.member.added": _("登记班子成员"),
    "leadership.member.left": _("班子成员离任（调整）"),
    "leadership.pledge.added": _("登记换届承诺"),
    "leadership.pledge.checked": _("核实承诺兑现"),
    "leadership.managed_up.started": _("纳入提级管理"),
    "leadership.managed_up.ended": _("解除提级管理"),
    "leadership.selection.created": _("发起评选"),
    "leadership.nomination.created": _("推荐评选对象"),
    "leadership.nomination.reviewed": _("审核推荐对象"),
    "leadership.selection.publicised": _("评选结果公示"),
    "leadership.objection.filed": _("提出公示异议"),
    "leadership.objection.resolved": _("核实公示异议"),
    "leadership.selection.awarded": _("评选表彰"),
    "leadership.commendation.recorded": _("登记锦旗、感谢信"),
    "leadership.duty_list.drafted": _("起草职责清单新版本"),
    "leadership.duty_item.saved": _("修改清单事项"),
    "leadership.duty_item.removed": _("删除清单事项"),
    "leadership.duty_list.approved": _("审定职责清单"),
    "leadership.push_down.approved": _("负面清单事项下派准入审批"),
    "leadership.exported": _("导出班子队伍数据"),
    "leadership.reserve.added": _("后备干部入库"),
    "leadership.reserve.closed": _("后备干部出库"),
    "leadership.posting.started": _("干部派驻"),
    "leadership.posting.reviewed": _("派驻干部考核"),
    "leadership.posting.replaced": _("撤换派驻干部"),
    "leadership.rank.changed": _("干部提拔晋升"),
    "leadership.shadowing.recorded": _("登记跟岗学习"),
    "leadership.training.created": _("举办培训"),
    "leadership.training.closed": _("培训结业"),
    "leadership.contact.assigned": _("确定联系点"),
    "leadership.contact.visited": _("联系点走访"),
    "leadership.loan.recorded": _("登记借调"),
    "leadership.loan.returned": _("借调人员返岗"),
    "leadership.plaque.recorded": _("登记挂牌"),
    "leadership.plaques.checked": _("挂牌清理检查"),
    "leadership.inspection.recorded": _("登记督导"),
    "leadership.finding.fixed": _("督导问题整改"),
    "leadership.circular.issued": _("发布通报"),
    "leadership.upgrade.enrolled": _("学历提升入学"),
    "leadership.upgrade.finished": _("学历提升结束"),
}


def _figure(code: str, label, unit) -> Figure:
    return Figure(f"leadership.{code}", label, unit, *registered_figure(code))


module = Module(
    label="leadership",
    name=_("班子队伍"),
    urls=[UrlMount("leadership/", "jiceng.leadership.urls", allowed="jiceng.leadership.permissions:may_enter"),
          UrlMount("public/honours/<str:code>/", view="jiceng.leadership.views:public_honours", name="public_honours")],
    api=[ApiMount("/leadership", "jiceng.leadership.api:router", allowed="jiceng.leadership.permissions:may_enter_api")],
    menu=[MenuEntry(_("班子队伍"), "leadership:home", "jiceng.leadership.permissions:can_view_any", order=87)],
    purposes={"leadership_view": Purpose(LEADERSHIP_VIEW_ROLES),
              "leadership_nominate": Purpose(LEADERSHIP_NOMINATE_ROLES),
              "leadership_manage": Purpose(LEADERSHIP_MANAGE_ROLES)},
    demo=DemoStep(build="jiceng.leadership.demo:demo_step", after=("people", "reports", "cadre"),
                  summary="jiceng.leadership.demo:demo_summary"),
    panels=[Panel("org_unit", "leadership/_org_unit_panel.html", "jiceng.leadership.views:org_unit_panel", order=30)],
    notices=[PublicNotice("leadership.honours", _("评选公示与表彰"), "public_honours")],
    import_kinds=[ImportKind("team_members", _("两委班子成员"), "jiceng.imports.engine:import_file",
                             engine="jiceng.leadership.importers:TeamMemberImporter")],
    checks=[Check("push_down", "jiceng.leadership.services:push_down_check")],
    figures=[
        _figure("members_elected", _("换届当选两委成员"), _("人")),
        _figure("members_under_35", _("当选时 35 岁以下成员"), _("人")),
        _figure("members_college", _("当选时大专及以上学历成员"), _("人")),
        _figure("secretaries_elected", _("当选党组织书记"), _("人")),
        _figure("adjustments", _("班子调整"), _("次")),
        _figure("managed_up", _("纳入提级管理"), _("人次")),
        _figure("pledges_kept", _("换届承诺兑现"), _("项")),
        _figure("honours", _("评选表彰"), _("个")),
        _figure("commendations", _("收到锦旗、感谢信"), _("件")),
        _figure("negative_refusals", _("负面清单拦截下派"), _("次")),
        _figure("reserves", _("新入库后备干部"), _("人")),
        _figure("replacements", _("撤换驻村干部"), _("人次")),
        _figure("trained", _("参训干部"), _("人次")),
        _figure("training_absences", _("缺训干部"), _("人次")),
        _figure("upgrades_graduated", _("学历提升毕业干部"), _("人")),
        _figure("contact_visits", _("联系点走访"), _("次")),
        _figure("loaned_out", _("在借调人员（期末）"), _("人")),
        _figure("plaques_checked", _("检查村级挂牌"), _("块")),
        _figure("plaques_cleared", _("清理村级挂牌"), _("块")),
        _figure("findings_fixed_on_time", _("督导问题按期整改"), _("个")),
        _figure("inspections_without_circulars", _("督导问题逾期未整改且未通报"), _("次")),
    ],
    context="jiceng.leadership.permissions:leadership_nav",
    audit_labels=_AUDIT_LABELS,
)
