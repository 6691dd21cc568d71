"""Duty desks in the demo district: a desk per community and village, a roster of weekday shifts from two weeks
back to two weeks ahead, check-ins (most on time, some late, some missed and marked by the task queue), visitors
received (consultations, matters filed as reports, disputes mediated), and for the village cadre login
(demo-cadre) a shift open now, so that scanning the desk's code checks in."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jiceng.cadre.roles import TOWNSHIP_LEADER, VILLAGE_CADRE
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import OrgUnitKind
from jiceng.people.models import Cadre, CadreKind

from . import services
from .models import DutyShift, ShiftStatus, Visitor, VisitorKind

CONSULTS = [("咨询城乡居民医保缴费", "已告知缴费渠道和截止时间"), ("咨询高龄津贴申领", "已告知所需材料"),
            ("开具居住证明", "当场开具"), ("咨询孩子入学政策", "已解答并留下联系方式"),
            ("了解公益性岗位招聘", "已登记意向，待通知"), ("咨询残疾人两项补贴", "已指导网上申请")]
MATTERS = ["小区路灯损坏，晚上出行不便", "排水沟堵塞，雨天积水", "楼道堆放杂物，存在消防隐患", "村道坑洼需要修补"]
DISPUTES = [("neighbour", "张某与李某", "相邻宅基地滴水纠纷"), ("family", "王某夫妇", "赡养老人费用分担纠纷"),
            ("land", "两户村民", "承包地边界争议")]


def _cadres(unit) -> list[Cadre]:
    return list(Cadre.objects.unscoped("the demo rosters each unit's cadres").filter(org_unit=unit)
                .exclude(kind=CadreKind.GRID_WORKER).order_by("id"))


def build_duty_demo(b, *, seed: int = 2026) -> dict:
    from jiceng.reports.selectors import categories_of

    rng = random.Random(seed + 19)
    manager = b.login_users.get(TOWNSHIP_LEADER) or b.login_users.get("street_admin")
    desk_staff = b.login_users.get("street_admin") or manager
    cadre_user = b.login_users.get(VILLAGE_CADRE)
    if manager is None:
        return {"desks": 0}
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate(now)
    categories = [c for c in categories_of(b.street) if c.is_active and c.parent_id]
    categories = categories or [c for c in categories_of(b.street) if c.is_active]
    own = Cadre.objects.unscoped("the demo login's cadre").filter(user=cadre_user).first() if cadre_user else None
    stats = {"desks": 0, "shifts": 0, "visitors": 0, "matters": 0, "disputes": 0}
    for n, unit in enumerate(u for u in b.communities if u.kind in (OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE)):
        village = unit.kind == OrgUnitKind.VILLAGE
        desk = services.desk_create(actor=manager, org_unit=unit, name="村便民服务站" if village else "党群服务中心值班台",
                                    phone=f"0871-67{rng.randrange(100000, 999999)}", address=f"{unit.name}党群服务中心",
                                    now=now - dt.timedelta(days=30))
        stats["desks"] += 1
        cadres = _cadres(unit)
        if not cadres:
            continue
        mine_here = own is not None and own.org_unit_id == unit.pk
        for offset in range(-14, 14):
            day = today + dt.timedelta(days=offset)
            if day.isoweekday() > 5:
                continue
            pool = [c for c in cadres if not (mine_here and offset == 0 and c.pk == own.pk)] or cadres
            cadre = pool[(offset + n) % len(pool)]
            start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=tz)
            shift = services.shift_create(actor=manager, desk=desk, cadre=cadre, starts_at=start,
                                          ends_at=start + dt.timedelta(hours=9), now=now - dt.timedelta(days=20))
            stats["shifts"] += 1
            if start < now:
                _history(shift, desk, rng, now)
                stats.update(_visitors(desk, day, shift, desk_staff, categories, rng, now, stats))
        if mine_here:
            # The demo login's shift, open now: scanning the desk's QR code checks in.
            start = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
            services.shift_create(actor=manager, desk=desk, cadre=own, starts_at=start,
                                  ends_at=start + dt.timedelta(hours=4), now=now - dt.timedelta(days=1))
            stats["shifts"] += 1
    stats["checked"] = services.duty_check(now=now)
    stats["missed"] = DutyShift.objects.unscoped("demo summary").filter(status=ShiftStatus.MISSED).count()
    return stats


def _history(shift: DutyShift, desk, rng, now) -> None:
    """A past shift: kept (mostly on time, checked out at the end) or left for the task queue to mark missed.
    The demo login checks in through the service; cadres without a login are recorded as the desk's clock had."""
    roll = rng.random()
    if roll < 0.1:
        return  # missed: duty_check marks it
    late = roll < 0.2
    at = shift.starts_at + dt.timedelta(minutes=rng.randint(15, 50) if late else -rng.randint(0, 20))
    out = min(shift.ends_at + dt.timedelta(minutes=rng.randint(0, 20)), now)
    cadre = Cadre.objects.unscoped(AUTHORISED).get(pk=shift.cadre_id)
    if cadre.user_id and at < now:
        user = cadre.user
        services.check_in(actor=user, desk=desk, code=services.day_code(desk, timezone.localdate(at)), now=at)
        if shift.ends_at <= now:
            services.check_out(actor=user, desk=desk, code=services.day_code(desk, timezone.localdate(out)), now=out)
        return
    if at >= now:
        return
    DutyShift.objects.unscoped(AUTHORISED).filter(pk=shift.pk).update(
        status=ShiftStatus.ON_DUTY, checked_in_at=at, late=late, checked_out_at=out if shift.ends_at <= now else None)


