"""The four duty lists (四张清单) per level, versioned, and the negative list enforced: a task or a case
pushed down to a village or community for a duty on an in-force negative list above it is refused with
the item named, unless a recorded approval lets it through."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import OrgUnit, OrgUnitKind, path_and_ancestors

from .. import permissions
from ..models import (
    DutyItem, DutyList, DutyListKind, DutyListStatus, PushDownApproval, PushDownRefusal,
)

# The levels that keep the four lists, and the units the negative list protects (a village or community and
# everything below it).
LIST_LEVEL_KINDS = (OrgUnitKind.STREET, OrgUnitKind.TOWNSHIP)
PROTECTED_KINDS = (OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGER_GROUP, OrgUnitKind.RELOCATION_SITE,
                   OrgUnitKind.GRID, OrgUnitKind.COMPOUND, OrgUnitKind.BUILDING, OrgUnitKind.UNIT_FLOOR)


def _locked(model, pk):
    return model.objects.unscoped(AUTHORISED).select_for_update().get(pk=pk)


def duty_list_draft(*, actor, org_unit: OrgUnit, kind: str, change_note: str = "") -> DutyList:
    """Start a new version of a level's list (准入与调整): a draft holding the items of the version in force."""
    if org_unit is None or not permissions.can_manage(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if org_unit.kind not in LIST_LEVEL_KINDS:
        errors.add("org_unit", _("清单由乡镇（街道）制定，“%(u)s”不是") % {"u": org_unit.name})
    if kind not in DutyListKind.values:
        errors.add("kind", _("请选择清单"))
    errors.raise_if_any()
    with transaction.atomic():
        OrgUnit.objects.select_for_update().get(pk=org_unit.pk)
        lists = DutyList.objects.unscoped(AUTHORISED).filter(org_unit=org_unit, kind=kind)
        if lists.filter(status=DutyListStatus.DRAFT).exists():
            raise JicengError(_("已有一个待审定的草稿，请先审定或在草稿上修改"), field="kind", code="draft_exists")
        current = lists.filter(status=DutyListStatus.IN_FORCE).first()
        version = (lists.aggregate(v=Max("version"))["v"] or 0) + 1
        draft = DutyList.objects.create(org_unit=org_unit, org_path=org_unit.path, kind=kind, version=version,
                                        change_note=(change_note or "").strip()[:300], drafted_by=actor)
        if current is not None:
            DutyItem.objects.bulk_create([DutyItem(duty_list=draft, org_path=draft.org_path, code=i.code, name=i.name,
                                                   basis=i.basis, keywords=i.keywords) for i in current.items.all()])
        audit_log(actor=actor, action="leadership.duty_list.drafted", obj=draft, object_repr=f"{org_unit.name} {draft}",
                  org_path=draft.org_path, after={"version": version})
    return draft


def duty_item_save(*, actor, duty_list: DutyList, code: str, name: str, basis: str = "", keywords: str = "",
                   item: DutyItem | None = None) -> DutyItem:
    """Add an item to a draft, or change one of its items."""
    if not permissions.can_manage(actor, duty_list.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors.add("code", _("请填写事项编号"))
    if not name:
        errors.add("name", _("请填写事项名称"))
    if duty_list.kind == DutyListKind.NEGATIVE and not (keywords or "").strip():
        errors.add("keywords", _("负面清单事项需要匹配关键词，才能拦截下派"))
    errors.raise_if_any()
    with transaction.atomic():
        dl = _locked(DutyList, duty_list.pk)
        if dl.status != DutyListStatus.DRAFT:
            raise JicengError(_("施行中的清单不能直接修改，请先起草新版本"), field="status", code="not_draft")
        clash = DutyItem.objects.unscoped(AUTHORISED).filter(duty_list=dl, code=code)
        if item is not None:
            clash = clash.exclude(pk=item.pk)
        if clash.exists():
            raise JicengError(_("事项编号 %(c)s 已存在") % {"c": code}, field="code")
        values = {"code": code[:20], "name": name[:200], "basis": (basis or "").strip()[:300],
                  "keywords": (keywords or "").strip()[:300]}
        if item is None:
            item = DutyItem.objects.create(duty_list=dl, org_path=dl.org_path, **values)
        else:
            for k, v in values.items():
                setattr(item, k, v)
            item.save(update_fields=list(values))
        audit_log(actor=actor, action="leadership.duty_item.saved", obj=item, org_path=dl.org_path, after=values)
    return item


def duty_item_remove(*, actor, item: DutyItem) -> None:
    if not permissions.can_manage(actor, item.org_path):
        raise PermissionDeniedError()
    with transaction.atomic():
        dl = _locked(DutyList, item.duty_list_id)
        if dl.status != DutyListStatus.DRAFT:
            raise JicengError(_("施行中的清单不能直接修改，请先起草新版本"), field="status", code="not_draft")
        audit_log(actor=actor, action="leadership.duty_item.removed", obj=item, org_path=dl.org_path)
        item.delete()


def duty_list_approve(*, actor, duty_list: DutyList, now=None) -> DutyList:
    """Approve (审定) a draft: it comes into force and the version it replaces is superseded. The drafter
    does not approve their own draft."""
    if not permissions.can_manage(actor, duty_list.org_path):
        raise PermissionDeniedError()
    now = now or timezone.now()
    with transaction.atomic():
        dl = _locked(DutyList, duty_list.pk)
        if dl.status != DutyListStatus.DRAFT:
            raise JicengError(_("只有草稿需要审定"), field="status", code="not_draft")
        if dl.drafted_by_id is not None and actor is not None and dl.drafted_by_id == actor.pk:
            raise JicengError(_("起草人不能审定自己起草的清单，请由另一位负责人审定"), field="approved_by",
                              code="self_approval")
        if not DutyItem.objects.unscoped(AUTHORISED).filter(duty_list=dl).exists():
            raise JicengError(_("清单还没有事项"), field="items", code="empty")
        DutyList.objects.unscoped(AUTHORISED).filter(org_unit_id=dl.org_unit_id, kind=dl.kind,
                                                     status=DutyListStatus.IN_FORCE).update(
            status=DutyListStatus.SUPERSEDED, superseded_at=now)
        dl.status, dl.approved_by, dl.approved_at = DutyListStatus.IN_FORCE, actor, now
        dl.save(update_fields=["status", "approved_by", "approved_at"])
        audit_log(actor=actor, action="leadership.duty_list.approved", obj=dl, object_repr=f"{dl.org_unit.name} {dl}",
                  org_path=dl.org_path, after={"version": dl.version})
    return dl


def push_down_approve(*, actor, item: DutyItem, org_unit: OrgUnit, subject: str, reason: str,
                      valid_until) -> PushDownApproval:
    """Record an approval (准入) that lets one negative-list duty go down to a unit until a day."""
    if item is None or not permissions.can_manage(actor, item.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if item.duty_list.kind != DutyListKind.NEGATIVE or item.duty_list.status != DutyListStatus.IN_FORCE:
        errors.add("item", _("只有施行中的负面清单事项需要准入审批"))
    if org_unit is None or not org_unit.path.startswith(item.org_path):
        errors.add("org_unit", _("下派单位不在该清单的范围内"))
    if not (subject or "").strip():
        errors.add("subject", _("请填写下派事项"))
    if not (reason or "").strip():
        errors.add("reason", _("请填写准入理由"))
    if isinstance(valid_until, str):
        try:
            valid_until = dt.date.fromisoformat(valid_until)
        except ValueError:
            errors.add("valid_until", _("有效期不是有效日期：%(v)s") % {"v": valid_until})
            valid_until = None
    if valid_until is None:
        errors.add("valid_until", _("请填写有效期"))
    elif valid_until < timezone.localdate():
        errors.add("valid_until", _("有效期不能早于今天"))
    errors.raise_if_any()
    with transaction.atomic():
        ap = PushDownApproval.objects.create(item=item, org_unit=org_unit, org_path=org_unit.path,
                                             subject=subject.strip()[:200], reason=reason.strip()[:300],
                                             valid_until=valid_until, approved_by=actor)
        audit_log(actor=actor, action="leadership.push_down.approved", obj=ap,
                  object_repr=f"{item.code} → {org_unit.name}", org_path=org_unit.path,
                  after={"subject": ap.subject, "valid_until": valid_until.isoformat()})
    return ap


def negative_items_over(path: str):
    """The items of the negative lists in force at the levels above (and at) a unit."""
    return (DutyItem.objects.unscoped("the negative lists over a unit")
            .filter(duty_list__kind=DutyListKind.NEGATIVE, duty_list__status=DutyListStatus.IN_FORCE,
                    duty_list__org_path__in=path_and_ancestors(path))
            .select_related("duty_list", "duty_list__org_unit"))


def push_down_match(unit: OrgUnit, subject: str) -> tuple[DutyItem, str] | None:
    """The first negative-list item whose keyword the subject holds, for a unit the list protects."""
    if unit is None or unit.kind not in PROTECTED_KINDS:
        return None
    text = subject or ""
    for item in negative_items_over(unit.path):
        for word in item.keyword_list:
            if word in text:
                return item, word
    return None


def push_down_check(*, actor, unit, subject: str, source_type: str, field: str = "title", now=None, **_facts) -> None:
    """The module registry's ``push_down`` rule: refuse, naming the item, a duty the negative list keeps
    away from villages and communities, unless an approval for it covers the unit on the day. A refusal is
    recorded (it counts in the figures) even though the refused action writes nothing."""
    found = push_down_match(unit, subject)
    if found is None:
        return
    item, word = found
    now = now or timezone.now()
    today = timezone.localdate(now)
    approved = (PushDownApproval.objects.unscoped("approvals for a push-down").filter(
        item=item, org_path__in=path_and_ancestors(unit.path), valid_until__gte=today).exists())
    if approved:
        return
    with transaction.atomic():
        PushDownRefusal.objects.create(item=item, org_unit=unit, org_path=unit.path, subject=(subject or "")[:300],
                                       source_type=source_type[:40], keyword=word[:50], actor=actor, at=now)
    level = item.duty_list.org_unit.name
    raise JicengError(
        _("“%(w)s”属于%(level)s负面清单第%(v)s版事项【%(code)s %(name)s】，不得下派到%(unit)s；确需下派的，"
          "请先报乡镇（街道）准入审批") % {"w": word, "level": level, "v": item.duty_list.version, "code": item.code,
                                 "name": item.name, "unit": unit.name},
        field=field, code="negative_list")
