"""The registry's figures (指标): each a number for an org unit and a period, and exactly the records behind it.

Registered in module.py; the figures and briefing module reads them through the registry. A figure counts the
records registered by the period's last day that are current now (the registry keeps no history of status).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Household, HouseholdStatus, PartyMember, Resident, ResidentStatus


def _until(period) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))


def households(unit, period):
    return Household.objects.within(unit.path).filter(status=HouseholdStatus.ACTIVE,
                                    created_at__lt=_until(period))


def residents(unit, period):
    return Resident.objects.within(unit.path).filter(status=ResidentStatus.LIVING,
                                   created_at__lt=_until(period))


def party_members(unit, period):
    return PartyMember.objects.within(unit.path).filter(created_at__lt=_until(period))


def count_of(records):
    """A figure's value as the count of its records."""
    def value(unit, period) -> int:
        return records(unit, period).count()
    value.__name__ = f"count_{records.__name__}"
    return value
