"""Leadership and burden-cutting in the demo district: two terms of two-committee teams in every village and
community (the new term younger and better educated, its secretaries a few years younger), pledges, an
adjustment, a secretary under management one level up, a year of selections (red-flag branches awarded,
pioneer posts in publicity with an objection waiting), banners and letters, the street's four lists in force
with a task and a certificate request refused by the negative list and one of each let through by an approval,
certificate requests answered by the villages, and the street's points rules for cadre records (reviews, visits,
pledges, shadowing) so that those records post performance points."""
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
    # The site's points for cadre records: reviews by grade, visits, pledges checked, shadowing completed.
    from .services.rules import site_of

    services.points_rules_update(actor=leader, site=site_of(b.street.path), review_excellent_points=5,
                                 review_competent_points=3, review_basic_points=0, review_incompetent_points=-5,
                                 contact_visit_points=1, pledge_kept_points=3, pledge_broken_points=-3,
                                 shadowing_points=2)
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

    stats.update(_certificates(units, leader, lists["negative"], today))

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
    stats.update(_records(b, units, leader, rng, today, now))
    from jiceng.cadre.models import PerformanceEntry

    from .models import PushDownApproval

    stats["approvals"] = PushDownApproval.objects.unscoped("the demo counts its approvals").count()
    stats["record_points"] = PerformanceEntry.objects.unscoped("the demo counts the points cadre records posted").filter(
        kind__in=["posting", "contact", "pledge", "shadowing"]).count()
    return stats


def _certificates(units, leader, negative, today) -> dict:
    """Certificate requests sent to villages and communities: issued, refused by the village, waiting; one on the
    negative list refused before it was registered; one let through by an approval."""
    found = {"certificates": 0, "certificates_refused": 0}
    asks = [("县人力资源和社会保障局", "居住证明", "办理灵活就业人员社保登记", True, ""),
            ("县市场监督管理局", "经营场所使用证明", "个体工商户登记", False, "房屋权属不清，村委会无法核实，请申请人提供不动产权证明"),
            ("县教育局", "家庭经济困难证明", "学生资助认定", None, ""),
            ("县医疗保障局", "居住证明", "异地就医备案", True, "")]
    for k, unit in enumerate(units[:4]):
        resident = Resident.objects.unscoped("the demo picks a resident a certificate is for").filter(
            org_path__startswith=unit.path).order_by("id").first()
        requester, title, reason, issued, note = asks[k]
        r = services.certificate_request_record(actor=leader, org_unit=unit, requester=requester, title=title,
                                                reason=reason, requested_on=today - dt.timedelta(days=12 - 2 * k),
                                                resident=resident)
        found["certificates"] += 1
        if issued is not None:
            services.certificate_request_answer(actor=leader, request=r, issued=issued, note=note,
                                                on=today - dt.timedelta(days=9 - 2 * k))
    if units:
        try:
            services.certificate_request_record(actor=leader, org_unit=units[0], requester="县公安局城关派出所",
                                                title="无犯罪记录证明", reason="入职政审", requested_on=today)
        except JicengError:
            found["certificates_refused"] += 1
        item = negative.items.filter(code="N-03").first()
        if item is not None:
            services.push_down_approve(actor=leader, item=item, org_unit=units[0], subject="亲属关系证明（继承公证）",
                                       reason="公证处无其他途径核实继承人，限本案", valid_until=today + dt.timedelta(days=30))
            services.certificate_request_record(actor=leader, org_unit=units[0], requester="县公证处",
                                                title="亲属关系证明", reason="继承公证核实继承人", requested_on=today)
            found["certificates"] += 1
    return found


