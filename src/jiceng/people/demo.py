"""The demo district (示范街道): a believable street built deterministically from a seed.

Bulk-loaded (``bulk_create`` in batches, no per-row saves), so it also builds the 300,000-household
/ 1,000,000-resident registry the benchmarks use.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from stdnum.cn import ric

from jiceng.accounts.models import Role, RoleAssignment, User
from jiceng.core.demo import demo_logins
from jiceng.audit.services import audit_log
from jiceng.orgs.models import SEGMENT_WIDTH, OrgUnit, OrgUnitKind, PartyOrgKind
from jiceng.people.models import (
    Cadre, CadreKind, Household, PartnerPairing, PartnerUnit, PartnerUnitKind, PartyMember, PartyMemberHousehold,
    PartyMemberStatus, Relationship, Resident, ResidentNameKey, ResidentStatus, ResidentTag, SpecialGroup, Volunteer,
)
from jiceng.people.search import name_keys, to_simplified

REFERENCE_DATE = dt.date(2026, 1, 1)
STREET_CODE = "530124001000"
STREET_NAME = "永定街道"
COUNTY = "云南省昆明市富民县"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单查解")
SURNAME_WEIGHTS = [max(1, 60 - i) for i in range(len(SURNAMES))]
MALE_CHARS = "伟强军磊勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋立志国兴建文德海成家荣云祥永春光红"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲燕萍红梅琳莉兰凤洁琴云华英慧巧美娇雪晶桂芬瑶婷倩颖欣怡佳雨彩月春玉"
ETHNICITIES = ["汉族"] * 80 + ["彝族"] * 8 + ["回族"] * 5 + ["苗族"] * 3 + ["白族"] * 2 + ["傣族"] * 2

COMMUNITY_NAMES = ["翠湖", "莲华", "大观", "龙翔", "金沙", "永安", "兴隆", "凤鸣", "清泉", "和平", "育才", "东华",
                   "西苑", "南屏", "北辰", "长春", "新城", "明珠", "锦绣", "太和"]
VILLAGE_NAMES = ["王家营村", "苏家塘村", "小河村"]
PARTNERS = [
    ("富民县人民医院", PartnerUnitKind.HOSPITAL, "义诊进社区、家庭医生签约"),
    ("永定街道中心学校", PartnerUnitKind.SCHOOL, "四点半课堂、留守儿童关爱"),
    ("富民县税务局", PartnerUnitKind.GOVERNMENT, "政策宣讲、便民办税"),
    ("富民县供电局", PartnerUnitKind.INSTITUTION, "用电安全检查、楼道照明维修"),
    ("云南滇池水务有限公司", PartnerUnitKind.ENTERPRISE, "二次供水设施维护"),
    ("富民县公安局永定派出所", PartnerUnitKind.GOVERNMENT, "治安巡逻、反诈宣传"),
    ("富民县市场监督管理局", PartnerUnitKind.GOVERNMENT, "食品安全检查"),
    ("昆明春晖社工服务中心", PartnerUnitKind.SOCIAL_ORG, "独居老人探访、心理疏导"),
    ("富民县农业农村局", PartnerUnitKind.GOVERNMENT, "农技指导、产业帮扶"),
    ("中国邮政富民县分公司", PartnerUnitKind.ENTERPRISE, "代收代寄、助农电商"),
    ("富民县消防救援大队", PartnerUnitKind.GOVERNMENT, "消防演练、隐患排查"),
    ("永定街道商会", PartnerUnitKind.SOCIAL_ORG, "就业岗位、慈善捐助"),
]
def _area_codes_by_year() -> dict[int, list[str]]:
    """Area codes in use in each birth year, so generated ID numbers pass every check."""
    pool = ["530124", "530102", "530103", "530111", "530100"]
    table: dict[int, list[str]] = {}
    for year in range(1920, REFERENCE_DATE.year + 1):
        ok = []
        for code in pool:
            n = f"{code}{year}0701123"
            n = n + ric.calc_check_digit(n + "0")
            try:
                ric.get_birth_place(n)
                ok.append(code)
            except Exception:
                pass
        table[year] = ok or ["530124"]
    return table


@dataclass
class Builder:
    seed: int
    households: int
    rng: random.Random = field(init=False)
    stats: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.codes_by_year = _area_codes_by_year()
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.units: list[OrgUnit] = []
        self.next_child: dict[str, int] = {}
        self.house_seq: dict[int, int] = {}
        self.login_users: dict = {}

    # -------------------------------------------------------------- tree
    def unit(self, parent: OrgUnit | None, kind, name, code, party_kind="", party_name="") -> OrgUnit:
        key = parent.path if parent else ""
        n = self.next_child.get(key, 0) + 1
        self.next_child[key] = n
        path = key + f"{n:0{SEGMENT_WIDTH}d}."
        u = OrgUnit(parent=parent, path=path, depth=(parent.depth + 1) if parent else 0, kind=kind, name=name,
                    code=code, party_org_kind=party_kind, party_org_name=party_name, sort_order=n)
        self.units.append(u)
        return u

    def build_tree(self):
        street = self.unit(None, OrgUnitKind.STREET, STREET_NAME, STREET_CODE, PartyOrgKind.WORKING_COMMITTEE,
                           f"中共{STREET_NAME}工作委员会")
        self.street = street
        OrgUnit.objects.bulk_create([street])
        self.units.clear()
        self.leaves: list[tuple[OrgUnit, str, str]] = []  # (unit, address prefix, kind of place)
        self.grids: list[OrgUnit] = []
        self.communities: list[OrgUnit] = []
        self.department = self.unit(street, OrgUnitKind.DEPARTMENT, "街道综治中心", f"{STREET_CODE}-D01")
        n_comm = max(4, self.households // 500)
        for ci in range(n_comm):
            base = COMMUNITY_NAMES[ci % len(COMMUNITY_NAMES)] + ("" if ci < len(COMMUNITY_NAMES) else str(ci // len(COMMUNITY_NAMES) + 1))
            cname = f"{base}社区"
            # 530124001001-199 for the first communities (the villages use 201-203, the site 301);
            # a benchmark-sized street continues at 530124002200 and up, so codes never collide.
            code = f"530124001{ci + 1:03d}" if ci < 199 else f"530124{2001 + ci:06d}"
            comm = self.unit(street, OrgUnitKind.COMMUNITY, cname, code, PartyOrgKind.COMMITTEE,
                             f"中共{cname}委员会")
            self.communities.append(comm)
            for gi in range(3):
                gname = f"第{'一二三四五'[gi]}网格"
                grid = self.unit(comm, OrgUnitKind.GRID, gname, f"{comm.code}-G{gi + 1:02d}", PartyOrgKind.BRANCH,
                                 f"{cname}{gname}党支部")
                self.grids.append(grid)
                compound_name = f"{base}{'苑庭园'[gi]}小区"
                compound = self.unit(grid, OrgUnitKind.COMPOUND, compound_name, f"{grid.code}-C01")
                for bi in range(3):
                    has_group = bi == 0
                    b = self.unit(compound, OrgUnitKind.BUILDING, f"{bi + 1}栋", f"{compound.code}-B{bi + 1:02d}",
                                  PartyOrgKind.GROUP if has_group else "",
                                  f"{compound_name}{bi + 1}栋党小组" if has_group else "")
                    self.leaves.append((b, f"{COUNTY}{STREET_NAME}{cname}{compound_name}{bi + 1}栋", "building"))
        for vi, vname in enumerate(VILLAGE_NAMES):
            village = self.unit(street, OrgUnitKind.VILLAGE, vname, f"530124001{201 + vi:03d}",
                                PartyOrgKind.GENERAL_BRANCH, f"中共{vname}总支部委员会")
            self.communities.append(village)
            for gi in range(4):
                gname = f"第{'一二三四'[gi]}村民小组"
                group = self.unit(village, OrgUnitKind.VILLAGER_GROUP, gname, f"{village.code}-V{gi + 1:02d}",
                                  PartyOrgKind.GROUP, f"{vname}{gname}党小组")
                self.grids.append(group)
                self.leaves.append((group, f"{COUNTY}{STREET_NAME}{vname}{gname}", "village"))
        site = self.unit(street, OrgUnitKind.RELOCATION_SITE, "阳光易地搬迁安置点", f"{STREET_CODE}-R01",
                         PartyOrgKind.WORKING_COMMITTEE, "阳光移民新区党工委")
        scomm = self.unit(site, OrgUnitKind.COMMUNITY, "阳光社区", "530124001301", PartyOrgKind.COMMITTEE,
                          "阳光社区联合大党委")
        self.communities.append(scomm)
        for bi in range(4):
            b = self.unit(scomm, OrgUnitKind.BUILDING, f"阳光{bi + 1}栋", f"{scomm.code}-B{bi + 1:02d}",
                          PartyOrgKind.BRANCH, f"阳光社区{bi + 1}栋党支部")
            for fi in range(3):
                floor = self.unit(b, OrgUnitKind.UNIT_FLOOR, f"{fi * 2 + 1}-{fi * 2 + 2}层", f"{b.code}-F{fi + 1:02d}",
                                  PartyOrgKind.GROUP, f"阳光{bi + 1}栋{fi * 2 + 1}-{fi * 2 + 2}层党小组")
                self.grids.append(floor)
                self.leaves.append((floor, f"{COUNTY}{STREET_NAME}阳光社区阳光{bi + 1}栋", "relocation"))
        # Each grid, villager group and relocation floor has a centre point inside the demo's map box, so a
        # report that gives only a location (Open311 lat/long) reaches the grid that handles it.
        for i, g in enumerate(self.grids):
            g.lat = Decimal("25.150000") + Decimal("0.012") * ((i // 8) % 16)
            g.long = Decimal("102.400000") + Decimal("0.025") * (i % 8)
        # Parents must exist before children: bulk_create level by level.
        by_depth: dict[int, list[OrgUnit]] = {}
        for u in self.units:
            by_depth.setdefault(u.depth, []).append(u)
        for depth in sorted(by_depth):
            for u in by_depth[depth]:
                u.parent_id = u.parent.pk
            OrgUnit.objects.bulk_create(by_depth[depth], batch_size=2000)
        for u in [street, *self.units]:
            OrgUnit.objects.filter(pk=u.pk).update(next_child=self.next_child.get(u.path, 0) + 1) if self.next_child.get(u.path) else None
        self.stats["org_units"] = len(self.units) + 1

    # -------------------------------------------------------------- people
    def name(self, gender: str, surname: str | None = None) -> str:
        sur = surname or self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        given = self.rng.choice(chars) + (self.rng.choice(chars) if self.rng.random() < 0.75 else "")
        return sur + given

    def id_number(self, birth: dt.date, gender: str) -> str:
        codes = self.codes_by_year[birth.year]
        while True:
            code = self.rng.choice(codes)
            seq = self.rng.randrange(0, 1000)
            if (seq % 2 == 1) != (gender == "M"):
                seq = (seq + 1) % 1000
            body = f"{code}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            p = self.rng.choice(["13", "15", "18", "17", "19"]) + f"{self.rng.randrange(0, 10**9):09d}"
            if p not in self.used_phones:
                self.used_phones.add(p)
                return p

    def birth(self, age_min: int, age_max: int) -> dt.date:
        age = self.rng.randint(age_min, age_max)
        return REFERENCE_DATE - dt.timedelta(days=age * 365 + self.rng.randrange(0, 365))

    def person(self, gender, age_min, age_max, surname=None):
        b = self.birth(age_min, age_max)
        return {"gender": gender, "birth": b, "name": self.name(gender, surname), "id": self.id_number(b, gender)}

    def family(self) -> list[tuple[dict, str]]:
        """A household's members: (person, relationship), head first."""
        r = self.rng.random()
        head_gender = "M" if self.rng.random() < 0.72 else "F"
        if r < 0.12:  # one person, often elderly
            return [(self.person(head_gender, 62, 92), Relationship.HEAD)]
        head = self.person(head_gender, 28, 75)
        members = [(head, Relationship.HEAD)]
        age = (REFERENCE_DATE - head["birth"]).days // 365
        if self.rng.random() < 0.85:
            members.append((self.person("F" if head_gender == "M" else "M", max(22, age - 6), min(90, age + 4)),
                            Relationship.SPOUSE))
        surname = head["name"][0] if head_gender == "M" else None
        for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3]) if age < 65 else self.rng.choice([0, 0, 1])):
            g = self.rng.choice("MF")
            members.append((self.person(g, max(0, age - 42), max(0, age - 20), surname), Relationship.CHILD))
        if age < 50 and self.rng.random() < 0.3:
            members.append((self.person(self.rng.choice("MF"), age + 22, min(95, age + 35)), Relationship.PARENT))
        if age >= 55 and self.rng.random() < 0.3:
            members.append((self.person(self.rng.choice("MF"), 1, 14, surname), Relationship.GRANDCHILD))
        return members

    def build_people(self, batch_households: int = 2000, progress=None):
        leaves = self.leaves
        total = self.households
        made = 0
        n_res = n_keys = n_tags = 0
        self.household_ids_by_grid: dict[int, list[int]] = {}
        self.adults_by_grid: dict[int, list[int]] = {}
        grid_of_leaf = {}
        for leaf, _, _ in leaves:
            grid_of_leaf[leaf.pk] = next(g for g in self.grids if leaf.path.startswith(g.path))
        while made < total:
            size = min(batch_households, total - made)
            households, families = [], []
            for i in range(size):
                leaf, prefix, place = leaves[(made + i) % len(leaves)]
                seq = self.house_seq.get(leaf.pk, 0) + 1
                self.house_seq[leaf.pk] = seq
                if place == "village":
                    address = f"{prefix}{seq}号"
                elif place == "relocation":
                    address = f"{prefix}{leaf.name.split('-')[0]}层{seq:02d}室" if False else f"{prefix}{(seq % 6) + 1}层{seq:03d}室"
                else:
                    address = f"{prefix}{(seq - 1) // 12 % 3 + 1}单元{(seq - 1) % 12 // 2 + 1}0{(seq - 1) % 2 + 1}室" if seq <= 72 else f"{prefix}{seq}号"
                h = Household(number=f"{leaf.code}-{seq:04d}", org_unit_id=leaf.pk, org_path=leaf.path,
                              address=address, status="active")
                households.append(h)
                families.append((self.family(), leaf, place, address))
            Household.objects.bulk_create(households, batch_size=2000)
            residents, meta = [], []
            for h, (fam, leaf, place, address) in zip(households, families):
                for person, rel in fam:
                    age = (REFERENCE_DATE - person["birth"]).days // 365
                    phone = self.phone() if age >= 16 and self.rng.random() < 0.8 else ""
                    status = ResidentStatus.LIVING
                    x = self.rng.random()
                    if x < 0.02:
                        status = ResidentStatus.MOVED_OUT
                    elif x < 0.025 and age > 60:
                        status = ResidentStatus.DECEASED
                    if rel == Relationship.HEAD:
                        status = ResidentStatus.LIVING
                    r = Resident(
                        household_id=h.pk, relationship=rel, org_unit_id=leaf.pk, org_path=leaf.path, name=person["name"],
                        name_search=to_simplified(person["name"]), gender=person["gender"], birth_date=person["birth"],
                        id_number=person["id"], id_number_rev=person["id"][::-1], phone=phone, phone_rev=phone[::-1],
                        ethnicity=self.rng.choice(ETHNICITIES), registered_address=address, actual_address="",
                        status=status,
                    )
                    residents.append(r)
                    meta.append((r, h, age, place, len(fam), leaf))
            Resident.objects.bulk_create(residents, batch_size=2000)
            keys, tags = [], []
            for r, h, age, place, fam_size, leaf in meta:
                for k in name_keys(r.name):
                    keys.append(ResidentNameKey(resident_id=r.pk, key=k.key, kind=k.kind, org_path=r.org_path))
                t = set()
                if age >= 80:
                    t.add(SpecialGroup.ELDERLY)
                if age >= 70 and fam_size == 1:
                    t.add(SpecialGroup.ELDERLY_ALONE)
                if self.rng.random() < 0.02:
                    t.add(SpecialGroup.DISABLED)
                if place == "relocation":
                    t.add(SpecialGroup.RELOCATED)
                if age < 16 and r.relationship == Relationship.GRANDCHILD and self.rng.random() < 0.5:
                    t.add(SpecialGroup.LEFT_BEHIND_CHILD)
                if r.gender == "M" and age >= 40 and self.rng.random() < 0.04:
                    t.add(SpecialGroup.VETERAN)
                if r.relationship == Relationship.HEAD and self.rng.random() < (0.12 if place != "building" else 0.03):
                    t.add(SpecialGroup.LOW_INCOME)
                if age >= 18 and self.rng.random() < 0.01:
                    t.add(SpecialGroup.SERIOUS_ILLNESS)
                tags.extend(ResidentTag(resident_id=r.pk, tag=x, org_path=r.org_path) for x in sorted(t))
                grid = grid_of_leaf[leaf.pk]
                if r.relationship == Relationship.HEAD:
                    self.household_ids_by_grid.setdefault(grid.pk, []).append(h.pk)
                if 22 <= age <= 75 and r.status == ResidentStatus.LIVING:
                    self.adults_by_grid.setdefault(grid.pk, []).append(r.pk)
            ResidentNameKey.objects.bulk_create(keys, batch_size=5000)
            ResidentTag.objects.bulk_create(tags, batch_size=5000)
            _set_heads(households[0].pk, households[-1].pk)
            made += size
            n_res += len(residents)
            n_keys += len(keys)
            n_tags += len(tags)
            if progress:
                progress(made, total, n_res)
        self.stats.update(households=made, residents=n_res, name_keys=n_keys, tags=n_tags)

    def build_party_and_staff(self):
        members, links, cadres, volunteers = [], [], [], []
        rng = self.rng
        join_base = REFERENCE_DATE
        party_residents = []
        for grid in self.grids:
            adults = self.adults_by_grid.get(grid.pk, [])
            households = self.household_ids_by_grid.get(grid.pk, [])
            if not adults:
                continue
            n_members = max(2, len(adults) // 12)
            chosen = rng.sample(adults, min(n_members, len(adults)))
            for i, rid in enumerate(chosen):
                status = PartyMemberStatus.PROBATIONARY if rng.random() < 0.06 else PartyMemberStatus.FORMAL
                days = rng.randrange(365, 365 * 30) if status == PartyMemberStatus.FORMAL else rng.randrange(30, 300)
                members.append(PartyMember(resident_id=rid, branch_id=grid.pk, org_path=grid.path, status=status,
                                           join_date=join_base - dt.timedelta(days=days),
                                           party_post="支部书记" if i == 0 else ""))
                party_residents.append((rid, grid, households))
            for rid in rng.sample(adults, min(len(adults), max(1, len(adults) // 30))):
                if rid in chosen:
                    continue
                volunteers.append(Volunteer(resident_id=rid, org_unit_id=grid.pk, org_path=grid.path,
                                            skills=rng.choice(["家电维修", "法律咨询", "理发", "文艺", "医疗护理", "巡逻", ""]),
                                            is_woodpecker=rng.random() < 0.4,
                                            registered_on=join_base - dt.timedelta(days=rng.randrange(10, 900))))
        # Birth dates: keep only members who joined after turning 18.
        births = dict(Resident.objects.filter(pk__in=[m.resident_id for m in members]).values_list("pk", "birth_date"))
        members = [m for m in members if m.join_date >= births[m.resident_id] + dt.timedelta(days=18 * 366)]
        PartyMember.objects.bulk_create(members, batch_size=5000)
        grid_households = {m.pk: self.household_ids_by_grid.get(m.branch_id, []) for m in members}
        for m in members:
            hh = grid_households[m.pk]
            for hid in rng.sample(hh, min(len(hh), rng.randint(3, 8))):
                links.append(PartyMemberHousehold(party_member_id=m.pk, household_id=hid,
                                                  since=join_base - dt.timedelta(days=rng.randrange(30, 1500))))
        PartyMemberHousehold.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
        Volunteer.objects.bulk_create(volunteers, batch_size=5000)
        for comm in self.communities:
            is_village = comm.kind == OrgUnitKind.VILLAGE
            posts = ["党委书记、居委会主任", "党委副书记", "居委会副主任", "党委委员"] if not is_village else [
                "党总支书记、村委会主任", "村委会副主任", "村务监督委员会主任"]
            for i, post in enumerate(posts):
                g = rng.choice("MF")
                cadres.append(Cadre(name=self.name(g), gender=g, phone=self.phone(), kind=CadreKind.CADRE, post=post,
                                    org_unit_id=comm.pk, org_path=comm.path, is_reserve=False))
            for _ in range(2):
                g = rng.choice("MF")
                cadres.append(Cadre(name=self.name(g), gender=g, phone=self.phone(), kind=CadreKind.COMMUNITY_WORKER,
                                    post="社区专职工作者" if not is_village else "村务专干", org_unit_id=comm.pk,
                                    org_path=comm.path, is_reserve=rng.random() < 0.4))
            if is_village:
                g = rng.choice("MF")
                cadres.append(Cadre(name=self.name(g), gender=g, phone=self.phone(), kind=CadreKind.FIRST_SECRETARY,
                                    post="驻村第一书记", org_unit_id=comm.pk, org_path=comm.path, is_village_stationed=True))
        for grid in self.grids:
            g = rng.choice("MF")
            cadres.append(Cadre(name=self.name(g), gender=g, phone=self.phone(), kind=CadreKind.GRID_WORKER,
                                post="专职网格员", org_unit_id=grid.pk, org_path=grid.path))
        Cadre.objects.bulk_create(cadres, batch_size=5000)
        partners = []
        for name, kind, commitments in PARTNERS:
            p = PartnerUnit.objects.create(name=name, kind=kind, party_org_name=f"中共{name}支部委员会",
                                           contact_name=self.name(rng.choice("MF")), contact_phone=self.phone(),
                                           address=f"{COUNTY}{STREET_NAME}")
            partners.append((p, commitments))
        pairings = []
        for i, (p, commitments) in enumerate(partners):
            for comm in {self.communities[i % len(self.communities)], self.communities[(i * 7 + 3) % len(self.communities)]}:
                pairings.append(PartnerPairing(partner=p, org_unit=comm, commitments=commitments,
                                               since=REFERENCE_DATE - dt.timedelta(days=rng.randrange(60, 1200))))
        PartnerPairing.objects.bulk_create(pairings)
        self.stats.update(party_members=len(members), linked_households=len(links), cadres=len(cadres),
                          volunteers=len(volunteers), partner_units=len(partners))

    def build_logins(self, password: str):
        """One login per registered role that names a demo login (the platform's and each module's)."""
        comm = self.communities[0]
        grid = next(g for g in self.grids if g.path.startswith(comm.path))
        second = self.communities[1]
        paired = PartnerPairing.objects.filter(org_unit=comm).select_related("partner").first()
        resident = (Resident.objects.filter(org_path__startswith=grid.path, relationship=Relationship.HEAD,
                                            status=ResidentStatus.LIVING).order_by("id").first())
        village = next((c for c in self.communities if c.kind == OrgUnitKind.VILLAGE), comm)
        units = {"street": self.street, "community": comm, "grid": grid, "second_community": second,
                 "partner_community": comm if paired else second, "village": village}
        logins = []
        for username, role, label, unit_kind in demo_logins():
            unit = units[unit_kind]
            user = User(username=username, display_name=f"演示{label}",
                        resident=resident if role == Role.RESIDENT else None)
            user.set_password(password)
            user.save()
            RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
            logins.append((username, label, unit.name))
            self.login_users[role] = user
        self.logins = logins
        self.resident_household_id = resident.household_id if resident else None
        return logins


def _set_heads(first_id: int, last_id: int) -> None:
    """Heads of a batch of households in one set-based statement (Django's bulk_update writes a
    CASE per row and took 40% of a 300,000-household build)."""
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE people_household SET head_id = r.id, phone = r.phone, phone_rev = r.phone_rev "
            "FROM people_resident r WHERE r.household_id = people_household.id AND r.relationship = 'head' "
            "AND people_household.id BETWEEN %s AND %s",
            [first_id, last_id],
        )


def build_registry_demo(run) -> Builder:
    """The demo street's tree, households, residents, party members, staff and logins: what every other
    module's demo builds on (``run.built["people"]``)."""
    b = Builder(seed=run.seed, households=run.households)
    with transaction.atomic():
        b.build_tree()
    b.build_people(progress=run.progress)
    with transaction.atomic():
        b.build_party_and_staff()
        b.build_logins(settings.DEMO_PASSWORD)
        audit_log(actor=None, action="demo.built", obj=b.street, after={"seed": run.seed, **b.stats})
    return b


def registry_summary(b) -> str:
    s = b.stats
    return (f"{s['org_units']} 个组织单元，{s['households']} 户，{s['residents']} 名居民，{s['party_members']} 名党员"
            f"（联系 {s['linked_households']} 户），{s['cadres']} 名干部，{s['volunteers']} 名志愿者，"
            f"{s['partner_units']} 个共建单位。")


def demo_exists() -> bool:
    return OrgUnit.objects.filter(code=STREET_CODE).exists()
