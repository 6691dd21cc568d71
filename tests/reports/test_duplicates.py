"""Possible duplicates (重复线索): same category, open, in the last N days, at the same place or within
M metres (the site's ``duplicate_metres``) when both reports have a location."""
from __future__ import annotations

import math
from decimal import Decimal

import pytest

from jiceng.accounts.models import Role
from jiceng.reports import services
from jiceng.reports.geo import EARTH_RADIUS_M, bounding_box, distance_m
from jiceng.reports.models import Channel, ReportSettings

LAT, LONG = Decimal("25.200000"), Decimal("102.500000")


def north(metres):
    return LAT + Decimal(math.degrees(metres / EARTH_RADIUS_M)).quantize(Decimal("0.000001"))


def east(metres):
    deg = math.degrees(metres / (EARTH_RADIUS_M * math.cos(math.radians(float(LAT)))))
    return LONG + Decimal(deg).quantize(Decimal("0.000001"))


@pytest.fixture
def desk(district, make_user):
    return make_user(Role.COMMUNITY_STAFF, district.street)


def report(desk, report_site, unit, *, lat=None, long=None, category=None, accept=True):
    r = services.report_submit(actor=desk, channel=Channel.DESK, category_id=(category or report_site.fire).pk,
                               description="消防通道被堵", org_unit=unit, reporter_name="李大爷", lat=lat, long=long)
    return services.report_accept(actor=desk, report=r) if accept else r


def test_within_the_distance_in_another_grid_is_a_duplicate_just_outside_is_not(desk, report_site, district):
    near_n = report(desk, report_site, district.grid_a2, lat=north(99), long=LONG)
    far_n = report(desk, report_site, district.grid_a2, lat=north(101), long=LONG)
    near_e = report(desk, report_site, district.grid_b1, lat=LAT, long=east(99))
    far_e = report(desk, report_site, district.grid_b1, lat=LAT, long=east(101))
    new = report(desk, report_site, district.grid_a1, lat=LAT, long=LONG, accept=False)
    found = services.duplicates_of(new)
    assert {r.pk for r in found} == {near_n.pk, near_e.pk}
    assert all(98.9 < r.distance_m < 99.1 for r in found)
    assert far_n.pk and far_e.pk


def test_same_place_still_matches_without_a_location_and_other_places_need_one(desk, report_site, district):
    same_place = report(desk, report_site, district.grid_a1)
    elsewhere_no_location = report(desk, report_site, district.grid_a2)
    new = report(desk, report_site, district.grid_a1, lat=LAT, long=LONG, accept=False)
    assert [r.pk for r in services.duplicates_of(new)] == [same_place.pk]
    assert elsewhere_no_location.pk


def test_other_category_closed_or_old_reports_nearby_are_not_duplicates(desk, report_site, district):
    import datetime as dt

    from jiceng.reports.models import Report

    report(desk, report_site, district.grid_a2, lat=north(10), long=LONG, category=report_site.litter)
    old = report(desk, report_site, district.grid_a2, lat=north(10), long=LONG)
    Report.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=8))
    rejected = report(desk, report_site, district.grid_a2, lat=north(10), long=LONG, accept=False)
    services.report_reject(actor=desk, report=rejected, reason="不属实")
    new = report(desk, report_site, district.grid_a1, lat=LAT, long=LONG, accept=False)
    assert services.duplicates_of(new) == []


def test_the_distance_is_the_sites_setting(desk, report_site, district):
    at_250 = report(desk, report_site, district.grid_a2, lat=north(250), long=LONG)
    new = report(desk, report_site, district.grid_a1, lat=LAT, long=LONG, accept=False)
    assert services.duplicates_of(new) == []
    ReportSettings.objects.create(site=district.street, duplicate_metres=300)
    assert [r.pk for r in services.duplicates_of(new)] == [at_250.pk]
    ReportSettings.objects.filter(site=district.street).update(duplicate_metres=0)     # 0: by place only
    assert services.duplicates_of(new) == []


def test_bounding_box_encloses_the_circle_and_haversine_is_right():
    # One degree of latitude is ~111.195 km on the mean sphere; Kunming to Dali is ~260 km (great circle).
    assert distance_m(25, 102, 26, 102) == pytest.approx(111_195, rel=1e-4)
    assert distance_m(25.04, 102.71, 25.61, 100.27) == pytest.approx(253_000, rel=0.03)
    min_lat, max_lat, min_long, max_long = bounding_box(LAT, LONG, 100)
    for bearing in range(0, 360, 15):
        b = math.radians(bearing)
        lat = float(LAT) + math.degrees(100 * math.cos(b) / EARTH_RADIUS_M)
        lng = float(LONG) + math.degrees(100 * math.sin(b) / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
        assert min_lat <= Decimal(repr(lat)) <= max_lat and min_long <= Decimal(repr(lng)) <= max_long
