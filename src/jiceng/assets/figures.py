"""Collective-economy figures for any unit and period (registered with the module registry): each a count, or
a sum in yuan of a column, whose drill-down is exactly the records counted or added up."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from jiceng.core.modules import count_by_unit

from .models import (
    Asset, AssetStatus, Beneficiary, ConfirmationProject, ConfirmationStatus, Contract, Distribution, EnterpriseYear,
    FundedProject, FundEntry, FundEntryKind, IncomeKind, IncomeRecord, Listing, ListingStatus, Revitalisation,
    RevitalisationStatus,
)


def _moments(period) -> tuple[dt.datetime, dt.datetime]:
    lo = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return lo, hi


def _days(field: str, period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _years(field: str, period) -> Q:
    return Q(**{f"{field}__gte": period.start.year, f"{field}__lte": period.end.year})


def _at(field: str, period) -> Q:
    lo, hi = _moments(period)
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


# code: (model, the rows within a period, the column added up ("" counts the rows))
FIGURES = {
    # The register as it stood at the period's end: registered by then and not disposed.
    "assets": (Asset, lambda p: Q(created_at__lt=_moments(p)[1]) & ~Q(status=AssetStatus.DISPOSED), ""),
    "assets_value": (Asset, lambda p: Q(created_at__lt=_moments(p)[1]) & ~Q(status=AssetStatus.DISPOSED),
                     "current_value"),
    # Idle now (闲置): the register's present state, whatever the period.
    "idle_assets": (Asset, lambda p: Q(status=AssetStatus.IDLE), ""),
    "revitalised": (Revitalisation, lambda p: _days("done_on", p) & Q(status=RevitalisationStatus.DONE), ""),
    "revitalised_output": (Revitalisation, lambda p: _days("done_on", p) & Q(status=RevitalisationStatus.DONE),
                           "actual_output"),
    "confirmed": (ConfirmationProject, lambda p: _days("approved_on", p) & Q(status=ConfirmationStatus.APPROVED), ""),
    "confirmed_value": (ConfirmationProject, lambda p: _days("approved_on", p) & Q(status=ConfirmationStatus.APPROVED),
                        "value"),
    "transactions": (Listing, lambda p: _at("awarded_at", p) & Q(status__in=(ListingStatus.AWARDED,
                                                                            ListingStatus.CONTRACTED)), ""),
    "transaction_value": (Contract, lambda p: _days("signed_on", p), "total"),
    "beneficiary_households": (Beneficiary, lambda p: _days("contract__signed_on", p), ""),
    "enterprise_revenue": (EnterpriseYear, lambda p: _years("year", p), "revenue"),
    "enterprise_jobs": (EnterpriseYear, lambda p: _years("year", p), "jobs"),
    "enterprise_wages": (EnterpriseYear, lambda p: _years("year", p), "wages"),
    "distributed": (Distribution, lambda p: _at("published_at", p), "amount"),
    # Projects planned for the period's years: the money allocated, and what of it has been reimbursed (报账率 is
    # the second over the first).
    "project_allocated": (FundedProject, lambda p: _years("year", p), "allocated"),
    "project_reimbursed": (FundedProject, lambda p: _years("year", p), "reimbursed"),
    "income": (IncomeRecord, lambda p: _days("on", p), "amount"),
    "income_operating": (IncomeRecord, lambda p: _days("on", p) & Q(kind=IncomeKind.OPERATING), "amount"),
    "fund_spendings": (FundEntry, lambda p: _at("created_at", p) & Q(kind=FundEntryKind.SPENDING), ""),
}


def registered_figure(which: str):
    """``(value, records, values, sums)`` of one figure for the module registry."""
    model, condition, column = FIGURES[which]

    def records(unit, period):
        return model.objects.within(unit.path).filter(condition(period))

    def value(unit, period):
        qs = records(unit, period)
        if not column:
            return qs.count()
        from django.db.models import Sum

        return qs.aggregate(t=Sum(column))["t"] or 0

    def values(units, period) -> dict:
        rows = model.objects.unscoped("a figure counts every unit's records, grouped by unit").filter(condition(period))
        return count_by_unit(rows, units, sums=column)

    return value, records, values, column
