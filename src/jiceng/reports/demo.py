"""Reports in the demo district: categories, routing, an Open311 key, and a few months of reports
in every state (built through the services, back-dated), so the queues and the board are alive."""
from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.people.models import Household, HouseholdStatus, PartnerUnit

from . import services
from .models import CategoryAttribute, HandlerLevel, Open311Client, Rating, ReportCategory, ReportSettings, RoutingRule

DEMO_OPEN311_KEY = "demo-open311-key-2026"
CATEGORIES = [
    ("HJ01", "环境卫生", HandlerLevel.GRID, 48, ("垃圾,卫生,脏乱,脏,臭,堆放,清运,异味,垃圾桶,垃圾站,污水,苍蝇,蚊虫,老鼠,蟑螂,消杀,粪便,狗屎,"
      "公厕,厕所,化粪池,下水道,排水沟,泔水,保洁,打扫,积水,烟头,油污,塑料袋,满地,乱扔,蚊子,发臭"), [
        "{b}门口垃圾堆了三天没人清运，气味很大", "小区垃圾桶满了溢出来，请尽快清运", "{b}楼道里堆满杂物和纸箱"]),
    ("AQ01", "消防通道堵塞", HandlerLevel.GRID, 24, ("消防通道,消防车道,消防车,消防栓,堵塞,堵死,占用,电动车,电瓶车,飞线充电,飞线,楼道充电,充电,"
      "安全出口,疏散通道,逃生,紧急通道,安全通道,防火门,楼梯间,着火"), [
        "{b}消防通道被私家车堵死了", "有人在{b}楼道里给电动车充电，很危险", "{b}单元门口飞线充电"]),
    ("TC01", "停车秩序", HandlerLevel.COMMUNITY, 72, ("停车,乱停,占道,车位,僵尸车,违停,停放,停满,地锁,拥堵,堵车,共享单车,大货车,私家车,"
      "没牌照,报废,车库门口,停,车辆,违章停车,大巴,货车,挡路"), [
        "小区门口乱停车，救护车进不来", "{b}旁边有一辆僵尸车停了半年"]),
    ("WY01", "物业服务", HandlerLevel.PARTNER, 72, ("物业,电梯,漏水,门禁,绿化,保安,物业费,报修,维修,渗水,防水,水管,水箱,供水,停水,门锁,对讲机,"
      "监控,道闸,声控灯,楼道灯,修剪,业主,门岗,水泵,水表,刷卡"), [
        "{b}电梯坏了三天没人修", "{b}顶楼漏水，物业一直不处理", "小区门禁坏了，谁都能进"]),
    ("SS01", "设施损坏", HandlerLevel.COMMUNITY, 72, ("路灯,井盖,破损,坑洼,健身器材,座椅,长椅,损坏,断裂,栏杆,护栏,路面,人行道,地砖,红绿灯,站牌,"
      "指示牌,路名牌,斑马线,减速带,篮球架,滑梯,凉亭,宣传栏,盖板,台阶,开裂,松动,生锈,大坑,坏,灯,"
      "公共设施,公交站,遮雨棚,活动室,饮水机,跑道,球台,塌"), [
        "{b}前面的路灯不亮了", "路边井盖松动，踩上去会响", "小区健身器材坏了，小孩容易受伤"]),
    ("AQ02", "安全隐患", HandlerLevel.DEPARTMENT, 48, ("隐患,电线,煤气,燃气,高空抛物,危房,裂缝,抛物,往下扔,掉下来,砸,漏电,火花,冒烟,跳闸,液化气,"
      "汽油,鞭炮,烟花爆竹,明火,山火,滑坡,滚石,挡土墙,承重墙,塔吊,围挡,警示牌,深坑,防盗网,空调外机,"
      "外墙,一氧化碳,配电箱,电表箱,变压器,裂,墙体,倒塌,白蚁,高空,花盆,固定,易燃"), [
        "{b}外墙有裂缝，怕掉下来砸人", "有人高空抛物，差点砸到人", "{b}电线老化裸露"]),
    ("LL01", "邻里纠纷", HandlerLevel.COMMUNITY, 120, ("纠纷,吵架,噪音,装修,宠物,狗,邻居,隔壁,对门,吵,扰民,半夜,吵闹,调解,矛盾,打麻将,广场舞,音响,"
      "跳绳,猫,鸽子,拴绳,遛狗,宅基地,赔偿,油烟,电钻,楼上,两家,两户,邻里,声音,打鸣,骂人,打架"), [
        "楼上装修噪音太大，晚上十点还在打电钻", "邻居的狗不拴绳，吓到老人小孩"]),
]


