"""What the collective economy (集体经济与三资) registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import (
    ApiMount, DemoStep, Figure, ImportKind, Job, MenuEntry, Module, Panel, PublicNotice, Purpose, RoleDef, UrlMount,
)

from .figures import registered_figure
from .roles import (
    ASSETS_APPLY_ROLES, ASSETS_APPROVE_ROLES, ASSETS_APPROVER, ASSETS_APPROVER_LABEL, ASSETS_KEEP_ROLES,
    ASSETS_REVIEW_ROLES, ASSETS_VIEW_ROLES,
)

_AUDIT_LABELS = {
    "assets.asset.created": _("登记集体资产"),
    "assets.asset.updated": _("修改集体资产"),
    "assets.document.added": _("上传资产附件"),
    "assets.revitalisation.started": _("启动闲置资产盘活"),
    "assets.revitalisation.finished": _("闲置资产盘活结束"),
    "assets.confirmation.created": _("建立确权档案"),
    "assets.confirmation.apply": _("确权村级申报"),
    "assets.confirmation.review": _("确权乡镇审核"),
    "assets.confirmation.approve": _("确权区级审批"),
    "assets.confirmation.document": _("确权档案材料"),
    "assets.listing.created": _("产权交易挂牌"),
    "assets.bid.recorded": _("登记竞价报价"),
    "assets.bid.invalidated": _("认定报价无效"),
    "assets.listing.awarded": _("产权交易成交"),
    "assets.contract.signed": _("签订交易合同"),
    "assets.payment.recorded": _("登记合同收款"),
    "assets.enterprise.created": _("登记经营主体"),
    "assets.shareholdings.set": _("登记股权结构"),
    "assets.enterprise_year.recorded": _("登记年度经营情况"),
    "assets.rule.created": _("制定收益分配办法"),
    "assets.distribution.published": _("收益分配公示"),
    "assets.project.created": _("登记项目资金"),
    "assets.project.progressed": _("更新项目进度"),
    "assets.reimbursement.recorded": _("项目报账"),
    "assets.income.recorded": _("登记集体经济收入"),
    "assets.settings.updated": _("修改集体经济设置"),
    "assets.letter.signed": _("签订集体经济发展责任书"),
    "assets.fund.opened": _("开设社区经费账户"),
    "assets.fund.received": _("经费拨付（共建支持）"),
    "assets.fund.spent": _("经费支出"),
    "assets.exported": _("导出集体经济数据"),
}


def _figure(code: str, label, unit) -> Figure:
    value, records, values, sums = registered_figure(code)
    return Figure(f"assets.{code}", label, unit, value, records, values, sums=sums)


module = Module(
    label="assets",
    name=_("集体经济"),
    urls=[UrlMount("assets/", "jiceng.assets.urls", allowed="jiceng.assets.permissions:may_enter"),
          UrlMount("public/economy/<str:code>/", view="jiceng.assets.views:public_economy", name="public_economy")],
    api=[ApiMount("/assets", "jiceng.assets.api:router", allowed="jiceng.assets.permissions:may_enter")],
    menu=[MenuEntry(_("集体经济"), "assets:home", "jiceng.assets.permissions:can_view_any", order=88)],
    roles=[RoleDef(ASSETS_APPROVER, ASSETS_APPROVER_LABEL, home="assets:confirmations", demo_login="demo-sanzi",
                   demo_unit="street")],
    purposes={"assets_view": Purpose(ASSETS_VIEW_ROLES),
              "assets_keep": Purpose(ASSETS_KEEP_ROLES),
              "assets_apply": Purpose(ASSETS_APPLY_ROLES),
              "assets_review": Purpose(ASSETS_REVIEW_ROLES),
              "assets_approve": Purpose(ASSETS_APPROVE_ROLES)},
    demo=DemoStep(build="jiceng.assets.demo:demo_step", after=("people", "cadre"),
                  summary="jiceng.assets.demo:demo_summary"),
    jobs=[Job("assets.contract_alerts", {"hour": "7", "minute": "10"}, "jiceng.assets.services:contract_alerts_send",
              _("合同到期与逾期付款提醒"))],
    panels=[Panel("org_unit", "assets/_org_unit_panel.html", "jiceng.assets.views:org_unit_panel", order=40)],
    notices=[PublicNotice("assets.economy", _("集体经济公开"), "public_economy")],
    import_kinds=[ImportKind("assets", _("集体资产台账"), "jiceng.imports.engine:import_file",
                             engine="jiceng.assets.importers:AssetImporter")],
    figures=[
        _figure("assets", _("登记集体资产"), _("项")),
        _figure("assets_value", _("集体资产现值"), _("元")),
        _figure("idle_assets", _("闲置资产（当前）"), _("项")),
        _figure("revitalised", _("盘活闲置资产"), _("项")),
        _figure("revitalised_output", _("盘活资产年收益"), _("元")),
        _figure("confirmed", _("完成确权项目"), _("个")),
        _figure("confirmed_value", _("确权资产价值"), _("元")),
        _figure("transactions", _("产权交易成交"), _("宗")),
        _figure("transaction_value", _("产权交易合同金额"), _("元")),
        _figure("beneficiary_households", _("产权交易受益农户"), _("户")),
        _figure("enterprise_revenue", _("经营主体营业收入"), _("元")),
        _figure("enterprise_jobs", _("经营主体带动就业"), _("人")),
        _figure("enterprise_wages", _("经营主体发放工资"), _("元")),
        _figure("distributed", _("收益分配金额"), _("元")),
        _figure("project_allocated", _("项目下达资金"), _("元")),
        _figure("project_reimbursed", _("项目已报账资金"), _("元")),
        _figure("income", _("集体经济收入"), _("元")),
        _figure("income_operating", _("集体经营性收入"), _("元")),
        _figure("fund_spendings", _("社区经费支出"), _("笔")),
    ],
    context="jiceng.assets.permissions:assets_nav",
    audit_labels=_AUDIT_LABELS,
)