def _visitors(desk, day, shift, staff, categories, rng, now, stats) -> dict:
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        at = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59)),
                                 tzinfo=timezone.get_current_timezone())
        if at >= now:
            continue
        roll = rng.random()
        name = rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(["大爷", "阿姨", "女士", "先生"])
        phone = f"13{rng.randrange(100000000, 999999999)}"
        if roll < 0.2 and categories:
            services.visitor_record(actor=staff, desk=desk, name=name, phone=phone, purpose=rng.choice(MATTERS),
                                    kind=VisitorKind.MATTER, outcome="已登记转诉求办理",
                                    category_id=rng.choice(categories).pk, now=at)
            stats["matters"] += 1
        elif roll < 0.27:
            kind, parties, what = rng.choice(DISPUTES)
            agreed = rng.random() < 0.6
            services.visitor_record(actor=staff, desk=desk, name=name, phone=phone, purpose=what,
                                    kind=VisitorKind.DISPUTE, dispute_kind=kind, parties=parties,
                                    dispute_outcome="agreed" if agreed else "mediating",
                                    agreement="双方达成口头协议，当场握手言和" if agreed else "", now=at)
            stats["disputes"] += 1
        else:
            purpose, outcome = rng.choice(CONSULTS)
            services.visitor_record(actor=staff, desk=desk, name=name, phone=phone, purpose=purpose,
                                    kind=VisitorKind.CONSULT, outcome=outcome, now=at)
        stats["visitors"] += 1
    return stats


def demo_step(run) -> dict:
    return build_duty_demo(run.built["people"], seed=run.seed)


def demo_summary(m: dict) -> str:
    if not m.get("desks"):
        return "未生成值班数据（缺少演示账号）。"
    visitors = Visitor.objects.unscoped("demo summary").count()
    return (f"{m['desks']} 个值班台、{m['shifts']} 个班次（缺勤 {m.get('missed', 0)} 个），接待来访 {visitors} 人次，"
            f"其中办事转诉求 {m['matters']} 件、调解纠纷 {m['disputes']} 件；演示干部账号 demo-cadre 此刻有一个可扫码签到的班次。")