def demo_categories() -> list[ReportCategory]:
    """The demo categories as unsaved rows (for measuring the suggested category without a database)."""
    return [ReportCategory(code=code, name=name, handler_level=level, sla_hours=sla, keywords=kw, order=i)
            for i, (code, name, level, sla, kw, _texts) in enumerate(CATEGORIES)]


DESK_NAMES = ["王阿姨", "李大爷", "张女士", "刘先生", "陈师傅", "赵奶奶"]


def build_reports_demo(builder, *, count: int = 240) -> dict:
    rng = random.Random(builder.seed + 77)
    street = builder.street
    ReportSettings.objects.create(site=street, min_lat=25.10, max_lat=25.35, min_long=102.35, max_long=102.65)
    cats = {}
    for i, (code, name, level, sla, kw, _texts) in enumerate(CATEGORIES):
        cats[code] = ReportCategory.objects.create(site=street, code=code, name=name, handler_level=level,
                                                   sla_hours=sla, keywords=kw, order=i,
                                                   earns_points=code not in ("LL01",))
    CategoryAttribute.objects.create(category=cats["WY01"], code="floor", description="所在楼层", required=False)
    CategoryAttribute.objects.create(category=cats["AQ02"], code="urgency", datatype="singlevaluelist", required=True,
                                     description="紧急程度", values=[{"key": "high", "name": "紧急"},
                                                                   {"key": "normal", "name": "一般"}])
    department = builder.department
    RoutingRule.objects.create(site=street, category=cats["AQ02"], org_unit=street, org_path=street.path,
                               handler_level=HandlerLevel.DEPARTMENT, handler_unit=department)
    partner = PartnerUnit.objects.filter(name__contains="水务").first() or PartnerUnit.objects.first()
    if partner:
        RoutingRule.objects.create(site=street, category=cats["WY01"], org_unit=street, org_path=street.path,
                                   handler_level=HandlerLevel.PARTNER, handler_partner=partner)
    Open311Client.objects.create(site=street, name="12345 政务服务热线（演示）",
                                 key_hash=hashlib.sha256(DEMO_OPEN311_KEY.encode()).hexdigest())

    users = builder.login_users
    desk, street_admin = users[Role.COMMUNITY_STAFF], users[Role.STREET_ADMIN]
    resident = users[Role.RESIDENT]
    comm = builder.communities[0]
    households = list(Household.objects.filter(org_path__startswith=comm.path, status=HouseholdStatus.ACTIVE)
                      .select_related("org_unit")[:400])
    now = timezone.now()
    states = {"closed": 0, "resolved": 0, "in_progress": 0, "assigned": 0, "submitted": 0, "rejected": 0, "overdue": 0}
    for i in range(count):
        code, name, level, sla, kw, texts = rng.choice(CATEGORIES)
        hh = rng.choice(households)
        fresh = i >= count - 8          # the last few came in this morning: the desk's queue
        at = now - (dt.timedelta(hours=rng.uniform(0.5, 5)) if fresh else
                    dt.timedelta(days=rng.uniform(0, 120), hours=rng.uniform(0, 10)))
        is_resident = hh.pk == getattr(resident.resident, "household_id", None) or i % 17 == 0
        text = rng.choice(texts).format(b=hh.org_unit.name)
        r = services.report_submit(
            actor=resident if is_resident else desk, channel="resident" if is_resident else rng.choice(["desk", "grid"]),
            category_id=cats[code].pk, description=text, org_unit=hh.org_unit,
            reporter_name="" if is_resident else rng.choice(DESK_NAMES), reporter_household=None if is_resident else hh,
            reporter_phone="" if is_resident else f"139{rng.randrange(10**7, 10**8)}", now=at)
        if fresh:
            states["submitted"] += 1
            continue
        if rng.random() < 0.06:
            services.report_reject(actor=desk, report=r, reason="经核实不属实或已自行解决",
                                   now=min(now, at + dt.timedelta(hours=2)))
            states["rejected"] += 1
            continue
        # Every step is back-dated, never later than now: a report was not handled in the future.
        r = services.report_accept(actor=desk, report=r, now=min(now, at + dt.timedelta(hours=rng.uniform(0.5, 6))))
        handler = _handler_for(r, users, street_admin)
        t = r.accepted_at + dt.timedelta(hours=rng.uniform(1, sla * 1.3))
        if t > now or rng.random() < 0.08:
            if rng.random() < 0.5:
                services.report_start(actor=handler, report=r, now=min(now, r.accepted_at + dt.timedelta(hours=1)))
                states["in_progress"] += 1
            else:
                states["assigned"] += 1
            continue
        r = services.report_resolve(actor=handler, report=r, result=rng.choice(
            ["已现场处理完毕", "已协调相关单位处理，问题已解决", "已清理并加强巡查", "已维修，恢复正常"]), now=t)
        if r.reporter_id and (t + dt.timedelta(days=3) > now or rng.random() < 0.2):
            states["resolved"] += 1       # waiting for the reporter's rating
            continue
        if r.reporter_id:
            rating = rng.choices([Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED], [80, 15, 5])[0]
            services.report_rate(actor=r.reporter, report=r, rating=rating, now=t + dt.timedelta(days=1))
        else:
            from .models import ReportStatus

            # Desk reports are confirmed by phone: the desk records the reporter's answer as closing.
            r.status = ReportStatus.CLOSED
            r.rating = rng.choices([Rating.SATISFIED, Rating.BASIC], [85, 15])[0]
            r.closed_at = r.updated_at = min(now, t + dt.timedelta(days=1))
            r.save(update_fields=["status", "rating", "closed_at", "updated_at"])
        states["closed"] += 1
    states["overdue"] = services.deadlines_check(now=now)["escalated"]
    disputes, errands = _desk_records(rng, desk, comm, households, now)
    return {"reports": count, **states, "categories": len(cats), "disputes": disputes, "errands": errands}


