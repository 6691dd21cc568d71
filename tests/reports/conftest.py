from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class ReportSite:
    fire: object       # 安全隐患/消防通道, grid level, 24 h
    litter: object     # 环境卫生, grid level
    property_: object  # 物业服务, community level, with an attribute
    key: str


@pytest.fixture
def report_site(district, admin):
    from jiceng.reports.models import CategoryAttribute, HandlerLevel, ReportCategory
    from jiceng.reports.services import open311_client_create

    fire = ReportCategory.objects.create(site=district.street, code="AQ01", name="消防通道堵塞", sla_hours=24,
                                         keywords="消防通道,堵塞,占用,电动车,飞线充电")
    litter = ReportCategory.objects.create(site=district.street, code="HJ01", name="环境卫生", sla_hours=48,
                                           keywords="垃圾,卫生,脏乱,堆放")
    prop = ReportCategory.objects.create(site=district.street, code="WY01", name="物业服务",
                                         handler_level=HandlerLevel.COMMUNITY, sla_hours=72, keywords="物业,电梯,漏水")
    CategoryAttribute.objects.create(category=prop, code="floor", datatype="string", required=True,
                                     description="所在楼层")
    _client, key = open311_client_create(actor=admin, site=district.street, name="12345 热线平台")
    return ReportSite(fire, litter, prop, key)
