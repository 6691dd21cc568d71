"""Demonstration sites and belts (示范点/示范带): targets, the responsibility letter, progress with evidence,
the assessment, and the outcome — a title with its reward, or a recorded talk (约谈)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.images import clean_photo

from .. import permissions
from ..models import Showcase, ShowcaseKind, ShowcaseOutcome, ShowcaseProgress, ShowcaseTarget

TEMPLATES = {
    "six": ["班子过硬", "队伍过硬", "阵地过硬", "制度过硬", "活动过硬", "成效过硬"],
}


def showcase_create(*, actor, org_unit, name: str, kind: str, year: int, leader, targets: list[str] | None = None,
                    template: str = "", units=(), now=None) -> Showcase:
    if not permissions.can_manage(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("请填写名称"))
    if kind not in ShowcaseKind.values:
        errors.add("kind", _("请选择类型"))
    if leader is None:
        errors.add("leader", _("请指定责任人"))
    if template and template not in TEMPLATES:
        errors.add("template", _("没有这个目标模板"))
    texts = list(TEMPLATES.get(template, [])) + [t.strip() for t in (targets or []) if t and t.strip()]
    if not texts:
        errors.add("targets", _("请至少填写一项创建目标，或选择目标模板"))
    units = [u for u in units if u is not None]
    if kind == ShowcaseKind.BELT and len(units) < 2:
        errors.add("units", _("示范带至少包含两个单位"))
    for u in units:
        if not u.path.startswith(org_unit.path):
            errors.add("units", _("“%(u)s”不在本单位范围内") % {"u": u.name})
    errors.raise_if_any()
    with transaction.atomic():
        s = Showcase.objects.create(org_unit=org_unit, org_path=org_unit.path, name=name[:100], kind=kind, year=year,
                                    leader=leader, created_by=actor, created_at=now or timezone.now())
        if units:
            s.units.set(units)
        ShowcaseTarget.objects.bulk_create([ShowcaseTarget(showcase=s, text=t[:200], position=i)
                                            for i, t in enumerate(texts)])
        audit_log(actor=actor, action="cadre.showcase.created", obj=s, after={"targets": texts, "kind": kind})
    return s


def showcase_letter(*, actor, showcase, signed_by: str, signed_on) -> Showcase:
    """The responsibility letter (责任书): who signed it and when."""
    if not permissions.can_manage(actor, showcase.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if not (signed_by or "").strip():
        errors.add("signed_by", _("请填写签订人"))
    if not signed_on:
        errors.add("signed_on", _("请填写签订日期"))
    errors.raise_if_any()
    with transaction.atomic():
        showcase.letter_signed_by, showcase.letter_signed_on = signed_by.strip()[:100], signed_on
        showcase.save(update_fields=["letter_signed_by", "letter_signed_on"])
        audit_log(actor=actor, action="cadre.showcase.letter", obj=showcase,
                  after={"signed_by": showcase.letter_signed_by, "signed_on": str(signed_on)})
    return showcase


def showcase_progress(*, actor, showcase, text: str, photo=None, met_targets=(), now=None) -> ShowcaseProgress:
    """A progress entry with evidence; the targets it reports as met are marked."""
    own = permissions.cadre_of(actor)
    if not (permissions.can_manage(actor, showcase.org_path) or (own is not None and own.pk == showcase.leader_id)):
        raise PermissionDeniedError()
    if showcase.outcome != ShowcaseOutcome.PENDING:
        raise JicengError(_("已考核，不能再添加进展"), field="outcome", code="assessed")
    text = (text or "").strip()
    if not text:
        raise JicengError(_("请填写进展情况"), field="text")
    cleaned = clean_photo(photo) if photo else None
    with transaction.atomic():
        p = ShowcaseProgress(showcase=showcase, at=now or timezone.now(), by=actor, text=text[:5000])
        if cleaned is not None:
            p.photo.save(cleaned.name, cleaned, save=False)
        p.save()
        met = [int(t) for t in met_targets]
        if met:
            showcase.targets.filter(pk__in=met).update(met=True)
        audit_log(actor=actor, action="cadre.showcase.progress", obj=showcase, after={"met": met})
    return p


def showcase_assess(*, actor, showcase, score, note: str, outcome: str, reward: str = "", talk_on=None,
                    talk_with: str = "", talk_record: str = "", now=None) -> Showcase:
    """The assessment and its outcome: a title needs its reward, a talk needs its date, who and the record."""
    if not permissions.can_manage(actor, showcase.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if showcase.outcome != ShowcaseOutcome.PENDING:
        raise JicengError(_("已考核"), field="outcome", code="assessed")
    if not showcase.letter_signed_on:
        errors.add("outcome", _("还没有签订责任书，不能考核"))
    try:
        score = int(score)
        if not 0 <= score <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("score", _("考核得分应为 0 到 100 的整数"))
    if not (note or "").strip():
        errors.add("note", _("请填写考核意见"))
    if outcome == ShowcaseOutcome.TITLED:
        if not (reward or "").strip():
            errors.add("reward", _("命名授牌请填写奖励内容"))
    elif outcome == ShowcaseOutcome.TALK:
        if not talk_on:
            errors.add("talk_on", _("请填写约谈日期"))
        if not (talk_with or "").strip():
            errors.add("talk_with", _("请填写约谈对象"))
        if not (talk_record or "").strip():
            errors.add("talk_record", _("请填写约谈记录"))
    else:
        errors.add("outcome", _("请选择考核结果：命名授牌或约谈"))
    errors.raise_if_any()
    with transaction.atomic():
        showcase.assessment_score, showcase.assessment_note, showcase.outcome = score, note.strip(), outcome
        showcase.assessed_by, showcase.assessed_at = actor, now or timezone.now()
        if outcome == ShowcaseOutcome.TITLED:
            showcase.reward = reward.strip()[:200]
        else:
            showcase.talk_on, showcase.talk_with, showcase.talk_record = talk_on, talk_with.strip()[:100], talk_record
        showcase.save()
        audit_log(actor=actor, action=f"cadre.showcase.{outcome}", obj=showcase, after={"score": score})
    return showcase
