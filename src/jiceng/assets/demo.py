"""The collective economy in the demo district: every village's and community's register (idle and low-yield
assets among them, one idle building being revitalised), confirmation projects in every state of the chain, two
transactions (one awarded, contracted and first paid, one in notice with a bid), a workshop with its "5221"
distribution and a company covering several villages, three funded projects with their reimbursement rates
(94.09% and 100%, one under way), a year of collective income with responsibility letters, and community funds
with allocations, a partner's contribution and spending."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.cadre.roles import TOWNSHIP_LEADER, VILLAGE_CADRE
from jiceng.orgs.models import OrgUnit, OrgUnitKind
from jiceng.people.models import Household

from . import services
from .models import (
    Asset, AssetStatus, ConfirmationDecision, ConfirmationStage, FundKind, FundingSource, IncomeKind, ProjectStatus,
)
from .roles import ASSETS_APPROVER
from .services.common import ECONOMY_UNIT_KINDS

D = Decimal

# (code, name, category, kind, location, area, unit, original, current, yearly output, status)
VILLAGE_ASSETS = [
    ("TD-01", "集体耕地（东坝）", "resource", "land", "东坝片区", "126.50", "mu", "0", "0", "37950", "in_use"),
    ("TD-02", "集体林地", "resource", "land", "后山", "380", "mu", "0", "0", "0", "idle"),
    ("FW-01", "村委会办公楼", "asset", "building", "村委会", "860", "m2", "1260000", "980000", "0", "in_use"),
    ("FW-02", "原村小学校舍", "asset", "building", "村委会东侧", "820", "m2", "360000", "280000", "0", "idle"),
    ("SS-01", "农产品冷库", "asset", "facility", "产业园", "600", "m2", "850000", "760000", "4000", "in_use"),
    ("SS-02", "村级光伏电站", "asset", "facility", "村委会屋顶", "1200", "m2", "640000", "560000", "52000", "in_use"),
    ("SB-01", "农机具（旋耕机 2 台）", "asset", "equipment", "农机库", None, "", "96000", "48000", "6000", "in_use"),
    ("GQ-01", "强村富民公司股份", "asset", "equity", "", None, "", "500000", "500000", "45000", "in_use"),
    ("ZJ-01", "集体银行存款", "fund", "fund", "农村信用社", None, "", "420000", "420000", "6300", "in_use"),
]
COMMUNITY_ASSETS = [
    ("FW-01", "社区党群服务中心", "asset", "building", "社区", "1500", "m2", "2800000", "2450000", "0", "in_use"),
    ("FW-02", "临街商铺", "asset", "building", "社区主街", "320", "m2", "960000", "900000", "96000", "in_use"),
    ("FW-03", "闲置车库", "asset", "building", "3 号楼下", "180", "m2", "120000", "100000", "0", "idle"),
    ("ZJ-01", "社区集体存款", "fund", "fund", "农村商业银行", None, "", "260000", "260000", "3900", "in_use"),
]


def _users(b):
    return {"leader": b.login_users.get(TOWNSHIP_LEADER), "cadre": b.login_users.get(VILLAGE_CADRE),
            "staff": b.login_users.get(Role.COMMUNITY_STAFF), "approver": b.login_users.get(ASSETS_APPROVER),
            "admin": b.login_users.get(Role.STREET_ADMIN)}


def build_assets_demo(b, *, seed: int = 2026) -> dict:
    rng = random.Random(seed + 21)
    u = _users(b)
    if any(v is None for v in u.values()):
        return {"assets": 0}
    admin, leader, cadre, staff, approver = u["admin"], u["leader"], u["cadre"], u["staff"], u["approver"]
    today = timezone.localdate()
    now = timezone.now()
    year = today.year
    units = list(OrgUnit.objects.filter(kind__in=ECONOMY_UNIT_KINDS).order_by("path"))
    village = next(x.org_unit for x in cadre.role_assignments.all())
    community = next(x.org_unit for x in staff.role_assignments.all())
    stats = {"assets": 0, "idle": 0}

    # The register: every unit's, values varied a little; one idle building being revitalised.
    assets_by_unit: dict[int, dict[str, Asset]] = {}
    rows = []
    for unit in units:
        template = VILLAGE_ASSETS if unit.kind == OrgUnitKind.VILLAGE else COMMUNITY_ASSETS
        for code, name, cat, kind, loc, area, au, orig, cur, out, status in template:
            k = D(rng.randint(85, 120)) / 100
            rows.append(Asset(org_unit=unit, org_path=unit.path, code=code, name=name, category=cat, kind=kind,
                              location=loc, area=D(area) if area else None, area_unit=au,
                              original_value=(D(orig) * k).quantize(D("1")), current_value=(D(cur) * k).quantize(D("1")),
                              yearly_output=(D(out) * k).quantize(D("1")), status=status, created_by=admin,
                              acquired_on=dt.date(2005 + rng.randint(0, 15), rng.randint(1, 12), 1)))
    Asset.objects.bulk_create(rows, batch_size=1000)
    for a in Asset.objects.filter(org_path__startswith=units[0].path.split(".")[0] + "."):
        assets_by_unit.setdefault(a.org_unit_id, {})[a.code] = a
    stats["assets"] = len(rows)
    stats["idle"] = sum(1 for r in rows if r.status == AssetStatus.IDLE)
    comm_garage = assets_by_unit[community.pk]["FW-03"]
    services.revitalisation_start(actor=staff, asset=comm_garage, plan="改建为社区便民洗车点，公开出租",
                                  expected_output="18000", started_on=today - dt.timedelta(days=40))
    done = assets_by_unit[units[-1].pk].get("TD-02") or assets_by_unit[units[-1].pk].get("FW-03")
    r = services.revitalisation_start(actor=admin, asset=done, plan="流转给合作社种植中药材", expected_output="30000",
                                      started_on=today - dt.timedelta(days=200))
    services.revitalisation_finish(actor=admin, revitalisation=r, done=True, actual_output="32586",
                                   done_on=today - dt.timedelta(days=30))

    # The confirmation chain in every state, in the demo village.
    v_assets = assets_by_unit[village.pk]
    chain = [("集体耕地（东坝）确权", v_assets["TD-01"], "approve"), ("村委会办公楼确权", v_assets["FW-01"], "approve"),
             ("农产品冷库确权", v_assets["SS-01"], "review"), ("村级光伏电站确权", v_assets["SS-02"], "apply"),
             ("原村小学校舍确权", v_assets["FW-02"], "return"), ("集体林地确权", v_assets["TD-02"], "draft")]
    moment = now - dt.timedelta(days=60)
    for title, a, reach in chain:
        p = services.confirmation_create(actor=cadre, org_unit=village, title=title, value=a.current_value or "380000",
                                         asset=a)
        if reach == "draft":
            continue
        services.confirmation_step(actor=cadre, project=p, stage=ConfirmationStage.APPLY,
                                   decision=ConfirmationDecision.SUBMIT, comment="已完成测绘和公示，无异议", now=moment)
        if reach == "apply":
            continue
        if reach == "return":
            services.confirmation_step(actor=leader, project=p, stage=ConfirmationStage.REVIEW,
                                       decision=ConfirmationDecision.RETURN, comment="缺少村民代表会议决议，请补充后重新申报",
                                       now=moment + dt.timedelta(days=3))
            continue
        services.confirmation_step(actor=leader, project=p, stage=ConfirmationStage.REVIEW,
                                   decision=ConfirmationDecision.PASS, comment="材料齐全，四至清楚", now=moment + dt.timedelta(days=3))
        if reach == "review":
            continue
        services.confirmation_step(actor=approver, project=p, stage=ConfirmationStage.APPROVE,
                                   decision=ConfirmationDecision.PASS, comment="同意确权", now=moment + dt.timedelta(days=9))
    stats["confirmations"] = len(chain)

    # Two transactions in the demo village: the idle shop space let, awarded, contracted and first paid; the
    # idle forest land in notice with one bid.
    shop = v_assets["FW-02"]
    opened = today - dt.timedelta(days=45)
    closes = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=25), dt.time(17, 0)))
    lst = services.listing_create(actor=cadre, asset=shop, title="原村小学校舍出租", reserve_price="30000",
                                  term_years=5, notice_starts_on=opened, closes_at=closes,
                                  terms="用于农产品加工或研学基地；不得改变房屋结构；租金按年支付。",
                                  now=timezone.make_aware(dt.datetime.combine(opened, dt.time(9))))
    for bidder, amount, days in (("昆明绿源农业有限公司", "36000", 40), ("李志强", "32000", 38),
                                 ("滇中研学教育中心", "41000", 30)):
        services.bid_record(actor=cadre, listing=lst, bidder=bidder, amount=amount, phone="1387105" + str(rng.randint(1000, 9999)),
                            at=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time(10))))
    services.listing_award(actor=leader, listing=lst, now=closes + dt.timedelta(hours=1))
    homes = list(Household.objects.filter(org_path__startswith=village.path).order_by("id")[:4])
    shares = ["40", "20", "20", "20"][:len(homes)]
    if homes and len(homes) < 4:
        shares[-1] = str(100 - sum(int(s) for s in shares[:-1]))
    starts = today - dt.timedelta(days=20)
    contract = services.contract_sign(
        actor=cadre, listing=lst, number=f"ZL-{year}-001", signed_on=today - dt.timedelta(days=22), starts_on=starts,
        schedule=[(starts.replace(year=starts.year + i) if not (starts.month == 2 and starts.day == 29)
                   else starts.replace(year=starts.year + i, day=28), "41000") for i in range(5)],
        beneficiaries=list(zip(homes, shares)))
    services.payment_record(actor=cadre, contract=contract, amount="41000", received_on=starts, receipt_no="SJ-0001")
    forest = v_assets["TD-02"]
    notice = services.listing_create(actor=cadre, asset=forest, title="集体林地经营权流转", reserve_price="11400",
                                     term_years=15, notice_starts_on=today - dt.timedelta(days=3),
                                     closes_at=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=12),
                                                                                       dt.time(17))),
                                     terms="发展林下经济，不得改变林地用途。")
    services.bid_record(actor=cadre, listing=notice, bidder="宜良县林下种植合作社", amount="12000",
                        at=now - dt.timedelta(days=1))
    stats["transactions"] = 2
    stats["beneficiaries"] = len(homes)

    # A workshop with its "5221" distribution, and a company covering several villages.
    site = OrgUnit.objects.get(path=village.path.split(".")[0] + ".")
    rule = services.rule_create(actor=leader, site=site, name="5221", description="帮扶车间收益分配办法",
                                shares=[("村集体经济", "50"), ("脱贫户和监测户", "20"), ("车间发展基金", "20"),
                                        ("车间管理团队", "10")])
    workshop = services.enterprise_create(actor=cadre, org_unit=village, kind="workshop", name=f"{village.name}帮扶车间",
                                          founded_on=dt.date(year - 3, 4, 1))
    services.shareholdings_set(actor=cadre, enterprise=workshop, holdings=[(f"{village.name}股份经济合作社", "100")])
    wy = services.enterprise_year_record(actor=cadre, enterprise=workshop, year=year - 1, revenue="1865400.00",
                                         profit="213577.35", jobs=46, wages="695000.00")
    services.distribution_publish(actor=leader, enterprise_year=wy, rule=rule, amount="213577.35",
                                  now=now - dt.timedelta(days=80))
    villages = [x for x in units if x.kind == OrgUnitKind.VILLAGE][:7]
    company = services.enterprise_create(actor=admin, org_unit=site, kind="company", name=f"{site.name}强村富民发展有限公司",
                                         credit_code="91530124MA6KXXXX0A", founded_on=dt.date(year - 2, 6, 18),
                                         villages=villages or [village])
    services.shareholdings_set(actor=admin, enterprise=company, holdings=[
        (f"{v.name}股份经济合作社", str((D(100) / len(villages or [village])).quantize(D("0.01"))))
        for v in (villages or [village])][:-1] + [(f"{(villages or [village])[-1].name}股份经济合作社", str(
            D(100) - (D(100) / len(villages or [village])).quantize(D("0.01")) * (len(villages or [village]) - 1)))])
    services.enterprise_year_record(actor=admin, enterprise=company, year=year - 1, revenue="2380000", profit="380000",
                                    jobs=107, wages="695000")

    # Funded projects: 94.09% and 100% reimbursed, one under way this year.
    p1 = services.project_create(actor=leader, org_unit=village, name="高标准农田配套设施", source=FundingSource.LINKAGE,
                                 year=year - 1, allocated="2100000", contractor="宜良县水利建设有限公司",
                                 contract_amount="2085000")
    for amount, days, voucher in (("1200000", 300, "BZ-001"), ("775890", 150, "BZ-002")):
        services.reimbursement_record(actor=cadre, project=p1, amount=amount, on=today - dt.timedelta(days=days),
                                      voucher=voucher, note="工程进度款")
    services.project_progress(actor=cadre, project=p1, progress=100, status=ProjectStatus.DONE)
    p2 = services.project_create(actor=leader, org_unit=village, name="东西部协作帮扶车间建设", source=FundingSource.EAST_WEST,
                                 year=year - 1, allocated="3000000", contractor="云南建工集团")
    services.reimbursement_record(actor=cadre, project=p2, amount="3000000", on=today - dt.timedelta(days=200),
                                  voucher="BZ-003", note="竣工结算")
    services.project_progress(actor=cadre, project=p2, progress=100, status=ProjectStatus.DONE)
    p3 = services.project_create(actor=leader, org_unit=village, name="村级光伏电站扩容", source=FundingSource.LINKAGE,
                                 year=year, allocated="1200000")
    services.reimbursement_record(actor=cadre, project=p3, amount="360000", on=today - dt.timedelta(days=10),
                                  voucher="BZ-004", note="预付款")
    services.project_progress(actor=cadre, project=p3, progress=35, status=ProjectStatus.BUILDING)
    stats["projects"] = 3

    # A year of collective income everywhere (one village short of the operating threshold), and letters.
    from .models import IncomeRecord

    records = []
    start = dt.date(year, 1, 1)
    span = max(1, (today - start).days)
    for i, unit in enumerate(units):
        weak = i == len(units) - 1
        for kind, lo, hi, text in ((IncomeKind.OPERATING, 45000, 90000, "资产出租收入"),
                                   (IncomeKind.INVESTMENT, 20000, 60000, "入股分红"),
                                   (IncomeKind.SUBSIDY, 30000, 50000, "村级组织运转补助"),
                                   (IncomeKind.OTHER, 2000, 8000, "存款利息")):
            amount = D(rng.randint(lo, hi)) + D(rng.randint(0, 99)) / 100
            if weak and kind == IncomeKind.OPERATING:
                amount = D("31250.00")
            records.append(IncomeRecord(org_unit=unit, org_path=unit.path, year=year, kind=kind, amount=amount,
                                        on=start + dt.timedelta(days=rng.randint(0, span - 1) if span > 1 else 0),
                                        description=text, recorded_by=admin))
    IncomeRecord.objects.bulk_create(records)
    for unit in units:
        services.letter_sign(actor=leader, org_unit=unit, year=year, target_total="150000", target_operating="60000",
                             signed_on=dt.date(year, 2, 20), signed_by=f"{unit.name}党组织书记",
                             measures="盘活闲置资产，发展帮扶车间，入股强村富民公司")
    stats["income_units"] = len(units)

    # Community funds: running 6万, service 10万, a partner's 2万 or more; spending with receipts.
    funds = 0
    for unit in [x for x in units if x.kind == OrgUnitKind.COMMUNITY][:6]:
        for kind, amount, who in ((FundKind.RUNNING, "60000", ""), (FundKind.SERVICE, "100000", ""),
                                  (FundKind.PARTNER, "25000", "县供电局党支部")):
            fund = services.fund_open(actor=leader, org_unit=unit, kind=kind, year=year)
            if kind == FundKind.PARTNER:
                services.fund_receive(actor=staff if unit.pk == community.pk else admin, fund=fund, amount=amount,
                                      purpose="共建单位年度支持经费", counterparty=who, idempotency_key=f"demo-in-{fund.pk}")
            else:
                services.fund_receive(actor=leader, fund=fund, amount=amount, purpose=f"{year} 年{FundKind(kind).label}拨付",
                                      counterparty="街道财政所", idempotency_key=f"demo-in-{fund.pk}")
            spender = staff if unit.pk == community.pk else admin
            for j, (what, cost) in enumerate((("办公用品采购", "2380.50"), ("“七一”主题活动物资", "4120.00"),
                                              ("老年食堂燃气费", "1865.30"))):
                services.fund_spend(actor=spender, fund=fund, amount=cost, purpose=what, receipt_no=f"FP{fund.pk:04d}{j}",
                                    counterparty="宜良县供销社" if j == 0 else "")
            funds += 1
    stats["funds"] = funds
    return stats


def demo_step(run) -> dict:
    return build_assets_demo(run.built["people"], seed=run.seed)


def demo_summary(m: dict) -> str:
    if not m.get("assets"):
        return "未生成集体经济数据（缺少演示账号）。"
    return (f"三资台账 {m['assets']} 项（闲置 {m['idle']} 项，1 项盘活中、1 项已盘活）；确权项目 {m['confirmations']} 个"
            f"（各环节都有）；产权交易 2 宗（1 宗已成交签约并首付租金，受益农户 {m['beneficiaries']} 户；1 宗公告中）；"
            f"帮扶车间按“5221”分配并公示，强村富民公司覆盖多个村；项目资金 3 个（报账率 94.09%、100%、实施中）；"
            f"{m['income_units']} 个村（社区）本年集体收入和责任书；社区经费账户 {m['funds']} 个。")
