"""Readable names for audit action codes (审计操作名称)."""
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "orgs.unit.created": _("新增组织单元"),
    "orgs.unit.updated": _("修改组织单元"),
    "accounts.user.created": _("创建账号"),
    "people.household.created": _("登记住户"),
    "people.household.updated": _("修改住户"),
    "people.household.moved": _("迁移住户"),
    "people.resident.created": _("登记居民"),
    "people.resident.updated": _("修改居民"),
    "people.resident.exported": _("导出居民名单"),
    "people.personal_data.viewed": _("查看完整个人信息"),
    "people.party_member.created": _("登记党员"),
    "people.party_member.updated": _("修改党员"),
    "people.partner_unit.created": _("登记共建单位"),
    "people.residents.exported": _("导出居民名单"),
    "people.households.exported": _("导出住户名单"),
    "people.party_members.exported": _("导出党员名单"),
    "imports.org_units.imported": _("导入组织单元"),
    "imports.households.imported": _("导入住户"),
    "imports.residents.imported": _("导入居民"),
    "imports.party_members.imported": _("导入党员"),
    "imports.cadres.imported": _("导入干部"),
    "imports.partner_units.imported": _("导入共建单位"),
    "people.cadre.updated": _("修改干部"),
    "people.partner_unit.updated": _("修改共建单位"),
    "demo.built": _("生成演示数据"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
