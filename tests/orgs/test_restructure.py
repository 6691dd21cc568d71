"""Moving, splitting and merging units: every row below follows in one transaction, history is kept."""
import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from jiceng.accounts.models import RoleAssignment
from jiceng.audit.models import AuditEntry
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.modules import Period, registry, resolve
from jiceng.orgs import restructure
from jiceng.orgs.models import OrgUnit, UnitChange, UnitPathChange
from jiceng.orgs.restructure import (SplitPart, figure_value_as_was, org_unit_merge, org_unit_move, org_unit_split,
                                     path_columns, unit_columns)
from jiceng.orgs.services import org_unit_create
from jiceng.people.models import Resident


def _rows_under(prefix: str) -> dict[str, int]:
    """{table.column: rows whose path starts with prefix} over every rewritten path column."""
    out = {}
    with connection.cursor() as cur:
        for c in path_columns():
            cur.execute(f"SELECT COUNT(*) FROM {c.table} WHERE {c.column} LIKE %s", [prefix + "%"])
            n = cur.fetchone()[0]
            if n:
                out[f"{c.table}.{c.column}"] = n
    return out


def _desk_with_visit(unit, admin, when: dt.datetime):
    from jiceng.duty.models import DutyDesk, Visitor

    desk = DutyDesk.objects.create(org_unit=unit, org_path=unit.path, name=f"{unit.name}值班台", secret="s",
                                   created_by=admin, created_at=when)
    Visitor.objects.create(desk=desk, org_path=unit.path, at=when, name="来访人", purpose="咨询", recorded_by=admin)
    return desk


@pytest.fixture
def second_street(district, admin):
    return org_unit_create(actor=admin, parent=None, kind="street", name="新街道", code="530124002000")


def test_every_org_path_column_is_found_through_the_registry_and_sealed_history_is_kept_apart():
    found = {f"{c.model._meta.label}.{c.column}" for c in path_columns()}
    for expected in ("people.Household.org_path", "people.Resident.org_path", "reports.Report.org_path",
                     "points.PointsAccount.org_path", "monitoring.MonitoringCase.org_path", "duty.Visitor.org_path",
                     "cadre.Task.org_path", "leadership.Term.org_path"):
        assert expected in found
    sealed = {f"{c.model._meta.label}.{c.column}" for c in path_columns(sealed=True)}
    assert sealed == {"audit.AuditEntry.org_path", "cadre.PerformanceEntry.org_path", "assets.FundEntry.org_path"}
    fks = {f"{c.model._meta.label}.{c.column}" for c in unit_columns()}
    assert {"people.Household.org_unit_id", "accounts.RoleAssignment.org_unit_id", "reports.Report.org_unit_id"} <= fks
    assert not any(label.startswith("orgs.") for label in fks)


def test_moving_a_community_takes_every_household_resident_record_and_role_along(
        district, admin, second_street, make_household, make_user):
    h = make_household(district.grid_a1)
    staff = make_user("community_staff", district.comm_a)
    _desk_with_visit(district.comm_a, admin, timezone.now())
    old = district.comm_a.path
    before = _rows_under(old)
    assert before["people_household.org_path"] == 1 and before["duty_visitor.org_path"] == 1

    change = org_unit_move(actor=admin, unit=district.comm_a, parent=second_street, note="区划调整")

    comm = OrgUnit.objects.get(pk=district.comm_a.pk)
    assert comm.parent_id == second_street.pk and comm.path.startswith(second_street.path)
    assert comm.depth == 1 and OrgUnit.objects.get(pk=district.building_a1.pk).depth == 3
    assert _rows_under(old) == {}
    after = _rows_under(comm.path)
    assert {k: v for k, v in after.items()} == before
    h.refresh_from_db()
    assert h.org_path.startswith(comm.path) and h.org_unit_id == district.grid_a1.pk
    assert set(Resident.objects.unscoped("test").filter(household=h).values_list("org_path", flat=True)) == {h.org_path}
    assert RoleAssignment.objects.get(user=staff).org_unit_id == comm.pk
    assert change.kind == "move" and change.rows == sum(before.values()) + 4  # the community, 2 grids, 1 building
    pc = change.paths.get()
    assert (pc.old_path, pc.new_path) == (old, comm.path)
    entry = AuditEntry.objects.get(action="orgs.unit.moved", object_id=str(comm.pk))
    assert entry.before["path"] == old and entry.after["path"] == comm.path


