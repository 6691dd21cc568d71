"""Cadre work in the demo district: a year of monthly task lists issued by the street, graded on time, late
and not done into performance points, the current month's list open with reports waiting, manual
adjustments (one approved by a second person, one waiting), appeals (one dismissed, one waiting), and logins
for a township leader and a village cadre."""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import OrgUnitKind
from jiceng.people.models import Cadre, CadreKind

from . import services
from .models import EvidenceKind, Grade, PerformanceEntry, Task, TaskList, TaskStatus
from .roles import TOWNSHIP_LEADER, VILLAGE_CADRE

TASKS = [
    ("开展“三会一课”并上传会议记录", EvidenceKind.TEXT, 1),
    ("完成辖区独居老人走访慰问", EvidenceKind.TEXT, 2),
    ("组织人居环境整治“清洁日”活动", EvidenceKind.TEXT, 1),
    ("排查整改消防安全隐患", EvidenceKind.TEXT, 2),
    ("更新党务村务公开栏", EvidenceKind.NONE, 1),
    ("召开矛盾纠纷排查调处会议", EvidenceKind.TEXT, 1),
    ("督促防返贫监测户帮扶措施落实", EvidenceKind.TEXT, 2),
    ("组织党员志愿服务活动", EvidenceKind.TEXT, 1),
]
CURRENT_TASKS = [
    ("报送本月村（社区）“四议两公开”台账", EvidenceKind.TEXT, 1),
    ("完成冬季森林防火巡查", EvidenceKind.TEXT, 2),
    ("组织冬季送温暖活动并拍照留存", EvidenceKind.NONE, 1),
]


def _secretaries(units) -> list[Cadre]:
    """The first cadre (the secretary) of each community and village."""
    found = []
    for unit in units:
        c = (Cadre.objects.unscoped("the demo picks each unit's secretary").filter(org_unit=unit, kind=CadreKind.CADRE)
             .order_by("id").first())
        if c is not None:
            found.append(c)
    return found


def build_cadre_demo(b, *, seed: int = 2026) -> dict:
    rng = random.Random(seed + 18)
    leader = b.login_users.get(TOWNSHIP_LEADER)
    street_admin = next((u for r, u in b.login_users.items() if r == "street_admin"), None)
    cadre_user = b.login_users.get(VILLAGE_CADRE)
    if leader is None or street_admin is None:
        return {"lists": 0}
    units = [u for u in b.communities if u.kind in (OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE)]
    owners = _secretaries(units)
    with transaction.atomic():
        # The township leader is a cadre of the street; the village cadre login is its village's secretary.
        Cadre.objects.create(name="赵建国", gender="M", phone="13800000000", kind=CadreKind.CADRE, post="街道党工委副书记",
                             org_unit=b.street, org_path=b.street.path, user=leader)
        if cadre_user is not None:
            unit = cadre_user.role_assignments.get().org_unit
            mine = next((c for c in owners if c.org_unit_id == unit.pk), None)
            if mine is not None:
                Cadre.objects.unscoped("the demo links its login").filter(pk=mine.pk).update(user=cadre_user)
                mine.user = cadre_user
    now = timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    stats = {"lists": 0, "tasks": 0, "graded": 0, "late": 0, "not_done": 0}
    months = [(today.replace(day=1) - dt.timedelta(days=30 * k)).replace(day=1) for k in range(11, -1, -1)]
    for month in months:
        current = month == today.replace(day=1)
        issued_at = dt.datetime.combine(month, dt.time(9, 0), tzinfo=tz)
        tl = services.task_list_create(actor=leader, org_unit=b.street, title=f"{month.year}年{month.month}月任务清单",
                                       month=month, now=issued_at)
        due_day = min(25, max(1, today.day + 5)) if current else 25
        due = dt.datetime.combine(month.replace(day=due_day), dt.time(18, 0), tzinfo=tz)
        if current and due <= now:
            due = now + dt.timedelta(days=3)
        specs = CURRENT_TASKS if current else rng.sample(TASKS, 3)
        tasks = []
        for owner in owners:
            title, evidence, weight = specs[(owner.pk + month.month) % len(specs)]
            tasks.append(services.task_add(actor=leader, task_list=tl, title=title, org_unit=owner.org_unit, owner=owner,
                                           due_at=due, evidence=evidence, weight=weight, now=issued_at,
                                           description="按街道党工委部署完成，佐证材料随报告上传。"))
        services.task_list_issue(actor=leader, task_list=tl, now=issued_at)
        for task in tasks:
            task.status = TaskStatus.ISSUED
        stats["lists"] += 1
        stats["tasks"] += len(tasks)
        for task in tasks:
            owner_user = task.owner.user
            roll = rng.random()
            if current:
                if owner_user is not None or roll < 0.4:
                    if owner_user is not None and roll < 0.5:
                        continue  # the demo cadre's own task waits for them to report
                    _report(task, owner_user or leader, at=min(now, issued_at + dt.timedelta(days=rng.uniform(1, 4))))
                continue
            last_month = month == months[-2]
            if roll < 0.12:
                if last_month and roll < 0.06:
                    continue  # overdue, not graded yet: the task queue marks it
                services.task_grade(actor=leader, task=task, grade=Grade.NOT_DONE, note="未按要求完成",
                                    now=due + dt.timedelta(days=2))
                stats["not_done"] += 1
                continue
            late = roll < 0.30
            at = due + dt.timedelta(hours=rng.uniform(2, 60)) if late else due - dt.timedelta(days=rng.uniform(0.5, 12))
            _report(task, owner_user or leader, at=at)
            if last_month and roll > 0.9:
                continue  # reported, waiting for the check
            grade = Grade.EXCELLENT if roll > 0.8 else Grade.DONE
            services.task_grade(actor=leader, task=task, grade=grade, now=at + dt.timedelta(days=1))
            stats["graded"] += 1
            stats["late"] += int(late)
    # Manual adjustments: proposed by the street's administrator, one approved by the leader, one waiting.
    if owners:
        a = services.adjustment_propose(actor=street_admin, cadre=owners[1 % len(owners)], year=today.year, amount=5,
                                        reason="牵头调处一起邻里土地纠纷，群众送来锦旗", now=now - dt.timedelta(days=20))
        services.adjustment_decide(actor=leader, adjustment=a, approve=True, note="情况属实", now=now - dt.timedelta(days=19))
        services.adjustment_propose(actor=street_admin, cadre=owners[2 % len(owners)], year=today.year, amount=-3,
                                    reason="督查发现村务公开栏未按期更新", now=now - dt.timedelta(days=1))
    # Appeals by the village cadre: an older one dismissed, a recent deduction appealed and waiting.
    stats["appeals"] = 0
    if cadre_user is not None:
        stats["appeals"] = _appeals(cadre_user, leader, now)
    stats.update(_ranking_and_showcases(b, leader, owners, now))
    stats["checked"] = services.tasks_check_due(now=now)
    stats["open"] = Task.objects.unscoped("demo summary").exclude(status__in=[TaskStatus.GRADED, TaskStatus.DRAFT]).count()
    return stats


