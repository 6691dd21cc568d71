"""Reads of the points app that the web UI and the API share, already scoped to the user."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from jiceng.core.errors import NotFoundError
from jiceng.core.filters import filter_by
from jiceng.core.scope import AUTHORISED, FILTERED_BELOW
from jiceng.people.models import Household, HouseholdStatus

from . import permissions
from .models import (
    CardStatus, DeclarationStatus, PointsAccount, PointsCard, PointsDeclaration, PointsLedgerEntry, PointsProgramme,
    Product, Redemption, Shop, StarRating, StockEntry, StockKind,
)
from .services.ledger import programme_for_path
from .services.ratings import current_period, scores

DECLARATION_FILTERS = {"status": "status", "org_path": "org_path__startswith", "household_id": "household_id"}


def programme_for_user(user) -> PointsProgramme | None:
    """The programme of the user's first unit (residents: their household's)."""
    from jiceng.accounts.scope import scope_for

    if getattr(user, "resident_id", None) and user.resident.household_id:
        return programme_for_path(user.resident.household.org_path)
    scope = scope_for(user, purpose="points_view")
    if scope.everything:
        return PointsProgramme.objects.order_by("org_path").first()
    for path in scope.paths:
        p = programme_for_path(path) or PointsProgramme.objects.filter(org_path__startswith=path).order_by("org_path").first()
        if p:
            return p
    return None


def programmes_for_user(user):
    from jiceng.accounts.scope import scope_for

    scope = scope_for(user, purpose="points_view")
    qs = PointsProgramme.objects.select_related("org_unit").order_by("org_path")
    if scope.everything:
        return list(qs)
    return [p for p in qs if any(p.org_path.startswith(s) or s.startswith(p.org_path) for s in scope.paths)]


def declaration_list(*, user, status: str = "", org_path: str = "", household_id=None, purpose: str = "points_view"):
    qs = (PointsDeclaration.objects.accessible_to(user, purpose=purpose)
          .select_related("household", "household__head", "item", "item__category", "resident", "submitted_by"))
    qs = filter_by(qs, DECLARATION_FILTERS, status=status, org_path=org_path, household_id=household_id)
    return qs.order_by("-submitted_at", "-id")


def review_queue(*, user):
    """Records waiting for review, those sent back by an objection first."""
    return (declaration_list(user=user, status=DeclarationStatus.SUBMITTED, purpose="points_review")
            .annotate(open_objections=Count("objections", filter=Q(objections__resolved_at__isnull=True)))
            .order_by("-open_objections", "submitted_at", "id"))


def declaration_get_for_user(user, declaration_id, *, purpose: str = "points_view") -> PointsDeclaration:
    decl = declaration_list(user=user, purpose=purpose).filter(pk=declaration_id).first()
    if decl is None:
        raise NotFoundError()
    return decl


def household_get_for_points(user, household_id, *, purpose: str = "points_view") -> Household:
    hh = Household.objects.accessible_to(user, purpose=purpose).select_related("head", "org_unit").filter(
        pk=household_id).first()
    if hh is None:
        raise NotFoundError(field="household")
    return hh


def household_summary(household) -> dict:
    """Balance, card, and one period stated with its figures: the last rated period (its stars, the
    household's score and rank in the grid for that same period), or, before any rating, the current
    period so far (score and rank, no stars yet)."""
    account = PointsAccount.objects.unscoped(AUTHORISED).filter(household=household).first()
    card = PointsCard.objects.filter(household=household, status=CardStatus.ACTIVE).first()
    rating = StarRating.objects.filter(household=household).order_by("-period_start").first()
    programme = programme_for_path(household.org_path)
    rank = total = None
    period_label = ""
    score = 0
    in_progress = False
    if programme:
        if rating:
            start, end, period_label = rating.period_start, rating.period_end, rating.period_label
        else:
            start, end, period_label = current_period(programme)
            in_progress = True
        grid_scores = scores(household.org_unit.path, start, end)
        total = Household.objects.within(household.org_unit.path).filter(
                                         status=HouseholdStatus.ACTIVE).count()
        score = grid_scores.get(household.pk, 0)
        rank = 1 + sum(1 for s in grid_scores.values() if s > score)
    return {"account": account, "balance": account.balance if account else 0, "card": card, "rating": rating,
            "rank": rank, "rank_total": total, "period_label": period_label, "period_score": score,
            "period_in_progress": in_progress, "programme": programme}


def ledger_for_household(household, *, limit: int | None = 200):
    qs = PointsLedgerEntry.objects.filter(account__household=household).order_by("-seq")
    return qs if limit is None else qs[:limit]


def ledger_entry_get(household, seq) -> PointsLedgerEntry:
    entry = PointsLedgerEntry.objects.filter(account__household=household, seq=seq).first()
    if entry is None:
        raise NotFoundError(field="seq")
    return entry


def public_notice(unit, *, now=None):
    """What the public notice page (积分公示) shows for a community: items in publicity, and
    recently posted ones, with names masked by the template."""
    now = now or timezone.now()
    base = (PointsDeclaration.objects.within(unit.path)
            .select_related("household", "household__head", "household__org_unit", "item", "item__category"))
    publicising = base.filter(status=DeclarationStatus.PUBLICISING).order_by("publicity_ends_at", "id")[:300]
    posted = base.filter(status=DeclarationStatus.POSTED, posted_at__gte=now - dt.timedelta(days=30)).order_by(
        "-posted_at", "-id")[:100]
    return list(publicising), list(posted)


def ranking(*, path: str, start: dt.date, end: dt.date, limit: int = 10):
    """Top and bottom households by points in a period under a unit (红黑榜)."""
    score_by = scores(path, start, end)
    households = {h.pk: h for h in Household.objects.within(path).filter(status=HouseholdStatus.ACTIVE)
                  .select_related("head", "org_unit")}
    rows = [(score_by.get(pk, 0), h) for pk, h in households.items()]
    rows.sort(key=lambda r: (-r[0], r[1].number))
    top = rows[:limit]
    bottom = sorted(rows, key=lambda r: (r[0], r[1].number))[:limit]
    return top, bottom


def ranking_for_user(*, user, unit, year: int | None = None, quarter: int | None = None, limit: int = 20) -> dict:
    """The red and black lists (红黑榜) of a unit for one period — the previous full period unless one is
    named — with the star counts of that same period; the unit must be in the user's points scope."""
    from .services.ratings import period_bounds, previous_period

    if not permissions.can_view_points(user, unit.path):
        raise NotFoundError(field="org_unit_id")
    programme = programme_for_path(unit.path) or PointsProgramme.objects.filter(
        org_path__startswith=unit.path).order_by("org_path").first()
    if programme is None:
        raise NotFoundError(field="org_unit_id")
    if year:
        kind = "quarter" if quarter else "year"
        start, end, label = period_bounds(kind, year, int(quarter or 1))
    else:
        start, end, label = previous_period(programme)
    top, bottom = ranking(path=unit.path, start=start, end=end, limit=limit)
    return {"unit": unit, "programme": programme, "start": start, "end": end, "label": label,
            "top": [(sc, h) for sc, h in top if sc > 0], "bottom": [(sc, h) for sc, h in bottom if sc < 0],
            "star_counts": star_counts(path=unit.path, start=start, end=end)}


def cards_for_unit(*, user, unit, status: str = ""):
    """The points cards of the households under a unit, for those who issue cards there."""
    if not permissions.can_record_points(user, unit.path):
        raise NotFoundError(field="org_unit_id")
    qs = (PointsCard.objects.filter(household__org_path__startswith=unit.path)
          .select_related("household", "household__head"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-issued_at", "-id")


def star_counts(*, path: str, start: dt.date, end: dt.date) -> dict[int, int]:
    rows = (StarRating.objects.filter(org_path__startswith=path, period_start=start, period_end=end)
            .values("stars").annotate(n=Count("id")))
    return {r["stars"]: r["n"] for r in rows}


def shops_for_user(user):
    from jiceng.accounts.scope import scope_for

    scope = scope_for(user, purpose="points_shop")
    qs = Shop.objects.unscoped(FILTERED_BELOW).select_related("programme", "org_unit").order_by("org_path", "id")
    if scope.everything:
        return list(qs)
    return [s for s in qs if any(s.org_path.startswith(p) for p in scope.paths)]


def shops_visible(user):
    """Shops a viewer (staff or resident) may browse: those serving their units or their household."""
    from jiceng.accounts.scope import scope_for

    scope = scope_for(user, purpose="points_view")
    qs = Shop.objects.unscoped(FILTERED_BELOW).filter(is_active=True).select_related("org_unit").order_by("org_path", "id")
    if scope.everything:
        return list(qs)
    paths = list(scope.paths)
    if scope.resident_household_id:
        paths.append(Household.objects.unscoped(AUTHORISED).get(pk=scope.resident_household_id).org_path)
    return [s for s in qs if any(p.startswith(s.org_path) or s.org_path.startswith(p) for p in paths)]


def shop_get_for_user(user, shop_id, *, purpose: str = "points_shop") -> Shop:
    shop = Shop.objects.unscoped(AUTHORISED).select_related("programme", "org_unit").filter(pk=shop_id).first()
    if shop is None:
        raise NotFoundError()
    if purpose == "points_shop" and not permissions.can_operate_shop(user, shop):
        raise NotFoundError()
    if purpose == "points_view" and shop not in shops_visible(user):
        raise NotFoundError()
    return shop


def products_of(shop, *, active_only: bool = True):
    qs = Product.objects.filter(shop=shop)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("price_points", "name")


def counter_households(*, shop, q: str, limit: int = 20):
    """Households a clerk may serve, found by number, head's name or the last digits of a phone."""
    from jiceng.people.search import to_simplified

    qs = Household.objects.within(shop.org_path).filter(status=HouseholdStatus.ACTIVE).select_related("head")
    q = (q or "").strip()
    if not q:
        return []
    if q.isdigit() and len(q) >= 4:
        qs = qs.filter(Q(phone_rev__startswith=q[::-1]) | Q(number__endswith=q))
    else:
        q = to_simplified(q)
        qs = qs.filter(Q(number__icontains=q) | Q(head__name_search__startswith=q))
    return list(qs.order_by("number")[:limit])


def redemptions_for(shop, *, day: dt.date | None = None, limit: int = 100):
    qs = Redemption.objects.filter(shop=shop).select_related("household", "household__head", "clerk").prefetch_related(
        "lines__product")
    if day:
        qs = qs.filter(created_at__date=day)
    return qs.order_by("-id")[:limit]


def reconciliation(*, user, shop, days: int = 31):
    """Per day: points spent at the shop (from the points ledger) against the points value of the
    stock issued (from the stock ledger). Any difference is a fault to investigate."""
    since = timezone.now() - dt.timedelta(days=days)
    spent = (PointsLedgerEntry.objects.filter(redemption__shop=shop, created_at__gte=since)
             .annotate(day=TruncDate("created_at")).values("day")
             .annotate(points=Sum("amount"), n=Count("id")))
    issued = (StockEntry.objects.filter(kind=StockKind.REDEMPTION, redemption_line__redemption__shop=shop,
                                        created_at__gte=since)
              .annotate(day=TruncDate("created_at")).values("day", "quantity", "redemption_line__unit_points"))
    services_lines = (Redemption.objects.filter(shop=shop, created_at__gte=since, lines__product__is_service=True)
                      .annotate(day=TruncDate("created_at")).values("day").annotate(p=Sum("lines__points")))
    by_day: dict = {}
    for r in spent:
        by_day.setdefault(r["day"], {"day": r["day"], "points_spent": 0, "stock_points": 0, "items": 0,
                                     "service_points": 0, "redemptions": 0})
        by_day[r["day"]]["points_spent"] = -(r["points"] or 0)
        by_day[r["day"]]["redemptions"] = r["n"]
    for r in issued:
        row = by_day.setdefault(r["day"], {"day": r["day"], "points_spent": 0, "stock_points": 0, "items": 0,
                                           "service_points": 0, "redemptions": 0})
        row["stock_points"] += -r["quantity"] * r["redemption_line__unit_points"]
        row["items"] += -r["quantity"]
    for r in services_lines:
        row = by_day.setdefault(r["day"], {"day": r["day"], "points_spent": 0, "stock_points": 0, "items": 0,
                                           "service_points": 0, "redemptions": 0})
        row["service_points"] += r["p"] or 0
    rows = sorted(by_day.values(), key=lambda r: r["day"], reverse=True)
    for row in rows:
        row["difference"] = row["points_spent"] - row["stock_points"] - row["service_points"]
    return rows


def household_panel(request, household) -> dict:
    """The points line on the registry's household page."""
    return {"household": household, "points": household_summary(household)}