def test_moving_a_unit_under_itself_or_its_descendant_is_refused_and_nothing_changes(district, admin):
    snapshot = list(OrgUnit.objects.values_list("pk", "path", "parent_id"))
    for target in (district.comm_a, district.grid_a1, district.building_a1):
        with pytest.raises(JicengError) as exc:
            org_unit_move(actor=admin, unit=district.comm_a, parent=target)
        assert exc.value.field == "parent"
    assert "下级单元" in exc.value.message
    assert list(OrgUnit.objects.values_list("pk", "path", "parent_id")) == snapshot
    assert not UnitChange.objects.exists()


def test_moving_under_a_unit_of_a_lower_level_is_refused(district, admin):
    with pytest.raises(JicengError) as exc:
        org_unit_move(actor=admin, unit=district.grid_a1, parent=district.grid_b1)
    assert exc.value.field == "parent" and "不能放在" in exc.value.message


def test_moving_outside_the_actors_scope_is_refused(district, admin, second_street, make_user):
    street_admin = make_user("street_admin", district.street)
    with pytest.raises(NotFoundError) as exc:
        org_unit_move(actor=street_admin, unit=district.grid_a1, parent=second_street)
    assert exc.value.field == "parent"
    community = make_user("community_staff", district.comm_a)
    with pytest.raises(NotFoundError):
        org_unit_move(actor=community, unit=district.grid_a1, parent=district.comm_b)
    assert OrgUnit.objects.get(pk=district.grid_a1.pk).parent_id == district.comm_a.pk
    # Within the street the street's administrator may redraw grids.
    org_unit_move(actor=street_admin, unit=district.grid_a1, parent=district.comm_b)
    assert OrgUnit.objects.get(pk=district.grid_a1.pk).parent_id == district.comm_b.pk


def test_a_failure_half_way_writes_nothing(district, admin, second_street, make_household):
    make_household(district.grid_a1)
    old = district.comm_a.path
    before = _rows_under(old)
    real = restructure.rewrite_prefix
    calls = {"n": 0}

    def fail_after_first(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*a, **kw)

    with mock.patch.object(restructure, "rewrite_prefix", fail_after_first), pytest.raises(RuntimeError):
        org_unit_split(actor=admin, unit=district.comm_a, parts=[
            SplitPart("甲东社区", "530124001011", [district.grid_a1.pk]),
            SplitPart("甲西社区", "530124001012", [district.grid_a2.pk])])
    assert calls["n"] == 2
    assert _rows_under(old) == before
    assert OrgUnit.objects.get(pk=district.comm_a.pk).ended_on is None
    assert not OrgUnit.objects.filter(code__in=["530124001011", "530124001012"]).exists()
    assert not UnitChange.objects.exists() and not AuditEntry.objects.filter(action="orgs.unit.split").exists()


def test_splitting_a_community_sends_each_grid_to_its_part_and_keeps_the_old_one_as_history(
        district, admin, make_household, make_user):
    h1, h2 = make_household(district.grid_a1), make_household(district.grid_a2)
    own = make_household(district.comm_a)  # living directly in the community
    staff = make_user("community_staff", district.comm_a)
    old = district.comm_a.path
    change = org_unit_split(actor=admin, unit=district.comm_a, effective_on=dt.date(2026, 7, 1), parts=[
        SplitPart("甲东社区", "530124001011", [district.grid_a1.pk]),
        SplitPart("甲西社区", "530124001012", [district.grid_a2.pk])])
    east, west = OrgUnit.objects.get(code="530124001011"), OrgUnit.objects.get(code="530124001012")
    assert east.parent_id == west.parent_id == district.street.pk and east.kind == west.kind == "community"
    assert (east.party_org_kind, east.party_org_name) == ("committee", "甲东社区党组织")
    assert OrgUnit.objects.get(pk=district.grid_a1.pk).parent_id == east.pk
    assert OrgUnit.objects.get(pk=district.grid_a2.pk).parent_id == west.pk
    for h, unit in ((h1, east), (h2, west), (own, east)):
        h.refresh_from_db()
        assert h.org_path.startswith(unit.path)
    own.refresh_from_db()
    assert own.org_unit_id == east.pk and own.org_path == east.path
    assert RoleAssignment.objects.get(user=staff).org_unit_id == east.pk
    assert _rows_under(old) == {}
    gone = OrgUnit.objects.get(pk=district.comm_a.pk)
    assert gone.ended_on == dt.date(2026, 7, 1) and gone.successor_id == east.pk and not gone.is_active
    assert gone.path == old and not OrgUnit.objects.filter(path__startswith=old).exclude(pk=gone.pk).exists()
    assert change.kind == "split" and change.unit_id == gone.pk
    assert AuditEntry.objects.filter(action="orgs.unit.split", object_id=str(gone.pk)).exists()


