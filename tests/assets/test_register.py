"""The asset register and revitalisation of idle assets."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiceng.assets import selectors, services
from jiceng.assets.models import Asset, AssetStatus, Revitalisation
from jiceng.core.errors import JicengError, PermissionDeniedError


def test_an_asset_is_registered_with_its_values_as_decimals(site, building):
    a = Asset.objects.get(pk=building.pk)
    assert a.current_value == Decimal("280000.50") and a.original_value == Decimal("360000.00")
    assert a.org_path == site.district.comm_a.path and a.status == AssetStatus.IDLE


def test_bad_values_are_refused_naming_each_field_and_nothing_is_written(site):
    with pytest.raises(JicengError) as e:
        services.asset_create(actor=site.keeper, org_unit=site.district.comm_a, code="X-1", name="仓库", category="fund",
                              kind="building", original_value="三十万", current_value="12.345", yearly_output="-1")
    assert set(e.value.errors) == {"kind", "original_value", "current_value", "yearly_output"}
    assert "三十万" in e.value.errors["original_value"][0]
    assert Asset.objects.count() == 0


def test_a_code_is_registered_once_per_unit(site, building):
    with pytest.raises(JicengError) as e:
        services.asset_create(actor=site.keeper, org_unit=site.district.comm_a, code="FW-02", name="另一处", category="asset",
                              kind="building", original_value="1", current_value="1")
    assert e.value.field == "code"


def test_a_keeper_registers_only_in_their_own_unit_and_a_grid_is_not_a_register(site):
    with pytest.raises(PermissionDeniedError):
        services.asset_create(actor=site.keeper, org_unit=site.district.comm_b, code="A", name="a", category="asset",
                              kind="building", original_value="1", current_value="1")
    with pytest.raises(JicengError) as e:
        services.asset_create(actor=site.keeper, org_unit=site.district.grid_a1, code="A", name="a", category="asset",
                              kind="building", original_value="1", current_value="1")
    assert e.value.field == "org_unit"


def test_idle_and_low_yield_assets_are_flagged(site, building):
    shop = services.asset_create(actor=site.keeper, org_unit=site.district.comm_a, code="FW-03", name="商铺",
                                 category="asset", kind="building", original_value="100000", current_value="100000",
                                 yearly_output="500")   # 0.5% < 1%
    good = services.asset_create(actor=site.keeper, org_unit=site.district.comm_a, code="FW-04", name="冷库",
                                 category="asset", kind="facility", original_value="100000", current_value="100000",
                                 yearly_output="8000")
    flagged = {a.pk for a in selectors.asset_list(site.keeper, flagged=True)}
    assert flagged == {building.pk, shop.pk}
    assert good.pk not in flagged


def test_a_revitalisation_done_puts_the_asset_in_use_with_its_output(site, building):
    r = services.revitalisation_start(actor=site.keeper, asset=building, plan="公开出租", expected_output="30000",
                                      started_on=dt.date(2026, 1, 5))
    with pytest.raises(JicengError):
        services.revitalisation_start(actor=site.keeper, asset=building, plan="再来一次", expected_output="1",
                                      started_on=dt.date(2026, 1, 6))
    with pytest.raises(JicengError) as e:
        services.revitalisation_finish(actor=site.keeper, revitalisation=r, done=True, actual_output="32586",
                                       done_on=dt.date(2025, 12, 1))
    assert e.value.field == "done_on"
    services.revitalisation_finish(actor=site.keeper, revitalisation=r, done=True, actual_output="32586",
                                   done_on=dt.date(2026, 6, 1))
    a = Asset.objects.get(pk=building.pk)
    assert (a.status, a.yearly_output) == (AssetStatus.IN_USE, Decimal("32586.00"))
    assert Revitalisation.objects.get(pk=r.pk).status == "done"


def test_the_transaction_states_are_not_set_by_hand(site, building):
    with pytest.raises(JicengError) as e:
        services.asset_update(actor=site.keeper, asset=building, status="leased")
    assert e.value.field == "status"