def _desk_records(rng, desk, comm, households, now):
    from jiceng.people.models import PartyMember

    from .models import DisputeKind

    kinds = [(DisputeKind.NEIGHBOUR, "楼上漏水殃及楼下，双方就维修费用争执", "楼上住户承担维修费用，双方签订协议"),
             (DisputeKind.PROPERTY, "业主与物业就停车收费发生争执", "物业按业主大会决议调整收费"),
             (DisputeKind.FAMILY, "赡养老人费用分摊争执", "兄弟三人按月分摊赡养费"),
             (DisputeKind.LABOUR, "装修工人讨要工钱", "")]
    n_disputes = 0
    for i in range(14):
        kind, text, agreement = rng.choice(kinds)
        hh = rng.choice(households)
        outcome = "mediating" if i < 2 else ("referred" if not agreement else rng.choice(["agreed", "agreed", "failed"]))
        services.dispute_record(actor=desk, org_unit=hh.org_unit, kind=kind, parties=f"{hh.number} 住户与邻居",
                                description=text, mediator="社区人民调解委员会", outcome=outcome,
                                agreement=agreement or ("移交永定司法所" if outcome == "referred" else ""),
                                occurred_on=(now - dt.timedelta(days=rng.randint(1, 100))).date())
        n_disputes += 1
    members = list(PartyMember.objects.filter(resident__org_path__startswith=comm.path).select_related("resident")[:20])
    n_errands = 0
    for i in range(min(24, len(members) * 3)):
        hh = rng.choice(households)
        asked = (now - dt.timedelta(days=rng.randint(1, 90))).date()
        services.errand_record(actor=desk, household=hh, party_member=rng.choice(members),
                               what=rng.choice(["代缴城乡居民医保", "代办老年证", "代购药品", "代办残疾人补贴申请",
                                                "帮忙预约挂号", "代领养老金认证"]),
                               requested_on=asked, done_on=asked + dt.timedelta(days=rng.randint(0, 3)) if i > 2 else None)
        n_errands += 1
    return n_disputes, n_errands


def _handler_for(report, users, fallback):
    if report.handler_level == HandlerLevel.GRID and report.handler_unit_id == users[Role.GRID_WORKER].role_assignments.first().org_unit_id:
        return users[Role.GRID_WORKER]
    return fallback


def demo_step(run) -> dict:
    return build_reports_demo(run.built["people"])


def demo_summary(r: dict) -> str:
    return (f"{r['categories']} 个类别，{r['reports']} 条诉求（已关闭 {r['closed']}、待评价 {r['resolved']}、"
            f"办理中 {r['in_progress'] + r['assigned']}、待受理 {r['submitted']}、不予受理 {r['rejected']}、超期 {r['overdue']}），"
            f"{r['disputes']} 件矛盾纠纷调处，{r['errands']} 件红色代办。")


def demo_notes(*, base_url: str) -> list[str]:
    return [f"Open311 GeoReport v2：{base_url}/open311/v2/services.json（提交诉求用 api_key={DEMO_OPEN311_KEY}）"]
