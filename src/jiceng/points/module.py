"""What points (积分制) registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import (
    ApiMount, DemoStep, Job, MenuEntry, Module, Panel, PublicNotice, Purpose, RoleDef, UrlMount,
)

from .roles import (
    POINTS_MANAGE_ROLES, POINTS_RECORD_ROLES, POINTS_REVIEW_ROLES, POINTS_SHOP_ROLES, POINTS_VIEW_ROLES, SHOP_CLERK,
    SHOP_CLERK_LABEL,
)

_RESIDENT = "jiceng.accounts.permissions:is_resident_only"


_AUDIT_LABELS = {
    "points.programme.created": _("建立积分制度"),
    "points.programme.updated": _("修改积分制度"),
    "points.item.created": _("添加积分项目"),
    "points.item.updated": _("修改积分项目"),
    "points.item.retired": _("停用积分项目"),
    "points.declaration.submitted": _("居民申报积分"),
    "points.declaration.recorded": _("记录积分"),
    "points.event.recorded": _("活动批量记分"),
    "points.declaration.approved": _("审核通过，开始公示"),
    "points.declaration.rejected": _("审核驳回"),
    "points.declaration.objected": _("公示期内提出异议"),
    "points.declaration.objection_resolved": _("核实并处理公示异议"),
    "points.declaration.evidence_added": _("补充佐证照片"),
    "points.declaration.posted": _("公示期满，积分入账"),
    "points.granted": _("业务奖励积分"),
    "points.ratings.evaluated": _("星级评定"),
    "points.card.issued": _("发放积分卡"),
    "points.card.issued_bulk": _("批量发放积分卡"),
    "points.card.reissued": _("积分卡挂失换发"),
    "points.card.printed": _("打印积分卡"),
    "points.shop.created": _("开设积分超市"),
    "points.product.created": _("上架商品"),
    "points.product.updated": _("修改商品"),
    "points.stock.receipt": _("商品入库"),
    "points.stock.adjustment": _("库存调整"),
    "points.stock.stocktake": _("库存盘点"),
    "points.stock.counted": _("库存盘点（无差异）"),
    "points.redemption.created": _("积分兑换"),
    "points.entry.reversed": _("积分流水冲正"),
    "points.exchange_rule.updated": _("修改兑换规则"),
}

module = Module(
    label="points",
    name=_("积分制"),
    urls=[UrlMount("points/", "jiceng.points.urls", allowed="jiceng.points.permissions:may_enter"),
          UrlMount("public/points/<str:code>/", view="jiceng.points.views:public_notice", name="public_points")],
    api=[ApiMount("/", "jiceng.points.api:router", allowed="jiceng.points.permissions:may_enter_api")],
    menu=[
        MenuEntry(_("积分制"), "points:overview", "jiceng.points.permissions:sees_points_menu", order=70),
        MenuEntry(_("积分超市"), "points:shop_list", "jiceng.points.permissions:sees_shop_menu", order=90),
        MenuEntry(_("我家积分"), "points:my_points", _RESIDENT, group="resident", order=20),
        MenuEntry(_("积分超市"), "points:my_shop", _RESIDENT, group="resident", order=30),
        MenuEntry(_("我家积分"), "points:my_points", _RESIDENT, group="resident_home", order=10),
        MenuEntry(_("申报积分"), "points:my_declare", _RESIDENT, group="resident_home", order=20),
    ],
    roles=[RoleDef(SHOP_CLERK, SHOP_CLERK_LABEL, home="points:shop_list", demo_login="demo-shop",
                   demo_unit="community")],
    purposes={
        "points_view": Purpose(POINTS_VIEW_ROLES, own_rows=True),
        "points_manage": Purpose(POINTS_MANAGE_ROLES),
        "points_record": Purpose(POINTS_RECORD_ROLES),
        "points_review": Purpose(POINTS_REVIEW_ROLES),
        "points_shop": Purpose(POINTS_SHOP_ROLES),
    },
    demo=DemoStep(build="jiceng.points.demo:demo_step", after=("people",), summary="jiceng.points.demo:demo_summary"),
    jobs=[
        Job("points.post_publicity_due", {"minute": "*"}, "jiceng.points.services:publicity_post_due",
            _("每分钟：公示期满且无异议的积分入账")),
        Job("points.evaluate_ratings_due", {"minute": "15", "hour": "1"}, "jiceng.points.services:ratings_evaluate_due",
            _("每晚：评定刚结束的周期的星级（每期一次）")),
        Job("points.expire_last_year", {"month": "1", "day": "1-7", "hour": "0", "minute": "30"},
            "jiceng.points.services.ledger:points_expire_due", _("一月第一周：按站点设置清零上年积分（每户一次）")),
    ],
    panels=[Panel("household", "points/_household_panel.html", "jiceng.points.selectors:household_panel", order=20)],
    notices=[PublicNotice("points.publicity", _("积分公示"), "public_points")],
    context="jiceng.points.permissions:points_nav",
    audit_labels=_AUDIT_LABELS,
)
