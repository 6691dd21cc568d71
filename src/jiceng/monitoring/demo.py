"""Monitoring in the demo district: income lines, a profile for every household (this year and
last), rule signals, a department list, declarations, and monitored households in every category and
stage — built through the services with back-dated clocks, so worklists and figures are alive."""
from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.utils import timezone

from jiceng.accounts.models import Role, RoleAssignment, User
from jiceng.orgs.models import OrgUnitKind
from jiceng.people.models import Household, HouseholdStatus, Resident, ResidentStatus

from . import permissions, services
from .department_lists import department_list_apply, department_list_check
from .roles import COUNTY_APPROVER
from .models import (
    EconomicProfile, Employment, IncomeLine, LabourCapacity, MemberRecord, MonitoringSettings, RiskKind, RiskSignal,
    SchoolStage, SignalStatus, VisitKind,
)
from .rules import COMPULSORY_SCHOOL_AGES, age_on

# The monitoring line per head for Yunnan (53) by year, as a site would enter it from the province's notice.
LINES = {2021: 6000, 2022: 6500, 2023: 6900, 2024: 7100, 2025: 7300, 2026: 7500}

MEASURES = [("industry", "发放种植补助、提供烤烟种植技术指导", 3000), ("employment", "推荐到县城工业园区就业", 0),
            ("health", "落实医疗救助和大病保险二次报销", 12000), ("education", "申请雨露计划助学金", 3000),
            ("housing", "实施农村危房改造", 25000), ("social_security", "纳入农村低保", 4200),
            ("subsidy", "发放临时救助金", 2000)]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _healthy(rng, n: int) -> dict:
    wage = rng.randrange(18000, 60000, 100) * max(1, n // 2)
    return {"wage_income": Decimal(wage), "operating_income": Decimal(rng.randrange(0, 15000, 100)),
            "property_income": Decimal(rng.choice([0, 0, 0, 600, 1200])),
            "transfer_income": Decimal(rng.choice([0, 0, 1200, 2400])),
            "medical_expense": Decimal(rng.randrange(0, 3000, 100)),
            "education_expense": Decimal(rng.randrange(0, 2000, 100)), "other_rigid_expense": Decimal(0)}


def _member(rng, r, profile, year, today, stamp):
    age = age_on(r.birth_date, min(today, dt.date(year, 12, 31)))
    m = MemberRecord(profile=profile, resident=r, medical_insured=rng.random() > 0.004,
                     employment_updated_at=stamp, schooling_updated_at=stamp)
    if age in COMPULSORY_SCHOOL_AGES:
        m.employment, m.labour_capacity, m.enrolled = Employment.STUDENT, LabourCapacity.NONE, True
        m.school_stage = SchoolStage.PRIMARY if age < 12 else SchoolStage.JUNIOR
        m.school = "永定街道中心学校" if age < 12 else "富民县第一中学"
    elif age < 6:
        m.employment, m.labour_capacity = Employment.NONE, LabourCapacity.NONE
        m.school_stage = SchoolStage.PRESCHOOL if age >= 3 else ""
        m.enrolled = age >= 3
    elif age < 19:
        m.employment, m.labour_capacity, m.enrolled = Employment.STUDENT, LabourCapacity.WEAK, True
        m.school_stage = SchoolStage.SENIOR
    elif age >= 65:
        m.employment, m.labour_capacity = Employment.RETIRED, LabourCapacity.WEAK
    else:
        m.employment = rng.choice([Employment.STABLE, Employment.STABLE, Employment.CASUAL, Employment.FARMING,
                                   Employment.SELF_EMPLOYED])
        m.work_place = {Employment.STABLE: rng.choice(["昆明市", "富民县工业园区", "广东省东莞市", "浙江省宁波市"]),
                        Employment.CASUAL: "富民县城"}.get(m.employment, "")
        m.annual_income = Decimal(rng.randrange(12000, 60000, 500)) if m.employment != Employment.FARMING else Decimal(0)
        m.is_main_labour = True
    if not m.school_stage:
        m.schooling_updated_at = None
    if m.labour_capacity == LabourCapacity.NONE or m.employment == Employment.STUDENT:
        m.employment_updated_at = None
    return m


def _bulk_profiles(rng, households, members_by_hh, today, skip: set) -> int:
    """This year's and last year's profile for every ordinary household (the registry's bulk path)."""
    made = 0
    for year in (today.year - 1, today.year):
        profiles, pending = [], []
        for h in households:
            if h.pk in skip:
                continue
            people = members_by_hh.get(h.pk, [])
            n = max(1, len(people))
            v = _healthy(rng, n)
            total = v["wage_income"] + v["operating_income"] + v["property_income"] + v["transfer_income"]
            stamp = _at(dt.date(year, rng.randint(1, 3 if year == today.year else 11), rng.randint(1, 28)))
            p = EconomicProfile(household=h, org_path=h.org_path, year=year, member_count=n, **v,
                                income_per_head=(total / n).quantize(Decimal("0.01")),
                                housing_grade=rng.choice("AAAAAAB"), safe_water=True)
            profiles.append(p)
            pending.append((p, people, stamp))
        EconomicProfile.objects.bulk_create(profiles, batch_size=1000)
        records = [_member(rng, r, p, year, today, stamp) for p, people, stamp in pending for r in people]
        MemberRecord.objects.bulk_create(records, batch_size=2000)
        made += len(profiles)
    return made


def _staff_for(unit, street, rng, label):
    """Two village (community) workers for a village outside the demo logins (no password)."""
    users = []
    for i in (1, 2):
        u = User(username=f"staff-{unit.code}-{i}", display_name=f"{unit.name}{label}{'甲乙'[i - 1]}")
        u.set_unusable_password()
        u.save()
        RoleAssignment.objects.create(user=u, role=Role.COMMUNITY_STAFF if i == 2 else Role.GRID_WORKER, org_unit=unit)
        users.append(u)
    return users


class Story:
    """Back-dated steps for one household (every call goes through the services)."""

    def __init__(self, rng, h, actors, county, street_admin):
        self.rng, self.h = rng, h
        self.checker, self.village = actors
        self.county, self.street = county, street_admin

    def low_profile(self, year, day, *, medical=Decimal(0)):
        n = max(1, Resident.objects.filter(household=self.h, status=ResidentStatus.LIVING).count())
        per_head = LINES.get(year, 7500)
        wage = Decimal(int(per_head * n * self.rng.uniform(0.55, 0.9)))
        services.profile_save(actor=self.checker, household=self.h, year=year, now=_at(day),
                              values={"wage_income": wage, "operating_income": Decimal(1200), "transfer_income": Decimal(1800),
                                      "medical_expense": medical, "housing_grade": "B"})

    def good_profile(self, year, day):
        n = max(1, Resident.objects.filter(household=self.h, status=ResidentStatus.LIVING).count())
        wage = Decimal(int(LINES.get(year, 7500) * n * self.rng.uniform(1.6, 2.4)))
        today = timezone.localdate()
        members = {}
        for r in Resident.objects.filter(household=self.h, status=ResidentStatus.LIVING):
            age = age_on(r.birth_date, today)
            members[r.pk] = {"medical_insured": True, "labour_loss": "",
                             **({"enrolled": True, "school_stage": SchoolStage.PRIMARY if age < 12 else SchoolStage.JUNIOR,
                                 "employment": Employment.STUDENT} if age in COMPULSORY_SCHOOL_AGES else {})}
        services.profile_save(actor=self.checker, household=self.h, year=year, now=_at(day), members=members,
                              values={"wage_income": wage, "operating_income": Decimal(3000), "transfer_income": Decimal(0),
                                      "medical_expense": Decimal(1500), "education_expense": Decimal(0),
                                      "housing_grade": "A", "safe_water": True})

    def signal(self, day, kind=RiskKind.MEDICAL, amount="46000", how="visit"):
        if how == "visit":
            v = services.visit_record(actor=self.checker, household=self.h, kind=VisitKind.SCREENING, visited_on=day,
                                      findings="排查走访：" + RiskKind(kind).label,
                                      risks=[(kind, amount, f"走访发现{RiskKind(kind).label}")], now=_at(day, 15))
            return v.signals.get()
        return services.self_declaration_submit(actor=self.checker, household=self.h, kind=kind,
                                                detail="农户申报：" + RiskKind(kind).label, amount=amount,
                                                now=_at(day, 15))

    def confirm(self, day):
        case = None
        for sig in RiskSignal.objects.filter(household=self.h, status=SignalStatus.OPEN).order_by("id"):
            sig = services.signal_confirm(actor=self.checker, signal=sig, note="入户核实，情况属实", now=_at(day, 9))
            case = sig.case
        return case

    def step(self, case, actor, day, **kw):
        return services.case_step(actor=actor, case=case, now=_at(day, 11), **kw)

    def identify(self, case, start: dt.date, category: str, *, until: str = "done"):
        """Run the identification chain from ``start``; stop before the stage named ``until``."""
        day = start
        self.step(case, self.checker, day, consent=True, category=category, note="入户核实，农户签字授权")
        if until == "village_review":
            return case
        day += dt.timedelta(days=2)
        self.step(case, self.village, day, note="村民代表会议民主评议通过")
        if until == "posting":
            return case
        day += dt.timedelta(days=6)
        services.postings_close(now=_at(day, 1))
        if until == "township_review":
            return case
        self.step(case, self.street, day, note="街道审核同意")
        if until == "county_approval":
            return case
        day += dt.timedelta(days=3)
        self.step(case, self.county, day, category=category, note="县乡村振兴局审定")
        if until == "announcement":
            return case
        self.step(case, self.street, day + dt.timedelta(days=1), note="已在村务公开栏公告")
        case.refresh_from_db()
        return case

    def assist(self, case, start: dt.date, today: dt.date, *, miss_last: bool):
        services.responsible_assign(actor=self.village, case=case, user=self.checker)
        for kind, text, amount in self.rng.sample(MEASURES, 2):
            services.measure_add(actor=self.checker, case=case, kind=kind, description=text,
                                 started_on=start + dt.timedelta(days=3), amount=amount, now=_at(start + dt.timedelta(days=3)),
                                 result=self.rng.choice(["", "已落实", "收入明显增加"]))
        day = start + dt.timedelta(days=self.rng.randint(80, 88))
        visits = 0
        while day < today - dt.timedelta(days=95 if miss_last else 5):
            services.visit_record(actor=self.checker, household=self.h, kind=VisitKind.ASSISTANCE, visited_on=day,
                                  findings=self.rng.choice(["了解就业和收入情况，帮扶措施已落实", "了解康复情况，医疗报销已到位",
                                                            "子女在校就读正常，家庭生活稳定"]), now=_at(day, 16))
            visits += 1
            day += dt.timedelta(days=self.rng.randint(80, 89))
        return visits

    def eliminate(self, case, day: dt.date, *, until: str = "done"):
        services.elimination_start(actor=self.checker, case=case, note="入户核实：收入稳定，“三保障”已落实", now=_at(day))
        if until == "village_review":
            return
        self.step(case, self.village, day + dt.timedelta(days=2), note="村民代表会议评议同意风险消除")
        if until == "posting":
            return
        services.postings_close(now=_at(day + dt.timedelta(days=8), 1))
        self.step(case, self.street, day + dt.timedelta(days=8), note="街道审核同意")
        self.step(case, self.county, day + dt.timedelta(days=10), note="县级审定同意")
        self.step(case, self.street, day + dt.timedelta(days=11), note="已公告")


def build_monitoring_demo(builder) -> dict:
    rng = random.Random(builder.seed + 505)
    today = timezone.localdate()
    street = builder.street
    users = builder.login_users
    grid_worker, community, street_admin, county = (users[Role.GRID_WORKER], users[Role.COMMUNITY_STAFF],
                                                    users[Role.STREET_ADMIN], users[COUNTY_APPROVER])
    MonitoringSettings.objects.create(site=street, province_code="53")
    for year, amount in LINES.items():
        IncomeLine.objects.get_or_create(year=year, province_code="53",
                                         defaults={"amount": Decimal(amount), "note": "云南省防止返贫动态监测标准（演示）"})

    households = list(Household.objects.filter(org_path__startswith=street.path, status=HouseholdStatus.ACTIVE)
                      .order_by("id"))
    members_by_hh: dict[int, list] = {}
    for r in Resident.objects.filter(org_path__startswith=street.path, status=ResidentStatus.LIVING,
                                     household__isnull=False).only("id", "household_id", "birth_date", "name").order_by("birth_date"):
        members_by_hh.setdefault(r.household_id, []).append(r)

    # Who tells each household's story: the demo grid worker and community staff in the first
    # community's first grid; two village workers in each village and at the relocation site.
    comm = builder.communities[0]
    grid = grid_worker.role_assignments.first().org_unit
    places = [(grid, (grid_worker, community))]
    for unit in builder.communities:
        if unit.kind == OrgUnitKind.VILLAGE or unit.name == "阳光社区":
            places.append((unit, tuple(_staff_for(unit, street, rng, "村务专干" if unit.kind == OrgUnitKind.VILLAGE else "社区专干"))))
    stories = []  # (household, actors, plan)
    plans = (["eliminated"] * 2 + ["monitored_overdue"] * 2 + ["monitored"] * 4 + ["eliminating"] + ["identifying"] * 2
             + ["dismissed"])
    for unit, actors in places:
        pool = [h for h in households if h.org_path.startswith(unit.path) and len(members_by_hh.get(h.pk, [])) >= 2]
        rng.shuffle(pool)
        n = len(plans) if unit == grid else 6
        for h, plan in zip(pool[:n], plans if unit == grid else rng.sample(plans, 6)):
            stories.append((h, actors, plan))
    skip = {h.pk for h, _a, _p in stories}
    profiles = _bulk_profiles(rng, households, members_by_hh, today, skip)

    counts = {"profiles": profiles, "cases": 0}
    categories = ["unstable", "marginal", "sudden"]
    stage_cycle = ["village_review", "posting", "township_review", "county_approval", "announcement"]
    for i, (h, actors, plan) in enumerate(stories):
        s = Story(rng, h, actors, county, street_admin)
        category = categories[i % 3]
        if plan in ("eliminated", "eliminating"):
            start = today - dt.timedelta(days=rng.randint(400, 470))
            s.low_profile(start.year, start - dt.timedelta(days=20), medical=Decimal(38000))
            s.confirm(start)
            case = s.identify(s_case(h), start + dt.timedelta(days=1), category)
            s.assist(case, case.enrolled_on, today, miss_last=False)
            s.good_profile(today.year, dt.date(today.year, 1, 20))
            elim_day = today - dt.timedelta(days=rng.randint(20, 60)) if plan == "eliminated" else today - dt.timedelta(days=1)
            s.eliminate(case, elim_day, until="done" if plan == "eliminated" else "posting")
        elif plan.startswith("monitored"):
            start = today - dt.timedelta(days=rng.randint(120, 300))
            s.low_profile(today.year, start - dt.timedelta(days=10), medical=Decimal(rng.choice([0, 42000])))
            if not RiskSignal.objects.filter(household=h, status=SignalStatus.OPEN).exists():
                s.signal(start - dt.timedelta(days=5), kind=rng.choice([RiskKind.MEDICAL, RiskKind.JOB_LOSS]))
            s.confirm(start)
            case = s.identify(s_case(h), start + dt.timedelta(days=1), category)
            s.assist(case, case.enrolled_on, today, miss_last=plan == "monitored_overdue")
        elif plan == "identifying":
            start = today - dt.timedelta(days=rng.randint(8, 20))
            s.good_profile(today.year, dt.date(today.year, 2, 10))
            s.signal(start, kind=rng.choice([RiskKind.MEDICAL, RiskKind.DISASTER]), how=rng.choice(["visit", "self"]))
            s.confirm(start + dt.timedelta(days=1))
            until = stage_cycle[i % len(stage_cycle)]
            day = start + dt.timedelta(days=2) if until not in ("posting",) else today - dt.timedelta(days=3)
            s.identify(s_case(h), day, "sudden", until=until)
        else:  # dismissed after the village's review
            start = today - dt.timedelta(days=rng.randint(30, 90))
            s.good_profile(today.year, dt.date(today.year, 2, 10))
            s.signal(start, kind=RiskKind.JOB_LOSS, amount="", how="self")
            s.confirm(start + dt.timedelta(days=2))
            case = s_case(h)
            s.step(case, s.checker, start + dt.timedelta(days=3), consent=True, category="marginal")
            s.step(case, s.village, start + dt.timedelta(days=5), approved=False,
                   note="经民主评议，家庭成员已稳定就业，收入高于监测标准，不予纳入")
        counts["cases"] += 1

    # Open signals for the worklists: ordinary households whose profile now breaks a rule, a
    # department list, and declarations (one from the demo resident's household).
    ordinary = [h for h in households if h.pk not in skip]
    rng.shuffle(ordinary)
    for j, h in enumerate(ordinary[:18]):
        day = today - dt.timedelta(days=rng.randint(1, 25))
        p = EconomicProfile.objects.get(household=h, year=today.year)
        change = j % 4
        values = {"safe_water": False} if change == 0 else {"housing_grade": "C"} if change == 1 else \
            {"medical_expense": p.wage_income + p.operating_income} if change == 2 else \
            {"wage_income": Decimal(int(p.member_count * 3000)), "operating_income": Decimal(0)}
        actor = next((a[0] for u, a in places if h.org_path.startswith(u.path)), street_admin)
        if not permissions.can_record(actor, h.org_path):
            actor = street_admin
        services.profile_save(actor=actor, household=h, year=today.year, values=values, now=_at(day))
    _department_list(rng, community, comm, members_by_hh, households, skip)
    resident_hh = Household.objects.filter(pk=builder.resident_household_id).first()
    if resident_hh is not None and resident_hh.pk not in skip:
        services.self_declaration_submit(actor=users[Role.RESIDENT], household=resident_hh, kind=RiskKind.MEDICAL,
                                         detail="老伴住院做手术，自付了三万多元", amount="32000",
                                         now=_at(today - dt.timedelta(days=2)))
    now = timezone.now()
    counts["visits"] = services.visits_check(now=now)
    counts["signals_overdue"] = services.signals_mark_overdue(now=now)
    counts["open_signals"] = RiskSignal.objects.filter(status=SignalStatus.OPEN).count()
    from .models import CaseStatus, MonitoringCase

    counts["households"] = EconomicProfile.objects.values("household_id").distinct().count()
    counts["by_status"] = {s: MonitoringCase.objects.filter(status=s).count() for s in CaseStatus.values}
    return counts


def s_case(h):
    from .models import ACTIVE_CASE_STATUSES, MonitoringCase

    return MonitoringCase.objects.get(household=h, status__in=ACTIVE_CASE_STATUSES)


def _department_list(rng, actor, comm, members_by_hh, households, skip):
    from openpyxl import Workbook

    picks = [h for h in households if h.org_path.startswith(comm.path) and h.pk not in skip][:40]
    rng.shuffle(picks)
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "姓名", "预警类型", "预警说明", "金额（元）", "预警日期"])
    for h in picks[:3]:
        r = members_by_hh[h.pk][-1] if members_by_hh.get(h.pk) else None
        if r is None:
            continue
        full = Resident.objects.get(pk=r.pk)
        ws.append([full.id_number, full.name, "大额医疗支出", "年度住院自付费用超过3万元", str(rng.randrange(30000, 60000, 100)),
                   (timezone.localdate() - dt.timedelta(days=6)).isoformat()])
    buf = io.BytesIO()
    wb.save(buf)
    dl = department_list_check(actor=actor, department="富民县医疗保障局", filename="医保大额支出预警名单.xlsx",
                               data=buf.getvalue(), root=comm)
    department_list_apply(actor=actor, department_list=dl)


def demo_step(run) -> dict:
    return build_monitoring_demo(run.built["people"])


def demo_summary(m: dict) -> str:
    st = m["by_status"]
    return (f"{m['households']} 户建立经济档案，监测帮扶中 {st['monitored']} 户、识别中 {st['identifying']} 户、"
            f"风险消除审核中 {st['eliminating']} 户、已消除 {st['eliminated']} 户、未纳入 {st['dismissed']} 户，"
            f"待核实风险信号 {m['open_signals']} 条，走访逾期 {m['visits']['overdue']} 次。")
