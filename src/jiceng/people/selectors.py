"""Reads of the people registry. Every function takes the acting user and starts from
``accessible_to(user)``: scope lives here, not in views or templates."""
from __future__ import annotations

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Concat

from jiceng.core.errors import NotFoundError

from .models import (
    Cadre, Household, PartnerUnit, PartyMember, Resident, ResidentNameKey, ResidentTag, Volunteer,
)
from .search import QUERY_ID, QUERY_NAME, QUERY_PINYIN, classify_query, reverse

SEARCH_LIMIT_DEFAULT = 20
MIN_SUFFIX_DIGITS = 4
# A pinyin search returns at most this many residents (three pages; the list then says "more than 60,
# narrow it"): initials find a person, they are not for browsing a street.
PINYIN_WINDOW = 60


def _pinyin_candidates(user, value: str, *, org_path: str = "", purpose: str = "view"):
    """Residents whose pinyin keys start with ``value``, the first ``PINYIN_WINDOW`` in key order.

    Walks the key index in (key, resident) order, scoped, and stops: a resident has at most
    ``MAX_KEYS * 2`` keys, so that many times the window always holds the first window of residents.
    Without the bound, a one-letter search over a street walked 700,000 residents (4 s).
    """
    from jiceng.accounts.scope import scope_for
    from jiceng.core.scope import _paths_q

    from .search import MAX_KEYS

    keys = ResidentNameKey.objects.filter(key__startswith=value)
    scope = scope_for(user, purpose=purpose)
    if not scope.everything:
        visible = _paths_q("org_path", list(scope.paths)) if scope.paths else Q(pk__in=[])
        if scope.resident_household_id:
            visible |= Q(resident__household_id=scope.resident_household_id)
        keys = keys.filter(visible)
    if org_path:
        keys = keys.filter(org_path__startswith=org_path)
    return keys.order_by("key", "resident_id").values("resident_id")[: MAX_KEYS * 2 * (PINYIN_WINDOW + 1)]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFoundError() from None


def resident_list(*, user, q: str = "", org_path: str = "", tag: str = "", status: str = "",
                  household_id: int | None = None, address: str = "", purpose: str = "view"):
    """Residents the user may see, filtered. Search ``q`` is a name (Simplified or Traditional),
    pinyin or initials, or the last digits of an ID number or phone.

    The result is ordered by the index that does the filtering (name, pinyin key, reversed ID), so
    the database can stop after the first page instead of sorting every match.
    """
    qs = Resident.objects.accessible_to(user, purpose=purpose)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    if status:
        qs = qs.filter(status=status)
    if household_id:
        qs = qs.filter(household_id=household_id)
    if tag:
        qs = qs.filter(Exists(ResidentTag.objects.filter(resident=OuterRef("pk"), tag=tag)))
    if address:
        qs = qs.filter(actual_address__contains=address) | qs.filter(household__address__contains=address)
    ordering = ["org_path", "household_id", "id"]
    if q:
        kind, value = classify_query(q)
        if kind == QUERY_ID:
            if len(value) < MIN_SUFFIX_DIGITS:
                return qs.none()
            rev = reverse(value)
            qs = qs.filter(Q(id_number_rev__startswith=rev) | Q(phone_rev__startswith=rev))
            # Matches of a 4+ digit suffix are few: collect them through both prefix ranges and sort them.
            # Ordering by an indexed column would invite the planner to walk that index while filtering
            # (the ORDER BY ... LIMIT trap: 0.7-0.9 s at 1,000,000 residents when it misjudges the count).
            ordering = [Concat("id_number_rev", Value("")), "id"]
        elif kind == QUERY_PINYIN:
            qs = qs.filter(pk__in=_pinyin_candidates(user, value, org_path=org_path, purpose=purpose))
            qs = qs.annotate(match_key=Min("name_keys__key", filter=Q(name_keys__key__startswith=value)))
            ordering = ["match_key", "id"]
        elif kind == QUERY_NAME and value:
            qs = qs.filter(name_search__startswith=value)
            ordering = ["name_search", "id"]
    return qs.select_related("household", "org_unit").order_by(*ordering)


def resident_get_for_user(user, resident_id, *, purpose: str = "view") -> Resident:
    try:
        return (Resident.objects.accessible_to(user, purpose=purpose)
                .select_related("household", "org_unit", "household__head")
                .prefetch_related("tags")
                .get(pk=_int(resident_id)))
    except Resident.DoesNotExist:
        raise NotFoundError() from None


