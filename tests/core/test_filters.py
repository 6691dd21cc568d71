"""filter_by: a list's filters declared once and applied only when their value is given."""
from __future__ import annotations

import pytest
from django.db.models import Q

from jiceng.core.filters import filter_by
from jiceng.orgs.models import OrgUnit, OrgUnitKind

SPEC = {
    "under": "path__startswith",
    "grids_only": Q(kind=OrgUnitKind.GRID),
    "kind": lambda k: Q(kind__in=[OrgUnitKind.GRID, OrgUnitKind.BUILDING]) if k == "places" else Q(kind=k),
}


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_only_the_filters_given_a_value_narrow_the_list(district):
    everything = OrgUnit.objects.all()
    for empty in ("", None, False, 0):
        assert codes(filter_by(everything, SPEC, under=empty, grids_only=empty, kind=empty)) == codes(everything)
    assert codes(filter_by(everything, SPEC)) == codes(everything)
    assert codes(filter_by(everything, SPEC, under=district.comm_a.path)) == [
        "530124001001", "530124001001-G01", "530124001001-G01-B01", "530124001001-G02"]


def test_a_lookup_a_yes_no_q_and_a_function_of_the_value_combine(district):
    everything = OrgUnit.objects.all()
    assert codes(filter_by(everything, SPEC, under=district.comm_a.path, grids_only=True)) == [
        "530124001001-G01", "530124001001-G02"]
    assert codes(filter_by(everything, SPEC, kind="places", under=district.comm_a.path)) == [
        "530124001001-G01", "530124001001-G01-B01", "530124001001-G02"]
    assert codes(filter_by(everything, SPEC, kind=OrgUnitKind.COMMUNITY)) == ["530124001001", "530124001002"]


def test_a_value_the_spec_does_not_name_is_refused():
    with pytest.raises(TypeError, match="no filter named colour"):
        filter_by(OrgUnit.objects.all(), SPEC, colour="red")