def _report(task, user, *, at):
    """A completion report as its owner would send it (the leader's login stands in for cadres without one)."""
    from . import permissions

    if not permissions.is_task_owner(user, task):
        # Cadres without a login: the report is recorded as theirs by the system.
        from .models import ReportResult, TaskReport

        TaskReport.objects.create(task=task, org_path=task.org_path, by=user, cadre=task.owner, at=at,
                                  text="已按要求完成，相关材料已整理归档。", is_final=True, result=ReportResult.PENDING)
        Task.objects.unscoped(AUTHORISED).filter(pk=task.pk).update(status=TaskStatus.REPORTED)
        task.status = TaskStatus.REPORTED
        return
    services.task_report(actor=user, task=task, text="已按要求完成，相关材料已整理归档。", now=at)
    task.status = TaskStatus.REPORTED


def _appeals(cadre_user, leader, now):
    """An older appeal dismissed on review, and a recent deduction appealed in time and waiting."""
    from .permissions import cadre_of

    cadre = cadre_of(cadre_user)
    older = (PerformanceEntry.objects.unscoped("the demo picks its cadre's first deduction").filter(
        account__cadre=cadre, kind="task", amount__lt=0).order_by("created_at").first())
    if older is not None:
        appeal = services.appeal_file(actor=cadre_user, entry=older, reason="任务完成情况与评定不符，请复核。",
                                      now=older.created_at + dt.timedelta(days=1))
        services.appeal_decide(actor=leader, appeal=appeal, uphold=False, note="经核查佐证材料，维持原评定。",
                               now=older.created_at + dt.timedelta(days=3))
    # A spot check's deduction, proposed by the street's administrator and approved by the leader (two people).
    proposer = User.objects.filter(role_assignments__role="street_admin").order_by("id").first()
    adj = services.adjustment_propose(actor=proposer, cadre=cadre, year=timezone.localdate(now).year, amount=-2,
                                      reason="督查抽查：村务公开栏信息未更新", now=now - dt.timedelta(days=1, hours=2))
    recent = services.adjustment_decide(actor=leader, adjustment=adj, approve=True, note="抽查属实",
                                        now=now - dt.timedelta(days=1)).entry
    services.appeal_file(actor=cadre_user, entry=recent, reason="公开栏已于督查前一天更新，附更新照片，请复核。",
                         now=now - dt.timedelta(hours=20))
    return 2 if older is not None else 1


