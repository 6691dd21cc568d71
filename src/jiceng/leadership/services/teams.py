"""Two-committee teams by term (两委班子): terms, members, pledges, adjustments, management one level up,
and the comparison of a term with the last, computed from the records."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import OrgUnit, OrgUnitKind

from .. import permissions
from ..models import (
    COLLEGE_EDUCATION, AdjustmentKind, CommitteePost, Education, ManagedUp, ManagedUpDirection, PartyPost, Pledge,
    PledgeStatus, TeamAdjustment, TeamMember, Term,
)

TEAM_UNIT_KINDS = (OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY)
YOUNG_AGE = 35  # 35 岁以下


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years of age on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _date(value, field: str, errors: ErrorCollector, label: str, *, required: bool = True):
    if value in (None, ""):
        if required:
            errors.add(field, _("请填写%(l)s") % {"l": label})
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, _("%(l)s不是有效日期：%(v)s") % {"l": label, "v": value})
        return None


# --------------------------------------------------------------------------- terms

def term_create(*, actor, org_unit: OrgUnit, number, elected_on, ends_on=None, note: str = "") -> Term:
    """Record an election term. It may not overlap the last one: it starts after the last one started
    and not before the last one ended; an open last term ends on this election's day."""
    if org_unit is None or not permissions.can_manage(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if org_unit.kind not in TEAM_UNIT_KINDS:
        errors.add("org_unit", _("“%(u)s”不是村或社区，没有两委班子") % {"u": org_unit.name})
    try:
        number = int(number)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("number", _("届次应为正整数"))
        number = None
    elected_on = _date(elected_on, "elected_on", errors, _("换届日期"))
    ends_on = _date(ends_on, "ends_on", errors, _("届满日期"), required=False)
    if elected_on and ends_on and ends_on <= elected_on:
        errors.add("ends_on", _("届满日期应晚于换届日期"))
    errors.raise_if_any()
    with transaction.atomic():
        terms = list(Term.objects.unscoped(AUTHORISED).select_for_update().filter(org_unit=org_unit)
                     .order_by("-elected_on"))
        last = terms[0] if terms else None
        if any(t.number == number for t in terms):
            errors.add("number", _("第%(n)s届已登记") % {"n": number})
        if last is not None:
            if elected_on <= last.elected_on:
                errors.add("elected_on", _("换届日期 %(d)s 不晚于第%(n)s届的换届日期 %(l)s，与上一届重叠") % {
                    "d": elected_on, "n": last.number, "l": last.elected_on})
            elif last.ends_on is not None and elected_on < last.ends_on:
                errors.add("elected_on", _("换届日期 %(d)s 早于第%(n)s届的届满日期 %(e)s，与上一届重叠") % {
                    "d": elected_on, "n": last.number, "e": last.ends_on})
            if number is not None and number <= last.number:
                errors.add("number", _("届次应大于上一届（第%(n)s届）") % {"n": last.number})
        errors.raise_if_any()
        if last is not None and last.ends_on is None:
            last.ends_on = elected_on
            last.save(update_fields=["ends_on"])
        term = Term.objects.create(org_unit=org_unit, org_path=org_unit.path, number=number, elected_on=elected_on,
                                   ends_on=ends_on, note=note or "", created_by=actor)
        audit_log(actor=actor, action="leadership.term.created", obj=term, object_repr=f"{org_unit.name} {term}",
                  org_path=org_unit.path, after={"number": number, "elected_on": elected_on.isoformat()})
    return term


def member_add(*, actor, term: Term, resident, party_post: str = "", committee_post: str = "", education: str = "",
               joined_on=None, reason: str = "") -> TeamMember:
    """Add a member to a term's team: a resident in the unit's registry, with at least one post. A member
    who joins after the election (补选) gives the day and the reason, recorded as an adjustment."""
    if not permissions.can_manage(actor, term.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if resident is None:
        errors.add("resident", _("请选择班子成员（本村、社区登记的居民）"))
    elif not resident.org_path.startswith(term.org_path):
        errors.add("resident", _("“%(n)s”不在%(u)s的人口登记里，不能作为班子成员") % {
            "n": resident.name, "u": term.org_unit.name})
    if party_post not in PartyPost.values:
        errors.add("party_post", _("党组织职务不正确"))
    if committee_post not in CommitteePost.values:
        errors.add("committee_post", _("村（居）委会职务不正确"))
    if not party_post and not committee_post:
        errors.add("party_post", _("请至少选择一个职务"))
    if education not in Education.values:
        errors.add("education", _("请选择学历"))
    joined_on = _date(joined_on, "joined_on", errors, _("补选日期"), required=False)
    if joined_on is not None:
        if joined_on < term.elected_on or (term.ends_on and joined_on >= term.ends_on):
            errors.add("joined_on", _("补选日期应在本届任期内"))
        if not (reason or "").strip():
            errors.add("reason", _("补选或调入请填写原因"))
    errors.raise_if_any()
    with transaction.atomic():
        Term.objects.unscoped(AUTHORISED).select_for_update().get(pk=term.pk)
        if TeamMember.objects.unscoped(AUTHORISED).filter(term=term, resident=resident).exists():
            raise JicengError(_("“%(n)s”已在本届班子中") % {"n": resident.name}, field="resident")
        if party_post == PartyPost.SECRETARY and _holder(term, party_post=PartyPost.SECRETARY):
            raise JicengError(_("本届已有党组织书记，请先登记其离任"), field="party_post")
        if committee_post == CommitteePost.DIRECTOR and _holder(term, committee_post=CommitteePost.DIRECTOR):
            raise JicengError(_("本届已有村（居）委会主任，请先登记其离任"), field="committee_post")
        is_member = _is_party_member(resident)
        member = TeamMember.objects.create(
            term=term, org_path=term.org_path, resident=resident, name=resident.name, gender=resident.gender,
            party_post=party_post, committee_post=committee_post, education=education,
            age_at_election=age_on(resident.birth_date, joined_on or term.elected_on), is_party_member=is_member,
            joined_on=joined_on)
        if joined_on is not None:
            TeamAdjustment.objects.create(term=term, member=member, org_path=term.org_path, kind=AdjustmentKind.JOINED,
                                          on=joined_on, reason=reason.strip()[:300], created_by=actor)
        audit_log(actor=actor, action="leadership.member.added", obj=member, object_repr=f"{term.org_unit.name} {member}",
                  org_path=term.org_path, after={"posts": member.posts, "education": education})
    return member


def _holder(term, **post) -> bool:
    return TeamMember.objects.unscoped(AUTHORISED).filter(term=term, left_on__isnull=True, **post).exists()


def _is_party_member(resident) -> bool:
    from jiceng.people.models import PartyMember

    return PartyMember.objects.unscoped("whether a team member is a party member").filter(resident=resident).exists()


def member_leave(*, actor, member: TeamMember, on, reason: str) -> TeamAdjustment:
    """A member leaves the team within the term (调整), with the day and the reason."""
    if not permissions.can_manage(actor, member.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    on = _date(on, "on", errors, _("调整日期"))
    if not (reason or "").strip():
        errors.add("reason", _("请填写调整原因"))
    term = member.term
    if on is not None and (on < (member.joined_on or term.elected_on) or (term.ends_on and on > term.ends_on)):
        errors.add("on", _("调整日期应在其任职期间内"))
    errors.raise_if_any()
    with transaction.atomic():
        m = TeamMember.objects.unscoped(AUTHORISED).select_for_update().get(pk=member.pk)
        if m.left_on is not None:
            raise JicengError(_("“%(n)s”已于 %(d)s 离任") % {"n": m.name, "d": m.left_on}, field="member")
        m.left_on, m.left_reason = on, reason.strip()[:200]
        m.save(update_fields=["left_on", "left_reason"])
        adj = TeamAdjustment.objects.create(term=term, member=m, org_path=m.org_path, kind=AdjustmentKind.LEFT, on=on,
                                            reason=reason.strip()[:300], created_by=actor)
        audit_log(actor=actor, action="leadership.member.left", obj=m, org_path=m.org_path,
                  after={"on": on.isoformat(), "reason": reason.strip()})
    return adj


# --------------------------------------------------------------------------- pledges

def pledge_add(*, actor, term: Term, text: str, member: TeamMember | None = None, due_on=None) -> Pledge:
    if not permissions.can_manage(actor, term.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if not (text or "").strip():
        errors.add("text", _("请填写承诺内容"))
    if member is not None and member.term_id != term.pk:
        errors.add("member", _("承诺人不是本届班子成员"))
    due_on = _date(due_on, "due_on", errors, _("兑现时限"), required=False)
    errors.raise_if_any()
    with transaction.atomic():
        pledge = Pledge.objects.create(term=term, member=member, org_path=term.org_path, text=text.strip()[:300],
                                       due_on=due_on)
        audit_log(actor=actor, action="leadership.pledge.added", obj=pledge, object_repr=pledge.text[:60],
                  org_path=term.org_path)
    return pledge


def pledge_check(*, actor, pledge: Pledge, kept: bool, note: str = "", on=None) -> Pledge:
    """Record whether a pledge was kept (践诺核实)."""
    if not permissions.can_manage(actor, pledge.org_path):
        raise PermissionDeniedError()
    if not kept and not (note or "").strip():
        raise JicengError(_("未兑现请写明核实情况"), field="check_note")
    from jiceng.cadre.models import PerformanceKind

    from .rules import record_points, rules_for_path

    with transaction.atomic():
        p = Pledge.objects.unscoped(AUTHORISED).select_for_update().get(pk=pledge.pk)
        if p.status != PledgeStatus.OPEN:
            raise JicengError(_("该承诺已于 %(d)s 核实为“%(s)s”") % {"d": p.checked_on, "s": p.get_status_display()},
                              field="status", code="checked")
        p.status = PledgeStatus.KEPT if kept else PledgeStatus.BROKEN
        p.checked_on = on or timezone.localdate()
        if isinstance(p.checked_on, str):
            p.checked_on = dt.date.fromisoformat(p.checked_on)
        rules = rules_for_path(p.org_path)
        # The member who made it, if they are on the cadre register, gets the site's points for kept or not kept.
        record_points(cadre=_cadre_of(p.member), amount=rules.pledge_kept_points if kept else rules.pledge_broken_points,
                      on=p.checked_on, kind=PerformanceKind.PLEDGE,
                      reason=(_("换届承诺已兑现：%(t)s") if kept else _("换届承诺未兑现：%(t)s")) % {"t": p.text[:100]},
                      key=f"leadership.pledge:{p.pk}", source_type="leadership.pledge", source_id=p.pk, actor=actor)
        p.check_note = (note or "").strip()[:300]
        p.checked_by = actor
        p.save(update_fields=["status", "checked_on", "check_note", "checked_by"])
        audit_log(actor=actor, action="leadership.pledge.checked", obj=p, object_repr=p.text[:60], org_path=p.org_path,
                  after={"status": p.status, "note": p.check_note})
    return p


def _cadre_of(member: TeamMember | None):
    """A team member's record on the cadre register (by their resident record), or None."""
    if member is None:
        return None
    from jiceng.people.models import Cadre

    return (Cadre.objects.unscoped("the cadre record of a team member, whose pledge was checked")
            .filter(resident_id=member.resident_id, org_path__startswith=member.org_path.split(".")[0] + ".")
            .order_by("id").first())


# --------------------------------------------------------------------------- management one level up

def managed_up_start(*, actor, member: TeamMember, direction: str, reason: str, starts_on, review_on) -> ManagedUp:
    """Put a secretary under management one level up (提级管理), for good work or for problems."""
    if not permissions.can_manage(actor, member.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if member.party_post != PartyPost.SECRETARY:
        errors.add("member", _("提级管理的对象应为村（社区）党组织书记"))
    if direction not in ManagedUpDirection.values:
        errors.add("direction", _("请选择正向或负向"))
    if not (reason or "").strip():
        errors.add("reason", _("请填写原因"))
    starts_on = _date(starts_on, "starts_on", errors, _("开始日期"))
    review_on = _date(review_on, "review_on", errors, _("复核日期"))
    if starts_on and review_on and review_on <= starts_on:
        errors.add("review_on", _("复核日期应晚于开始日期"))
    errors.raise_if_any()
    with transaction.atomic():
        if ManagedUp.objects.unscoped(AUTHORISED).filter(member=member, ended_on__isnull=True).exists():
            raise JicengError(_("“%(n)s”正在提级管理中") % {"n": member.name}, field="member")
        mu = ManagedUp.objects.create(member=member, org_path=member.org_path, direction=direction,
                                      reason=reason.strip()[:300], starts_on=starts_on, review_on=review_on,
                                      created_by=actor)
        audit_log(actor=actor, action="leadership.managed_up.started", obj=mu, object_repr=member.name,
                  org_path=member.org_path, after={"direction": direction, "reason": mu.reason})
    return mu


def managed_up_end(*, actor, managed: ManagedUp, outcome: str, on=None) -> ManagedUp:
    if not permissions.can_manage(actor, managed.org_path):
        raise PermissionDeniedError()
    if not (outcome or "").strip():
        raise JicengError(_("请填写复核结果"), field="outcome")
    with transaction.atomic():
        mu = ManagedUp.objects.unscoped(AUTHORISED).select_for_update().get(pk=managed.pk)
        if mu.ended_on is not None:
            raise JicengError(_("已解除提级管理"), field="ended_on")
        mu.ended_on, mu.outcome = on or timezone.localdate(), outcome.strip()[:300]
        mu.save(update_fields=["ended_on", "outcome"])
        audit_log(actor=actor, action="leadership.managed_up.ended", obj=mu, object_repr=mu.member.name,
                  org_path=mu.org_path, after={"outcome": mu.outcome})
    return mu


# --------------------------------------------------------------------------- comparisons

def team_profile(members) -> dict:
    """Size, average age, under-35s, college-educated, women and party members of a team as elected."""
    members = list(members)
    n = len(members)
    ages = [m.age_at_election for m in members]
    avg = (Decimal(sum(ages)) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if n else None
    return {
        "members": n,
        "average_age": avg,
        "under_35": sum(1 for a in ages if a < YOUNG_AGE),
        "college": sum(1 for m in members if m.education in COLLEGE_EDUCATION),
        "women": sum(1 for m in members if m.gender == "F"),
        "party_members": sum(1 for m in members if m.is_party_member),
        "cross_held": sum(1 for m in members if m.cross_held),
    }


def _elected(term):
    return TeamMember.objects.unscoped(AUTHORISED).filter(term=term, joined_on__isnull=True)


def previous_term(term: Term) -> Term | None:
    return (Term.objects.unscoped(AUTHORISED).filter(org_unit_id=term.org_unit_id, elected_on__lt=term.elected_on)
            .order_by("-elected_on").first())


def term_comparison(term: Term) -> dict:
    """This term's team as elected beside the last term's, and the change (this minus last)."""
    now = team_profile(_elected(term))
    last_term = previous_term(term)
    last = team_profile(_elected(last_term)) if last_term else None
    change = None
    if last is not None:
        change = {k: (now[k] - last[k]) if now[k] is not None and last[k] is not None else None for k in now}
    return {"term": term, "now": now, "previous_term": last_term, "previous": last, "change": change}


def secretaries_comparison(terms_now, terms_before) -> dict:
    """The secretaries of a set of terms beside those of the terms before them (a township's new term of
    village secretaries against the last): the same profile, over secretaries only."""
    def secretaries(terms):
        return [m for m in TeamMember.objects.unscoped(AUTHORISED).filter(
            term__in=terms, joined_on__isnull=True, party_post=PartyPost.SECRETARY)]
    now, before = team_profile(secretaries(terms_now)), team_profile(secretaries(terms_before))
    change = {k: (now[k] - before[k]) if now[k] is not None and before[k] is not None else None for k in now}
    return {"now": now, "previous": before, "change": change}


# --------------------------------------------------------------------------- roster import

def roster_import(*, actor, org_unit: OrgUnit, filename: str, data: bytes, dry_run: bool = True):
    """Import a two-committee roster (两委班子花名册) for the units under ``org_unit`` through the import engine:
    every row checked, all rows or none; ``dry_run`` checks without writing."""
    from jiceng.imports.engine import import_file

    if org_unit is None or not permissions.can_manage(actor, org_unit.path):
        raise PermissionDeniedError()
    return import_file(actor=actor, kind="team_members", filename=filename, data=data, root=org_unit, dry_run=dry_run)
