"""Leadership and burden-cutting in the demo district: two terms of two-committee teams in every village and
community (the new term younger and better educated, its secretaries a few years younger), pledges, an
adjustment, a secretary under management one level up, a year of selections (red-flag branches awarded,
pioneer posts in publicity with an objection waiting), banners and letters, the street's four lists in force
with a task refused by the negative list and one let through by an approval."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.cadre.roles import TOWNSHIP_LEADER
from jiceng.core.errors import JicengError
from jiceng.orgs.models import OrgUnit, OrgUnitKind
from jiceng.people.models import Cadre, Resident

from . import services
from .models import CommitteePost, Education, PartyPost

LISTS = {
    "powers": [("Q-01", "行政许可：个体工商户登记初审", "《市场主体登记管理条例》", ""),
               ("Q-02", "行政处罚：占道经营的查处", "《城市市容和环境卫生管理条例》", ""),
               ("Q-03", "行政检查：燃气安全检查", "《城镇燃气管理条例》", "")],
    "services": [("F-01", "城乡居民基本养老保险参保登记", "", ""), ("F-02", "残疾人两项补贴申请受理", "", ""),
                 ("F-03", "就业创业政策咨询与登记", "", "")],
    "territorial": [("S-01", "森林防火属地巡查", "街道与林业部门共同负责，村（社区）协助", ""),
                    ("S-02", "自建房安全排查", "街道牵头，村（社区）协助摸排", "")],
    "negative": [("N-01", "不得要求村（社区）开展招商引资", "基层减负若干措施", "招商引资、招商任务"),
                 ("N-02", "不得将行政执法事项交由村（社区）承担", "基层减负若干措施", "执法、违法建筑拆除、罚款"),
                 ("N-03", "不得要求村（社区）出具无法核实的证明", "证明事项清理", "无犯罪记录证明、亲属关系证明"),
                 ("N-04", "不得要求村（社区）填报与职责无关的报表", "基层减负若干措施", "统计报表、填报系统")],
}

# (party post, committee post, education weights) for a team of five.
POSTS = [(PartyPost.SECRETARY, CommitteePost.DIRECTOR), (PartyPost.DEPUTY, CommitteePost.NONE),
         (PartyPost.MEMBER, CommitteePost.DEPUTY), (PartyPost.NONE, CommitteePost.MEMBER),
         (PartyPost.MEMBER, CommitteePost.MEMBER)]
EDUCATION_OLD = [Education.JUNIOR, Education.SENIOR, Education.SENIOR, Education.COLLEGE]
EDUCATION_NEW = [Education.SENIOR, Education.COLLEGE, Education.BACHELOR, Education.BACHELOR]


def _pick(rng, pool, used, lo, hi, on):
    fits = [r for r in pool if r.pk not in used and lo <= services.age_on(r.birth_date, on) <= hi]
    if not fits:
        fits = [r for r in pool if r.pk not in used and 24 <= services.age_on(r.birth_date, on) <= 62]
    if not fits:
        return None
    r = rng.choice(fits)
    used.add(r.pk)
    return r


def build_leadership_demo(b, *, seed: int = 2026) -> dict:
    rng = random.Random(seed + 13)
    leader = b.login_users.get(TOWNSHIP_LEADER)
    street_admin = b.login_users.get(Role.STREET_ADMIN)
    if leader is None or street_admin is None:
        return {"teams": 0}
    today = timezone.localdate()
    now = timezone.now()
    stats = {"teams": 0, "members": 0, "honours": 0, "refused": 0}
    last_day, new_day = dt.date(today.year - 5, 3, 18), dt.date(today.year, 3, 18)
    if new_day > today:
        last_day, new_day = dt.date(today.year - 6, 3, 18), dt.date(today.year - 1, 3, 18)
    units = [u for u in b.communities if u.kind in (OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE)]
    new_terms, old_terms = [], []
    for i, unit in enumerate(units):
        pool = list(Resident.objects.unscoped("the demo picks team members").filter(org_path__startswith=unit.path)
                    .only("pk", "name", "birth_date", "org_path", "gender")[:3000])
        if len(pool) < 12:
            continue
        used: set = set()
        old = services.term_create(actor=leader, org_unit=unit, number=10, elected_on=last_day)
        new = services.term_create(actor=leader, org_unit=unit, number=11, elected_on=new_day)
        # The last term: older (secretaries in their fifties); the new: a few years younger, two under 35 somewhere.
        ages_old = [(50, 57), (44, 54), (40, 52), (36, 50), (38, 55)]
        ages_new = [(44, 52), (36, 48), (28, 40), (26, 34), (30, 45)]
        keep = secretary = None
        for term, ages, edu, day in ((old, ages_old, EDUCATION_OLD, last_day), (new, ages_new, EDUCATION_NEW, new_day)):
            for k, (party, committee) in enumerate(POSTS):
                lo, hi = ages[k]
                r = keep if (term is new and k == 1 and keep is not None) else _pick(rng, pool, used, lo, hi, day)
                if r is None:
                    continue
                m = services.member_add(actor=leader, term=term, resident=r, party_post=party, committee_post=committee,
                                        education=rng.choice(edu))
                stats["members"] += 1
                if term is old and k == 2:
                    keep = r  # one member of the last term serves again
                if term is new and k == 0:
                    secretary = m
        stats["teams"] += 2
        old_terms.append(old)
        new_terms.append(new)
        services.pledge_add(actor=leader, term=new, member=secretary, text="书记每周坐班不少于 3 天，群众来访当日回应",
                            due_on=today)
        p = services.pledge_add(actor=leader, term=new, text="年内完成村（社区）便民服务站标准化建设",
                                due_on=new_day + dt.timedelta(days=270))
        services.pledge_check(actor=leader, pledge=p, kept=(i % 3 != 2), note="现场核实" if i % 3 != 2 else "进度滞后，已督促",
                              on=min(today, new_day + dt.timedelta(days=275)))
        if i == 1 and secretary is not None:
            services.managed_up_start(actor=leader, member=secretary, direction="negative",
                                      reason="矛盾纠纷化解不力、集体经济收入未达标",
                                      starts_on=new_day + dt.timedelta(days=60), review_on=today + dt.timedelta(days=60))
        if i == 2:
            leaving = new.members.exclude(party_post=PartyPost.SECRETARY).order_by("-id").first()
            if leaving is not None:
                services.member_leave(actor=leader, member=leaving, on=new_day + dt.timedelta(days=150),
                                      reason="考录为乡镇公务员，按程序调整")
    stats["comparison"] = services.secretaries_comparison(new_terms, old_terms) if new_terms else None

    # The street's four lists, drafted by the street admin and approved by the township leader.
    lists = {}
    for kind, items in LISTS.items():
        draft = services.duty_list_draft(actor=street_admin, org_unit=b.street, kind=kind)
        for code, name, basis, keywords in items:
            services.duty_item_save(actor=street_admin, duty_list=draft, code=code, name=name, basis=basis,
                                    keywords=keywords)
        lists[kind] = services.duty_list_approve(actor=leader, duty_list=draft)
    # A task pushed down against the negative list is refused; an approved one goes through.
    owner = Cadre.objects.unscoped("the demo picks a village secretary").filter(
        org_path__startswith=units[0].path).order_by("id").first() if units else None
    if owner is not None:
        from jiceng.cadre import services as cadre

        tl = cadre.task_list_create(actor=leader, org_unit=b.street, title=f"{today.month}月专项任务（临时）",
                                    kind="ad_hoc")
        try:
            cadre.task_add(actor=leader, task_list=tl, title="各村（社区）完成招商引资任务 1 项", org_unit=owner.org_unit,
                           owner=owner, due_at=now + dt.timedelta(days=20))
        except JicengError:
            stats["refused"] += 1
        item = lists["negative"].items.get(code="N-04")
        services.push_down_approve(actor=leader, item=item, org_unit=owner.org_unit, subject="第五次全国经济普查入户登记",
                                   reason="国务院部署的普查任务，限本次普查", valid_until=today + dt.timedelta(days=45))
        cadre.task_add(actor=leader, task_list=tl, title="协助完成经济普查统计报表入户登记", org_unit=owner.org_unit,
                       owner=owner, due_at=now + dt.timedelta(days=20))

    # Selections: red-flag branches (awarded), pioneer posts (in publicity, one objection waiting).
    branches = [g for g in OrgUnit.objects.filter(path__startswith=b.street.path, kind=OrgUnitKind.GRID)
                .exclude(party_org_kind="").order_by("path")][:40]
    flag = services.selection_create(actor=leader, org_unit=b.street, title="红旗党支部", kind="branch", year=today.year,
                                     publicity_days=5, quota=10)
    for g in rng.sample(branches, min(8, len(branches))):
        n = services.nominate(actor=leader, selection=flag, unit=g, deeds="“三会一课”规范，党员联系户全覆盖，网格诉求按时办结率高")
        services.nomination_review(actor=leader, nomination=n, approve=True)
    if branches:
        started = now - dt.timedelta(days=20)
        services.publicity_start(actor=leader, selection=flag, now=started)
        services.selection_award(actor=leader, selection=flag, now=started + dt.timedelta(days=6))
        stats["honours"] += flag.nominations.filter(status="awarded").count()
    pioneers = services.selection_create(actor=leader, org_unit=b.street, title="党员先锋岗", kind="pioneer",
                                         year=today.year, publicity_days=7)
    members = list(Resident.objects.unscoped("the demo nominates party members").filter(
        org_path__startswith=b.street.path, party_member__isnull=False).order_by("id")[:200])
    noms = []
    for r in rng.sample(members, min(6, len(members))):
        n = services.nominate(actor=leader, selection=pioneers, resident=r, deeds="带头参与志愿服务，帮助独居老人，化解邻里纠纷")
        services.nomination_review(actor=leader, nomination=n, approve=True)
        noms.append(n)
    if noms:
        services.publicity_start(actor=leader, selection=pioneers, now=now - dt.timedelta(days=2))
        services.objection_file(nomination_id=noms[0].pk, text="该同志今年多次未参加组织生活，请核实", contact="")
    services.selection_create(actor=leader, org_unit=b.street, title="法治文明小区", kind="compound", year=today.year)
    givers = ["王大爷一家", "李阿姨", "幸福小区业主", "张先生", "外卖骑手代表"]
    texts = ["为民解忧 情系百姓", "真心为民办实事", "热心服务暖人心", "排忧解难 尽职尽责", "感谢网格员及时帮助"]
    for k, unit in enumerate(units[:5]):
        services.commendation_record(actor=leader, org_unit=unit, kind="banner" if k % 2 == 0 else "letter",
                                     giver=givers[k], text=texts[k], errand="楼道漏水当天修好" if k == 0 else "",
                                     received_on=today - dt.timedelta(days=10 * k + 3))
    stats["commendations"] = min(5, len(units))
    return stats


def demo_step(run) -> dict:
    return build_leadership_demo(run.built["people"], seed=run.seed)


def demo_summary(m: dict) -> str:
    if not m.get("teams"):
        return "未生成班子队伍数据（缺少演示账号）。"
    c = m.get("comparison") or {}
    sec = ""
    if c and c["now"]["average_age"] is not None and c["previous"]["average_age"] is not None:
        sec = (f"；新一届书记平均年龄 {c['now']['average_age']} 岁（上一届 {c['previous']['average_age']} 岁），"
               f"35 岁以下 {c['now']['under_35']} 人，大专及以上 {c['now']['college']} 人")
    return (f"{m['teams']} 届两委班子、{m['members']} 名成员{sec}；红旗党支部 {m['honours']} 个已表彰，党员先锋岗公示中"
            f"（1 条异议待核实）；锦旗、感谢信 {m['commendations']} 件；街道四张清单施行中，负面清单拦截下派 "
            f"{m['refused']} 次、准入审批 1 件。")
