"""Reading team records, selections and duty lists, scoped by the organisation tree in the query."""
from __future__ import annotations

from django.db.models import Count, Q

from jiceng.orgs.models import OrgUnit, OrgUnitKind

from .models import (
    CertificateRequest, Commendation, DutyItem, DutyList, DutyListKind, DutyListStatus, Nomination, NominationStatus, PushDownApproval,
    PushDownRefusal, Selection, SelectionStatus, TeamMember, Term,
)
from .services.duties import LIST_LEVEL_KINDS
from .services.teams import TEAM_UNIT_KINDS


def units_with_teams(user):
    """Villages and communities in the user's view, each with its latest term (``latest``)."""
    units = list(OrgUnit.objects.accessible_to(user, purpose="leadership_view")
                 .filter(kind__in=TEAM_UNIT_KINDS).order_by("path"))
    latest: dict = {}
    for t in Term.objects.accessible_to(user, purpose="leadership_view").annotate(n=Count("members")).order_by(
            "org_unit_id", "-elected_on"):
        latest.setdefault(t.org_unit_id, t)
    for u in units:
        u.latest = latest.get(u.pk)
    return units


def terms_of(user, unit):
    return (Term.objects.accessible_to(user, purpose="leadership_view").filter(org_unit=unit)
            .order_by("-elected_on"))


def members_of(term):
    return TeamMember.objects.within(term.org_path).filter(term=term).select_related("resident")


def selection_list(user, *, year=None):
    qs = Selection.objects.accessible_to(user, purpose="leadership_view").annotate(
        n=Count("nominations"), awarded=Count("nominations", filter=Q(nominations__status=NominationStatus.AWARDED)))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-created_at")


def selection_get(user, pk):
    return Selection.objects.accessible_to(user, purpose="leadership_view").filter(pk=pk).first()


def nominations_of(selection):
    return (Nomination.objects.within(selection.org_path).filter(selection=selection)
            .select_related("nominee_unit", "nominee_resident").prefetch_related("objections"))


def commendation_list(user):
    return Commendation.objects.accessible_to(user, purpose="leadership_view").select_related("org_unit", "cadre")


def duty_lists(user, *, status=None):
    qs = DutyList.objects.accessible_to(user, purpose="leadership_view").select_related("org_unit").annotate(
        n=Count("items"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("org_path", "kind", "-version")


def duty_list_get(user, pk):
    return DutyList.objects.accessible_to(user, purpose="leadership_view").filter(pk=pk).select_related(
        "org_unit", "drafted_by", "approved_by").first()


def negative_items_for(user):
    return (DutyItem.objects.accessible_to(user, purpose="leadership_manage")
            .filter(duty_list__kind=DutyListKind.NEGATIVE, duty_list__status=DutyListStatus.IN_FORCE)
            .select_related("duty_list"))


def approvals(user):
    return PushDownApproval.objects.accessible_to(user, purpose="leadership_view").select_related("item", "org_unit")


def refusals(user):
    return PushDownRefusal.objects.accessible_to(user, purpose="leadership_view").select_related(
        "item", "item__duty_list", "org_unit", "actor")


def list_levels(user, purpose="leadership_manage"):
    return OrgUnit.objects.accessible_to(user, purpose=purpose).filter(kind__in=LIST_LEVEL_KINDS).order_by("path")


def public_selections(unit):
    """Selections on a unit's notice board: those in publicity or awarded that it is part of (organised above
    it or naming a nominee under it), newest first."""
    from jiceng.orgs.models import path_and_ancestors

    q = Q(org_path__in=path_and_ancestors(unit.path)) | Q(nominations__org_path__startswith=unit.path)
    return (Selection.objects.unscoped("the public notice board shows publicised selections")
            .filter(q, status__in=[SelectionStatus.PUBLICITY, SelectionStatus.AWARDED]).distinct()
            .order_by("-publicity_starts_at")[:20])


def honours_of_unit(unit):
    """What a unit (a branch, a compound) has been awarded, and the commendations it received."""
    awards = (Nomination.objects.within(unit.path).filter(nominee_unit=unit, status=NominationStatus.AWARDED)
              .select_related("selection").order_by("-selection__awarded_at"))
    thanks = Commendation.objects.within(unit.path).filter(org_unit=unit).order_by("-received_on")[:10]
    return awards, thanks


UNIT_KINDS_NOMINATED = (OrgUnitKind.GRID, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE, OrgUnitKind.COMPOUND,
                        OrgUnitKind.BUILDING, OrgUnitKind.VILLAGER_GROUP, OrgUnitKind.RELOCATION_SITE)


def certificate_requests(user, *, unit=None, answer: str = ""):
    """Certificate requests (证明事项) sent to the villages and communities in the user's view, per unit."""
    qs = CertificateRequest.objects.accessible_to(user, purpose="leadership_view").select_related(
        "org_unit", "resident", "approval__item")
    if unit is not None:
        qs = qs.filter(org_path__startswith=unit.path)
    if answer:
        qs = qs.filter(answer=answer)
    return qs.order_by("org_path", "-requested_on", "-id")


def certificate_request_get(user, pk):
    return CertificateRequest.objects.accessible_to(user, purpose="leadership_view").filter(pk=pk).first()


def certificate_refusals(user, *, unit=None):
    """Certificate requests the negative list refused (they were never registered; the refusal is the record)."""
    qs = refusals(user).filter(source_type="certificate")
    if unit is not None:
        qs = qs.filter(org_path__startswith=unit.path)
    return qs


def resident_shown(user, resident) -> str:
    """A resident's name as this user may see it: in full where they see personal data, masked elsewhere."""
    from jiceng.accounts.permissions import can_see_personal_data
    from jiceng.core.masking import mask_name

    if resident is None:
        return ""
    return resident.name if can_see_personal_data(user, resident.org_path) else mask_name(resident.name)
