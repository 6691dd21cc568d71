"""Enterprises: shareholdings, years and a distribution that equals its hand computation."""
from __future__ import annotations

from decimal import Decimal

import pytest

from jiceng.assets import services
from jiceng.assets.models import Distribution, DistributionLine, DistributionRule, Shareholding
from jiceng.core.errors import JicengError


@pytest.fixture
def workshop(site):
    return services.enterprise_create(actor=site.keeper, org_unit=site.district.comm_a, kind="workshop", name="帮扶车间")


@pytest.fixture
def rule(site):
    return services.rule_create(actor=site.leader, site=site.district.street, name="5221",
                                shares=[("村集体经济", "50"), ("脱贫户和监测户", "20"), ("车间发展基金", "20"), ("管理团队", "10")])


def test_shares_that_do_not_sum_to_100_are_refused_and_nothing_is_written(site, workshop):
    with pytest.raises(JicengError) as e:
        services.shareholdings_set(actor=site.keeper, enterprise=workshop, holdings=[("合作社", "60"), ("公司", "39.5")])
    assert "99.50" in e.value.errors["holdings"][0]
    with pytest.raises(JicengError) as e:
        services.rule_create(actor=site.leader, site=site.district.street, name="坏办法", shares=[("甲", "50"), ("乙", "60")])
    assert "110" in e.value.errors["shares"][0]
    assert Shareholding.objects.count() == 0 and DistributionRule.objects.count() == 0


def test_a_distribution_equals_the_hand_computation_and_is_closed_after(site, workshop, rule):
    year = services.enterprise_year_record(actor=site.keeper, enterprise=workshop, year=2025, revenue="1865400",
                                           profit="213577.35", jobs=46, wages="695000")
    with pytest.raises(JicengError) as e:
        services.distribution_publish(actor=site.leader, enterprise_year=year, rule=rule, amount="213577.36")
    assert e.value.field == "amount"
    d = services.distribution_publish(actor=site.leader, enterprise_year=year, rule=rule, amount="213577.35")
    lines = list(DistributionLine.objects.filter(distribution=d).order_by("position").values_list("recipient", "amount"))
    assert lines == [("村集体经济", Decimal("106788.68")), ("脱贫户和监测户", Decimal("42715.47")),
                     ("车间发展基金", Decimal("42715.47")), ("管理团队", Decimal("21357.73"))]
    assert sum(a for _r, a in lines) == d.amount
    with pytest.raises(JicengError):
        services.distribution_publish(actor=site.leader, enterprise_year=year, rule=rule, amount="1")
    with pytest.raises(JicengError) as e:
        services.enterprise_year_record(actor=site.keeper, enterprise=workshop, year=2025, revenue="1", profit="1")
    assert e.value.field == "year"
    assert Distribution.objects.count() == 1


def test_a_rule_changed_later_leaves_a_published_distribution_as_it_was(site, workshop, rule):
    year = services.enterprise_year_record(actor=site.keeper, enterprise=workshop, year=2025, revenue="100", profit="100")
    d = services.distribution_publish(actor=site.leader, enterprise_year=year, rule=rule, amount="100")
    rule.shares.filter(position=1).update(recipient="改名")
    assert DistributionLine.objects.get(distribution=d, position=1).recipient == "村集体经济"


def test_a_keeper_cannot_distribute(site, workshop, rule):
    from jiceng.core.errors import PermissionDeniedError

    year = services.enterprise_year_record(actor=site.keeper, enterprise=workshop, year=2025, revenue="100", profit="100")
    with pytest.raises(PermissionDeniedError):
        services.distribution_publish(actor=site.keeper, enterprise_year=year, rule=rule, amount="100")