def household_list(*, user, q: str = "", org_path: str = "", status: str = "", purpose: str = "view"):
    qs = Household.objects.accessible_to(user, purpose=purpose)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    if status:
        qs = qs.filter(status=status)
    if q:
        kind, value = classify_query(q)
        if kind == QUERY_ID:
            qs = qs.filter(number__endswith=value) | qs.filter(phone_rev__startswith=reverse(value))
        elif kind == QUERY_PINYIN:
            heads = ResidentNameKey.objects.filter(key__startswith=value).values("resident_id")
            qs = qs.filter(head_id__in=heads)
        else:
            qs = (qs.filter(address__contains=value) | qs.filter(head__name_search__startswith=value)
                  | qs.filter(number=q.strip()))
    return (qs.select_related("head", "org_unit")
            .annotate(member_count=Count("members")).order_by("org_path", "number"))


def household_get_for_user(user, household_id, *, purpose: str = "view") -> Household:
    try:
        return (Household.objects.accessible_to(user, purpose=purpose)
                .select_related("head", "org_unit")
                .prefetch_related(Prefetch("members", queryset=Resident.objects.order_by("relationship", "birth_date")),
                                  "linked_party_members__resident")
                .get(pk=_int(household_id)))
    except Household.DoesNotExist:
        raise NotFoundError() from None


def party_member_list(*, user, q: str = "", org_path: str = "", status: str = "", purpose: str = "view"):
    qs = PartyMember.objects.accessible_to(user, purpose=purpose)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    if status:
        qs = qs.filter(status=status)
    if q:
        kind, value = classify_query(q)
        if kind == QUERY_PINYIN:
            qs = qs.filter(resident_id__in=ResidentNameKey.objects.filter(key__startswith=value).values("resident_id"))
        elif kind == QUERY_ID:
            qs = qs.filter(resident__id_number_rev__startswith=reverse(value))
        else:
            qs = qs.filter(resident__name_search__startswith=value)
    return (qs.select_related("resident", "branch", "resident__household")
            .annotate(linked_count=Count("linked_households")).order_by("org_path", "resident__name_search"))


def party_member_get_for_user(user, member_id) -> PartyMember:
    try:
        return (PartyMember.objects.accessible_to(user).select_related("resident", "branch")
                .prefetch_related("linked_households__head").get(pk=_int(member_id)))
    except PartyMember.DoesNotExist:
        raise NotFoundError() from None


def cadre_list(*, user, org_path: str = ""):
    qs = Cadre.objects.accessible_to(user)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    return qs.select_related("org_unit").order_by("org_path", "name")


def volunteer_list(*, user, org_path: str = ""):
    qs = Volunteer.objects.accessible_to(user)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    return qs.select_related("resident", "org_unit").order_by("org_path", "resident__name_search")


def partner_unit_list(*, user, q: str = ""):
    qs = PartnerUnit.objects.accessible_to(user)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.prefetch_related("pairings__org_unit").order_by("name")


def partner_unit_get_for_user(user, partner_id) -> PartnerUnit:
    try:
        return partner_unit_list(user=user).get(pk=_int(partner_id))
    except PartnerUnit.DoesNotExist:
        raise NotFoundError() from None


def people_counts(*, user, org_path: str = "") -> dict:
    residents = Resident.objects.accessible_to(user)
    households = Household.objects.accessible_to(user)
    members = PartyMember.objects.accessible_to(user)
    if org_path:
        residents = residents.filter(org_path__startswith=org_path)
        households = households.filter(org_path__startswith=org_path)
        members = members.filter(org_path__startswith=org_path)
    tags = (ResidentTag.objects.filter(resident__in=residents.values("pk"))
            .values("tag").annotate(n=Count("id")).order_by("tag"))
    return {
        "households": households.count(),
        "residents": residents.filter(status="living").count(),
        "party_members": members.count(),
        "tags": {row["tag"]: row["n"] for row in tags},
    }


def unit_breakdown(*, user, unit) -> list[dict]:
    """Households and living residents under each child of ``unit`` (two grouped queries)."""
    from django.db.models.functions import Substr

    from jiceng.orgs.models import SEGMENT_WIDTH, OrgUnit

    children = list(OrgUnit.objects.accessible_to(user).filter(parent=unit).order_by("sort_order", "path"))
    if not children:
        return []
    width = len(unit.path) + SEGMENT_WIDTH + 1

    def grouped(qs):
        rows = (qs.filter(org_path__startswith=unit.path).annotate(prefix=Substr("org_path", 1, width))
                .values("prefix").annotate(n=Count("id")).order_by())
        return {r["prefix"]: r["n"] for r in rows}

    households = grouped(Household.objects.accessible_to(user))
    residents = grouped(Resident.objects.accessible_to(user).filter(status="living"))
    members = grouped(PartyMember.objects.accessible_to(user))
    return [{"unit": c, "households": households.get(c.path, 0), "residents": residents.get(c.path, 0),
             "party_members": members.get(c.path, 0)} for c in children]