def _records(b, units, leader, rng, today, now) -> dict:
    """Reserves with mentors, postings with a replacement after a review, a closed training, contact points (one
    overdue), loans, plaques with a clean-up, inspections (one circulated, one not)."""
    from jiceng.people.models import CadreKind

    found = {"reserves": 0, "trained": 0, "plaques_cleared": 0}
    q = Cadre.objects.unscoped("the demo reads the district's cadres")
    chief = q.filter(user=leader).first()
    by_unit = {u.pk: list(q.filter(org_path__startswith=u.path).order_by("id")) for u in units}
    firsts = list(q.filter(kind__in=[CadreKind.FIRST_SECRETARY, CadreKind.STATIONED]).order_by("id"))
    if chief is None:
        return found
    for k, unit in enumerate(units[:6]):
        people = by_unit[unit.pk]
        if len(people) < 3:
            continue
        mentor = next((f for f in firsts if f.org_path.startswith(unit.path)), people[0])
        reserve = people[-1] if people[-1].pk != mentor.pk else people[-2]
        services.reserve_add(actor=leader, cadre=reserve, org_unit=unit, mentor_leader=chief, mentor_secretary=mentor,
                             since=today - dt.timedelta(days=200 + 20 * k))
        found["reserves"] += 1
    postings = []
    for k, f in enumerate(firsts[:4]):
        unit = next((u for u in units if f.org_path.startswith(u.path)), None)
        if unit is None:
            continue
        postings.append(services.posting_start(actor=leader, cadre=f, kind="first_secretary" if k % 2 == 0 else "stationed",
                                               org_unit=unit, starts_on=today - dt.timedelta(days=500),
                                               sent_by="县直机关工委"))
    if postings:
        p = postings[0]
        services.posting_review(actor=leader, posting=p, period=f"{today.year - 1}年度", rating="competent",
                                reviewed_on=today - dt.timedelta(days=300))
        services.posting_review(actor=leader, posting=p, period=f"{today.year}年上半年", rating="incompetent",
                                note="在岗天数不足、群众满意度低", reviewed_on=today - dt.timedelta(days=150))
        spare = next((c for c in by_unit.get(p.org_unit_id, []) if c.pk != p.cadre_id), None)
        if spare is not None:
            services.posting_replace(actor=leader, posting=p, new_cadre=spare, on=today - dt.timedelta(days=140),
                                     reason="半年考核不称职，按程序撤换")
    everyone = [c for rows in by_unit.values() for c in rows[:2]]
    if everyone:
        t = services.training_create(actor=leader, org_unit=b.street, title="村（社区）干部学历能力“双提升”培训班",
                                     starts_on=today - dt.timedelta(days=60), ends_on=today - dt.timedelta(days=58),
                                     hours=24, points_attended=3, points_absent=2, cadres=everyone)
        present = [c.pk for c in everyone if rng.random() < 0.85]
        services.training_close(actor=leader, training=t, attended_ids=present, now=now - dt.timedelta(days=57))
        found["trained"] = len(present)
        services.rank_change_record(actor=leader, cadre=everyone[0], kind="rank_raised", on=today - dt.timedelta(days=90),
                                    to_post="八级职员", note="考核优秀晋升")
        for k, c in enumerate(everyone[:5]):
            up = services.upgrade_enrol(actor=leader, cadre=c, programme="国家开放大学 行政管理（专科）",
                                        from_education="senior", target_education="college",
                                        enrolled_on=today - dt.timedelta(days=700 - 30 * k))
            if k < 2:
                services.upgrade_finish(actor=leader, upgrade=up, outcome="graduated", on=today - dt.timedelta(days=40))
        services.shadowing_record(actor=leader, cadre=everyone[-1], host="东莞市某镇党群服务中心", place="广东东莞",
                                  starts_on=today - dt.timedelta(days=120), ends_on=today - dt.timedelta(days=90),
                                  outcome="学习网格化服务管理经验，回村推行“党员联户”")
    for k, unit in enumerate(units[:4]):
        c = services.contact_assign(actor=leader, cadre=chief, org_unit=unit, since=today - dt.timedelta(days=180),
                                    every_days=30)
        if k < 3:
            services.contact_visit(actor=leader, contact=c, on=today - dt.timedelta(days=5 + 7 * k),
                                   note="走访困难群众，调研集体经济发展")
    for k, unit in enumerate(units[:2]):
        staff = by_unit[unit.pk]
        if staff:
            loan = services.loan_record(actor=leader, cadre=staff[0], org_unit=unit, to_office="县乡村振兴局",
                                        reason="专项工作抽调", left_on=today - dt.timedelta(days=120))
            if k == 0:
                services.loan_return(actor=leader, loan=loan, returned_on=today - dt.timedelta(days=20))
    signs = [("村（社区）党群服务中心", "县委组织部", True), ("村民委员会", "民政局", True),
             ("创建工作站", "县创建办", False), ("老年协会活动室", "老龄办", False), ("人口学校", "卫健局", False)]
    for k, unit in enumerate(units):
        made = [services.plaque_record(actor=leader, org_unit=unit, title=title, issuer=issuer, admitted=ok,
                                       admission_note="统一规范挂牌" if ok else "") for title, issuer, ok in signs]
        if k < len(units) // 2:
            remove = [p.pk for p in made if not p.admitted]
            r = services.plaque_check(actor=leader, org_unit=unit, on=today - dt.timedelta(days=30), remove_ids=remove)
            found["plaques_cleared"] += r["removed"]
    if len(units) >= 2:
        one = services.inspection_record(actor=leader, org_unit=units[0], topic="基层减负落实情况",
                                         on=today - dt.timedelta(days=40), inspectors="街道纪工委",
                                         findings=[("报表重复报送", today - dt.timedelta(days=25)),
                                                   ("挂牌未清理到位", today - dt.timedelta(days=20))])
        f1, f2 = list(one.findings.order_by("id"))
        services.finding_fix(actor=leader, finding=f1, fixed_on=today - dt.timedelta(days=28), note="已合并报表")
        services.circular_issue(actor=leader, org_unit=b.street, number=f"街督〔{today.year}〕5号",
                                issued_on=today - dt.timedelta(days=10), text="对逾期未整改问题予以通报", findings=[f2])
        services.inspection_record(actor=leader, org_unit=units[1], topic="换届承诺兑现", on=today - dt.timedelta(days=30),
                                   inspectors="街道组织办", findings=[("承诺事项未公开", today - dt.timedelta(days=15))])
    return found


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
            f"{m['refused']} 次、准入审批 {m.get('approvals', 1)} 件；后备干部 {m.get('reserves', 0)} 名（“2+1”导师），驻村干部考核撤换 1 人，"
            f"培训参训 {m.get('trained', 0)} 人次，联系点 4 个（1 个逾期），借调 2 人（1 人返岗），清理挂牌 "
            f"{m.get('plaques_cleared', 0)} 块，督导 2 次（1 次通报、1 次逾期未通报）；驻村考核、联系点走访、跟岗学习按街道积分规则"
            f"记入干部绩效积分 {m.get('record_points', 0)} 笔；证明事项索要登记 {m.get('certificates', 0)} 件，"
            f"负面清单拦截证明事项 {m.get('certificates_refused', 0)} 次。")