def _ranking_and_showcases(b, leader, owners, now) -> dict:
    """The default scheme ranked for last quarter and for the year so far; the lagging units' plans (one closed
    with its evidence and follow-up, the others open); two demonstration sites, one titled, one under way."""
    today = timezone.localdate(now)
    scheme = services.scheme_save(actor=leader, site=b.street, name=f"{today.year}年村（社区）排队抓尾",
                                  level="village", indicators=services.DEFAULT_INDICATORS, advanced_count=2,
                                  lagging_count=2, now=now - dt.timedelta(days=60))
    quarter = (today.month - 1) // 3 + 1
    last_q, year = (quarter - 1, today.year) if quarter > 1 else (4, today.year - 1)
    run = services.ranking_run(actor=leader, scheme=scheme, year=year, quarter=last_q, now=now - dt.timedelta(days=5))
    services.ranking_run(actor=leader, scheme=scheme, year=today.year, now=now)
    by_unit = {c.org_unit_id: c for c in owners}
    plans = 0
    for i, result in enumerate(run.results.filter(band="lagging").select_related("org_unit")):
        owner = by_unit.get(result.org_unit_id) or owners[0]
        deadline = today + dt.timedelta(days=30)
        plan = services.plan_create(actor=leader, result=result, problems="任务按时完成率偏低，诉求办结不及时。",
                                    owner=owner, deadline=deadline, now=now - dt.timedelta(days=4), measures=[
                                        {"text": "建立任务台账，书记每周调度一次", "owner": owner, "deadline": deadline},
                                        {"text": "逐件清理超期诉求并回访", "owner": owner, "deadline": deadline}])
        plans += 1
        if i == 0:
            for m in plan.measures.all():
                services.measure_complete(actor=leader, measure=m, evidence="已完成，台账和回访记录已归档",
                                          now=now - dt.timedelta(days=2))
            services.follow_up_add(actor=leader, plan=plan, note="街道党工委实地督导，整改到位", now=now - dt.timedelta(days=1))
            services.plan_close(actor=leader, plan=plan, now=now - dt.timedelta(hours=6))
    villages = [u for u in b.communities if u.kind == OrgUnitKind.VILLAGE]
    leader_cadre = Cadre.objects.unscoped("the demo's leader").get(user=leader)
    belt = services.showcase_create(actor=leader, org_unit=b.street, name="沿河乡村振兴示范带", kind="belt",
                                    year=today.year, leader=leader_cadre, template="six", units=villages[:3],
                                    now=now - dt.timedelta(days=200))
    services.showcase_letter(actor=leader, showcase=belt, signed_by=f"{leader_cadre.name}、各村党组织书记",
                             signed_on=today - dt.timedelta(days=199))
    services.showcase_progress(actor=leader, showcase=belt, text="党群服务阵地完成改造，沿河步道贯通",
                               met_targets=[t.pk for t in belt.targets.all()[:4]], now=now - dt.timedelta(days=60))
    services.showcase_assess(actor=leader, showcase=belt, score=92, note="目标全部达成，群众满意度高",
                             outcome="titled", reward="授予“红旗示范带”称号，奖补资金 5 万元",
                             now=now - dt.timedelta(days=10))
    point_unit = b.communities[0]
    point = services.showcase_create(actor=leader, org_unit=point_unit, name=f"{point_unit.name}党建引领社区治理示范点",
                                     kind="point", year=today.year, leader=by_unit.get(point_unit.pk, owners[0]),
                                     targets=["建成“15分钟便民服务圈”", "党员联户全覆盖", "诉求办结率 95% 以上"],
                                     now=now - dt.timedelta(days=90))
    services.showcase_letter(actor=leader, showcase=point, signed_by=point.leader.name,
                             signed_on=today - dt.timedelta(days=89))
    services.showcase_progress(actor=leader, showcase=point, text="党员联户完成 80%", now=now - dt.timedelta(days=20))
    return {"ranked": run.results.count(), "plans": plans, "showcases": 2}


def demo_step(run) -> dict:
    return build_cadre_demo(run.built["people"], seed=run.seed)


def demo_summary(m: dict) -> str:
    if not m.get("lists"):
        return "未生成干部任务（缺少演示账号）。"
    return (f"{m['lists']} 份月度任务清单、{m['tasks']} 项任务，已评定 {m['graded']} 项（逾期完成 {m['late']} 项）、"
            f"未完成 {m['not_done']} 项，办理中 {m['open']} 项；人工加减分 3 笔（1 笔待审批），积分申诉 {m['appeals']} 件；"
            f"{m['ranked']} 个村（社区）排队抓尾，后进单位整改方案 {m['plans']} 份；示范点（带）{m['showcases']} 个。")
