"""Distances between reports' points, portable across SQLite and PostgreSQL (no PostGIS): a bounding
box the database can filter on, then the great-circle (haversine) distance in Python."""
from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

EARTH_RADIUS_M = 6_371_008.8          # mean radius (IUGG)
_STEP = Decimal("0.000001")            # the columns' precision (decimal_places=6)


def distance_m(lat1, long1, lat2, long2) -> float:
    """Great-circle distance in metres between two WGS-84/GCJ-02 points (degrees)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(long2) - float(long1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat, long, metres: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(min_lat, max_lat, min_long, max_long) enclosing every point within ``metres`` of (lat, long),
    widened outward to the columns' precision, so the box never cuts off a point the circle keeps."""
    lat_f = float(lat)
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    cos_lat = math.cos(math.radians(min(89.0, abs(lat_f) + dlat)))
    dlong = min(180.0, dlat / cos_lat)

    def down(x):
        return Decimal(repr(x)).quantize(_STEP, rounding=ROUND_FLOOR)

    def up(x):
        return Decimal(repr(x)).quantize(_STEP, rounding=ROUND_CEILING)

    return down(lat_f - dlat), up(lat_f + dlat), down(float(long) - dlong), up(float(long) + dlong)


def unit_nearest(site, lat, long):
    """The unit of ``site`` a point belongs to (按位置分派): units carry a centre point and no boundary,
    so it is the unit whose centre is nearest, among the lowest units that have one (a unit whose
    descendant has a centre gives way to it). None when no unit of the site has a centre."""
    from jiceng.orgs.models import OrgUnit

    located = list(OrgUnit.objects.filter(path__startswith=site.path, is_active=True, lat__isnull=False,
                                          long__isnull=False).order_by("path"))
    # In path order a unit's descendants follow it directly: a unit is lowest unless the next one is below it.
    lowest = [u for i, u in enumerate(located)
              if not (i + 1 < len(located) and located[i + 1].path.startswith(u.path))]
    if not lowest:
        return None
    return min(lowest, key=lambda u: (distance_m(lat, long, u.lat, u.long), u.path))
