"""Reading the collective economy, scoped by the organisation tree in the query."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When

from jiceng.orgs.models import OrgUnit

from .models import (
    Asset, AssetStatus, CommunityFund, ConfirmationProject, Contract, Enterprise, FundedProject, FundEntry,
    IncomeKind, IncomeRecord, Listing, ListingStatus, ResponsibilityLetter,
)
from .services.common import ECONOMY_UNIT_KINDS, site_of
from .services.finance import settings_for
from .services.money import rate

VIEW = "assets_view"
ZERO = Decimal("0.00")


def economy_units(user, *, purpose: str = VIEW):
    return OrgUnit.objects.accessible_to(user, purpose=purpose).filter(kind__in=ECONOMY_UNIT_KINDS).order_by("path")


def low_yield_q(low_yield_percent: Decimal) -> Q:
    """In use but yielding less a year than the site's share of its current value (低效)."""
    return Q(status=AssetStatus.IN_USE, current_value__gt=0,
             yearly_output__lt=ExpressionWrapper(F("current_value") * low_yield_percent / 100,
                                                 output_field=DecimalField(max_digits=16, decimal_places=2)))


def asset_list(user, *, unit=None, status: str = "", kind: str = "", flagged: bool = False, q: str = ""):
    qs = Asset.objects.accessible_to(user, purpose=VIEW).select_related("org_unit")
    if unit is not None:
        qs = qs.filter(org_path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__contains=q) | Q(location__contains=q))
    if flagged:
        low = settings_for_user(user).low_yield_percent
        qs = qs.filter(Q(status=AssetStatus.IDLE) | low_yield_q(low))
    return qs.order_by("org_path", "code")


def settings_for_user(user):
    """The economy settings of the user's site (the first site they hold a role in)."""
    units = OrgUnit.objects.accessible_to(user, purpose=VIEW).order_by("depth", "path")[:1]
    unit = units[0] if units else None
    from .models import EconomySettings

    return settings_for(site_of(unit.path)) if unit else EconomySettings()


def asset_get(user, pk):
    return Asset.objects.accessible_to(user, purpose=VIEW).select_related("org_unit").filter(pk=pk).first()


def is_low_yield(asset: Asset, low_yield_percent: Decimal) -> bool:
    return (asset.status == AssetStatus.IN_USE and asset.current_value > 0
            and asset.yearly_output < asset.current_value * low_yield_percent / 100)


def confirmation_list(user, *, status: str = ""):
    qs = ConfirmationProject.objects.accessible_to(user, purpose=VIEW).select_related("org_unit", "asset")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def confirmation_get(user, pk):
    return ConfirmationProject.objects.accessible_to(user, purpose=VIEW).select_related("org_unit", "asset") \
        .filter(pk=pk).first()


def listing_list(user, *, status: str = ""):
    qs = Listing.objects.accessible_to(user, purpose=VIEW).select_related("org_unit", "asset", "awarded_bid")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def listing_get(user, pk):
    return Listing.objects.accessible_to(user, purpose=VIEW).select_related("org_unit", "asset", "awarded_bid") \
        .filter(pk=pk).first()


def contract_get(user, pk):
    return Contract.objects.accessible_to(user, purpose=VIEW).select_related("listing", "listing__org_unit") \
        .filter(pk=pk).first()


def enterprise_list(user):
    return Enterprise.objects.accessible_to(user, purpose=VIEW).select_related("org_unit").order_by("org_path", "name")


def enterprise_get(user, pk):
    return Enterprise.objects.accessible_to(user, purpose=VIEW).select_related("org_unit").filter(pk=pk).first()


def project_list(user, *, year: int | None = None):
    qs = FundedProject.objects.accessible_to(user, purpose=VIEW).select_related("org_unit")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "org_path", "name")


def project_get(user, pk):
    return FundedProject.objects.accessible_to(user, purpose=VIEW).select_related("org_unit").filter(pk=pk).first()


def project_totals(projects) -> dict:
    allocated = sum((p.allocated for p in projects), ZERO)
    reimbursed = sum((p.reimbursed for p in projects), ZERO)
    return {"allocated": allocated, "reimbursed": reimbursed, "rate": rate(reimbursed, allocated)}


def income_by_unit(user, year: int) -> list[dict]:
    """Each village's (community's) collective income for a year by kind, against the site's thresholds (消薄)
    and its responsibility letter: one grouped query for the income, one for the letters."""
    units = list(economy_units(user).only("id", "name", "path", "code", "kind"))
    if not units:
        return []
    amounts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (IncomeRecord.objects.accessible_to(user, purpose=VIEW).filter(year=year).order_by()
            .values("org_unit_id", "kind").annotate(total=Sum("amount")))
    for r in rows:
        amounts[r["org_unit_id"]][r["kind"]] = r["total"] or ZERO
    letters = {lt.org_unit_id: lt for lt in ResponsibilityLetter.objects.accessible_to(user, purpose=VIEW)
               .filter(year=year)}
    settings_by_site: dict[str, object] = {}
    kinds = IncomeKind.values
    out = []
    for u in units:
        site = u.path[: u.path.index(".") + 1]
        s = settings_by_site.get(site)
        if s is None:
            s = settings_by_site[site] = settings_for(site_of(u.path))
        mine = amounts.get(u.pk, {})
        by_kind = {k: mine.get(k, ZERO) for k in kinds}
        total = sum(by_kind.values(), ZERO)
        operating = by_kind[IncomeKind.OPERATING]
        letter = letters.get(u.pk)
        out.append({
            "unit": u, "by_kind": by_kind, "total": total, "operating": operating,
            "below_total": total < s.total_threshold, "below_operating": operating < s.operating_threshold,
            "letter": letter,
            "letter_met": (total >= letter.target_total and operating >= letter.target_operating) if letter else None,
        })
    return out


def fund_list(user, *, year: int | None = None):
    qs = CommunityFund.objects.accessible_to(user, purpose=VIEW).select_related("org_unit")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("org_path", "-year", "kind")


def fund_get(user, pk):
    return CommunityFund.objects.accessible_to(user, purpose=VIEW).select_related("org_unit").filter(pk=pk).first()


def fund_entries(fund):
    """A fund's entries, by the fund already authorised: an entry keeps the path it was written under (the
    path is hashed), so after its community moves the entries are still found by their account."""
    from jiceng.core.scope import AUTHORISED

    return FundEntry.objects.unscoped(AUTHORISED).filter(account=fund).order_by("-seq")


def public_listings(unit):
    """What the notice board shows of a unit's transactions: listings in notice and those that ended, with the
    award (never a bidder's phone or ID number)."""
    return (Listing.objects.unscoped("a public notice board shows its own unit's transactions")
            .filter(org_path__startswith=unit.path).select_related("awarded_bid", "asset")
            .order_by(Case(When(status=ListingStatus.NOTICE, then=Value(0)), default=Value(1)), "-created_at"))