def test_a_split_that_leaves_a_grid_out_or_gives_one_twice_is_refused(district, admin):
    cases = [
        ([SplitPart("甲东社区", "530124001011", [district.grid_a1.pk]), SplitPart("甲西社区", "530124001012", [])],
         "未分配"),
        ([SplitPart("甲东社区", "530124001011", [district.grid_a1.pk, district.grid_a2.pk]),
          SplitPart("甲西社区", "530124001012", [district.grid_a2.pk])], "同时分给"),
        ([SplitPart("甲东社区", "530124001011", [district.grid_a1.pk, district.grid_a2.pk])], "至少"),
        ([SplitPart("甲东社区", "530124001011", [district.grid_a1.pk]),
          SplitPart("甲西社区", "530124001012", [district.grid_a2.pk, district.grid_b1.pk])], "不是"),
    ]
    count = OrgUnit.objects.count()
    for parts, words in cases:
        with pytest.raises(JicengError) as exc:
            org_unit_split(actor=admin, unit=district.comm_a, parts=parts)
        assert words in exc.value.message and exc.value.field in ("children", "parts")
    assert OrgUnit.objects.count() == count and not UnitChange.objects.exists()


def test_merging_two_communities_moves_grids_households_and_roles_to_the_target(
        district, admin, make_household, make_user):
    h = make_household(district.grid_b1)
    own = make_household(district.comm_b)
    staff = make_user("community_staff", district.comm_b)
    old = district.comm_b.path
    org_unit_merge(actor=admin, sources=[district.comm_b], target=district.comm_a, effective_on=dt.date(2026, 8, 1))
    grid = OrgUnit.objects.get(pk=district.grid_b1.pk)
    assert grid.parent_id == district.comm_a.pk and grid.path.startswith(district.comm_a.path)
    h.refresh_from_db()
    own.refresh_from_db()
    assert h.org_path.startswith(grid.path) and own.org_unit_id == district.comm_a.pk
    assert own.org_path == district.comm_a.path
    assert RoleAssignment.objects.get(user=staff).org_unit_id == district.comm_a.pk
    assert _rows_under(old) == {}
    gone = OrgUnit.objects.get(pk=district.comm_b.pk)
    assert gone.ended_on == dt.date(2026, 8, 1) and gone.successor_id == district.comm_a.pk
    assert AuditEntry.objects.filter(action="orgs.unit.merged", object_id=str(gone.pk)).exists()


def test_merging_units_of_different_kinds_or_into_a_descendant_is_refused(district, admin):
    for sources, target, words in (([district.grid_b1], district.comm_a, "同类"),
                                   ([district.comm_a], district.grid_a1, "上下级"),
                                   ([district.comm_a], district.comm_a, "自己")):
        with pytest.raises(JicengError) as exc:
            org_unit_merge(actor=admin, sources=sources, target=target)
        assert exc.value.field == "sources" and words in exc.value.message
    assert not UnitChange.objects.exists() and OrgUnit.objects.filter(ended_on__isnull=False).count() == 0


def test_an_ended_unit_cannot_be_changed_again(district, admin):
    org_unit_merge(actor=admin, sources=[district.comm_b], target=district.comm_a)
    gone = OrgUnit.objects.get(pk=district.comm_b.pk)
    with pytest.raises(JicengError) as exc:
        org_unit_move(actor=admin, unit=district.grid_a1, parent=gone)
    assert exc.value.field == "parent" and "撤销" in exc.value.message


