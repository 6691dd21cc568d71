"""Readable names for audit action codes (审计操作名称) and for the fields of a change (变更前/变更后).

Each module declares the action codes it writes. A change's keys are named by the field of the model the
entry is about (its ``verbose_name``, a choice by its label), else by the common names below; values are
shown as people read them (是/否, dates, lists), personal data masked.
"""
from __future__ import annotations

import datetime as dt
import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.modules import registry


def action_label(code: str) -> str:
    return registry.audit_label(code)


# Keys that audit rows carry beside model fields (counts, notes, outcomes), named once for every module.
FIELD_LABELS = {
    "absent": _("缺席人数"), "admitted": _("经准入审批"), "amount": _("金额/分值"), "approved": _("同意"),
    "attended": _("参训人数"), "bidder": _("竞买人"), "comment": _("意见说明"), "decision": _("意见"), "awarded": _("获评数"), "basis": _("依据"), "by": _("经办人"), "cadre": _("干部"),
    "cadres": _("干部人数"), "case": _("监测对象"), "category": _("类别"), "checked": _("核查数"),
    "code": _("编号"), "contact_phone": _("联系电话"), "count": _("数量"), "created": _("新增"),
    "days": _("日期"), "description": _("说明"), "detail": _("情况说明"), "direction": _("方向"),
    "dispute": _("矛盾纠纷"), "due_at": _("完成时限"), "due_on": _("应完成日期"), "education": _("学历"),
    "elected_on": _("换届日期"), "ends_at": _("截止时间"), "entry": _("积分记录"), "errors": _("错误数"),
    "event": _("事件"), "evidence": _("佐证"), "file": _("附件"), "filters": _("筛选条件"),
    "final": _("最终报告"), "findings": _("发现的问题"), "five_star": _("五星户数"), "fixed_on": _("整改完成日期"),
    "grade": _("评定"), "host": _("接收单位"), "household": _("户"), "households": _("户数"),
    "id_number": _("身份证号"), "income_below_line": _("收入低于监测线"), "indicators": _("指标"),
    "keywords": _("关键词"), "kind": _("类别"), "lagging": _("后进单位"), "late": _("逾期"),
    "linked_households": _("联系户数"), "location": _("位置"), "measure": _("帮扶措施"), "measures": _("措施数"), "mentors": _("导师"),
    "met": _("已达成的目标"), "name": _("姓名/名称"), "name_keys": _("检索键数"), "nominees": _("推荐人数"),
    "note": _("备注"), "number": _("编号"), "on": _("日期"), "org_units": _("组织单元数"), "outcome": _("结果"),
    "owner": _("责任人"), "paid": _("累计已收"), "party_member": _("党员"), "party_members": _("党员数"), "partner_units": _("共建单位数"),
    "period": _("周期"), "phone": _("联系电话"), "photo": _("照片"), "points": _("积分"), "posts": _("职务"),
    "posting_ends": _("公示截止"), "reimbursed": _("累计已报账"), "rating": _("等次"), "reason": _("原因"), "removed": _("清理数"),
    "report": _("诉求"), "residents": _("居民数"), "responsible": _("帮扶责任人"), "returned_on": _("返岗日期"),
    "risks": _("风险"), "rows": _("行数"), "rule": _("规则"), "score": _("得分"), "seed": _("随机种子"),
    "sha256": _("文件校验值"), "signal": _("风险信号"), "signed_by": _("签字人"), "signed_on": _("签字日期"),
    "source": _("来源"), "stage": _("环节"), "starts_on": _("开始日期"), "status": _("状态"), "step": _("审批记录"),
    "subject": _("事项"), "tags": _("标签数"), "target": _("目标"), "targets": _("目标"), "tasks": _("任务数"),
    "timeliness": _("时效"), "total": _("合计"), "to": _("调整为"), "unchanged": _("未变"), "units": _("单位数"),
    "updated": _("更新"), "valid_until": _("有效期至"), "version": _("版本"), "visited_on": _("走访日期"),
    "volunteers": _("志愿者数"), "weight": _("分值倍数"), "year": _("年度"),
}

_MASKS = {"id_number": mask_id_number, "phone": mask_phone, "contact_phone": mask_phone,
          "reporter_phone": mask_phone}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


def _model_field(object_type: str, key: str):
    try:
        return apps.get_model(object_type)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def field_label(object_type: str, key: str) -> str:
    """The Chinese name of one key of a change: the model field's own name, else the common one, else the key."""
    field = _model_field(object_type, key)
    name = getattr(field, "verbose_name", "") if field is not None else ""
    with translation.override("zh-hans"):
        named = bool(name) and bool(_HAS_CJK.search(str(name)))  # a real name, not Django's default from the key
    if named:
        return str(name)
    if not key:
        return _g("值")
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    return key


def field_value(object_type: str, key: str, value) -> str:
    """One value as people read it: 是/否, a choice by its label, a time in local time, a list joined."""
    if key in _MASKS and isinstance(value, str):
        return _MASKS[key](value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _g("是") if value else _g("否")
    if isinstance(value, list):
        return "、".join(field_value(object_type, key, v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "；".join(f"{field_label(object_type, k)}：{field_value(object_type, k, v)}" for k, v in value.items())
    field = _model_field(object_type, key)
    choices = dict(getattr(field, "flatchoices", None) or []) if field is not None else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, str) and _DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def audit_changes(entry) -> list[tuple[str, str, str]]:
    """The entry's before/after as (field name, before, after) rows, in the order the fields were written."""
    before = entry.before if isinstance(entry.before, dict) else ({} if entry.before is None else {"": entry.before})
    after = entry.after if isinstance(entry.after, dict) else ({} if entry.after is None else {"": entry.after})
    keys = list(before) + [k for k in after if k not in before]
    rows = []
    for key in keys:
        rows.append((field_label(entry.object_type, key),
                     field_value(entry.object_type, key, before[key]) if key in before else "",
                     field_value(entry.object_type, key, after[key]) if key in after else ""))
    return rows