def test_past_figures_stay_with_the_units_as_they_were(district, admin, second_street):
    figure = registry.figures()["duty.visitors"]
    last_year = Period.year(2025)
    when = timezone.make_aware(dt.datetime(2025, 6, 1, 10))
    _desk_with_visit(district.grid_a1, admin, when)
    _desk_with_visit(district.grid_b1, admin, when)
    live = resolve(figure.value)
    assert live(district.street, last_year) == 2 and live(district.comm_a, last_year) == 1

    org_unit_move(actor=admin, unit=district.comm_a, parent=second_street, effective_on=dt.date(2026, 3, 1))
    comm_a = OrgUnit.objects.get(pk=district.comm_a.pk)
    # The moved community keeps its own past: its records went with it.
    assert live(comm_a, last_year) == 1 and figure_value_as_was(figure, comm_a, last_year) == 1
    # Its old street counted it in 2025 and still does; the new street did not and does not.
    assert live(district.street, last_year) == 1
    assert figure_value_as_was(figure, district.street, last_year) == 2
    assert figure_value_as_was(figure, second_street, last_year) == 0
    # A period after the move counts the tree as it is.
    this_year = Period.year(2026)
    assert figure_value_as_was(figure, second_street, this_year) == live(second_street, this_year)

    # Split the other community: the ended unit's past is the sum of its parts; a part did not exist then.
    org_unit_split(actor=admin, unit=district.comm_b, effective_on=dt.date(2026, 5, 1), parts=[
        SplitPart("乙东社区", "530124001021", [district.grid_b1.pk]), SplitPart("乙西社区", "530124001022", [])])
    comm_b = OrgUnit.objects.get(pk=district.comm_b.pk)
    east = OrgUnit.objects.get(code="530124001021")
    assert live(comm_b, last_year) == 0
    assert figure_value_as_was(figure, comm_b, last_year) == 1
    assert figure_value_as_was(figure, east, last_year) == 0
    assert figure_value_as_was(figure, district.street, last_year) == 2
    assert UnitPathChange.objects.filter(part=True).count() == 2


def test_a_cycle_made_by_a_change_committed_meanwhile_is_caught_under_the_lock(district, admin):
    """The checks run before the transaction; both units are read again under their row locks."""
    grid, target = OrgUnit.objects.get(pk=district.grid_a1.pk), OrgUnit.objects.get(pk=district.comm_b.pk)
    # Meanwhile another change put community B below the grid (the caller still holds the old rows).
    OrgUnit.objects.filter(pk=district.comm_b.pk).update(path=grid.path + "00009.")
    with pytest.raises(JicengError) as exc:
        org_unit_move(actor=admin, unit=grid, parent=target)
    assert exc.value.field == "parent" and exc.value.code == "cycle"
    assert not UnitChange.objects.exists()
    assert OrgUnit.objects.get(pk=grid.pk).path == grid.path


def test_past_figures_over_sealed_rows_are_found_where_they_were_written(district, admin, second_street):
    """A figure over rows a move does not rewrite (a hashed ledger; here the audit trail) still counts them
    for the moved unit as it was."""
    from jiceng.core.modules import Figure

    def sealed_rows(unit, period):
        return AuditEntry.objects.filter(org_path__startswith=unit.path, action="test.sealed").count()

    figure = Figure("test.sealed", "sealed", "rows", value=sealed_rows, records=None)
    from jiceng.audit.services import audit_log

    audit_log(actor=admin, action="test.sealed", object_type="x", object_id=1, org_path=district.grid_a1.path)
    audit_log(actor=admin, action="test.sealed", object_type="x", object_id=2, org_path=district.grid_b1.path)
    period = Period.year(2025)
    org_unit_move(actor=admin, unit=district.comm_a, parent=second_street, effective_on=dt.date(2026, 3, 1))
    comm_a = OrgUnit.objects.get(pk=district.comm_a.pk)
    assert sealed_rows(comm_a, period) == 0  # the row stayed at the old prefix
    assert figure_value_as_was(figure, comm_a, period) == 1
    assert figure_value_as_was(figure, district.street, period) == 2
    assert figure_value_as_was(figure, second_street, period) == 0
