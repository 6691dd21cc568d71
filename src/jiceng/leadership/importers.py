"""Importing a township's existing two-committee rosters (两委班子花名册) through the import engine: all rows
or none, every reason for a row at once, the upload page, the template and ``jiceng import team_members``."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.scope import IMPORT_MATCH
from jiceng.imports.engine import Importer
from jiceng.imports.parsers import ParseError, parse_date
from jiceng.imports.spec import Column, KindSpec, unit_code_aliases
from jiceng.people.idnumber import normalise
from jiceng.people.models import Resident

from . import permissions, services
from .models import CommitteePost, Education, PartyPost, TeamMember, Term
from .services.teams import TEAM_UNIT_KINDS

TEAM_SPEC = KindSpec("team_members", gettext_lazy("两委班子成员"), (
    Column("unit_code", "村（社区）代码", True, unit_code_aliases("村", "社区", "村社区", "村（社区）", "单位"),
           "530124001001"),
    Column("term_number", "届次", True, ("第几届", "换届届次"), "12"),
    Column("elected_on", "换届日期", True, ("当选日期", "选举日期"), "2026-03-18"),
    Column("id_number", "身份证号", True, ("身份证号码", "公民身份号码"), "530124199201150027"),
    Column("name", "姓名", False, (), "赵敏"),
    Column("party_post", "党组织职务", False, ("党内职务", "支部职务"), "书记"),
    Column("committee_post", "村（居）委会职务", False, ("村委会职务", "居委会职务", "村（居）委职务"), "主任"),
    Column("education", "学历", True, ("文化程度", "最高学历"), "本科"),
), notes=(gettext_lazy("每行一名成员；同一村（社区）同一届的换届日期须一致。党组织职务：书记、副书记、委员；"
                       "村（居）委会职务：主任、副主任、委员；至少填一个。"),))

PARTY_WORDS = {"书记": PartyPost.SECRETARY, "党组织书记": PartyPost.SECRETARY, "支部书记": PartyPost.SECRETARY,
               "副书记": PartyPost.DEPUTY, "党组织副书记": PartyPost.DEPUTY, "委员": PartyPost.MEMBER,
               "党组织委员": PartyPost.MEMBER, "支委": PartyPost.MEMBER}
COMMITTEE_WORDS = {"主任": CommitteePost.DIRECTOR, "村委会主任": CommitteePost.DIRECTOR,
                   "居委会主任": CommitteePost.DIRECTOR, "副主任": CommitteePost.DEPUTY, "委员": CommitteePost.MEMBER,
                   "村委委员": CommitteePost.MEMBER, "居委委员": CommitteePost.MEMBER}
EDUCATION_WORDS = {**{str(label): value for value, label in Education.choices},
                   "小学": Education.PRIMARY, "初中": Education.JUNIOR, "高中": Education.SENIOR, "中专": Education.SENIOR,
                   "大专": Education.COLLEGE, "专科": Education.COLLEGE, "大学专科": Education.COLLEGE,
                   "本科": Education.BACHELOR, "大学本科": Education.BACHELOR, "大学": Education.BACHELOR,
                   "研究生": Education.POSTGRADUATE, "硕士": Education.POSTGRADUATE, "博士": Education.POSTGRADUATE}


class TeamMemberImporter(Importer):
    spec = TEAM_SPEC
    scope_purpose = "leadership_manage"

    @classmethod
    def may_import(cls, actor) -> bool:
        return permissions.can_manage_any(actor)

    @classmethod
    def may_import_under(cls, actor, root) -> bool:
        return permissions.can_manage(actor, root.path)

    def may_write_under(self, unit, purpose: str = "change") -> bool:
        if self.root is not None and not unit.path.startswith(self.root.path):
            return False
        return permissions.can_manage(self.actor, unit.path)

    def _word(self, n, row, key, words: dict, label: str) -> str:
        text = self.cell(row, key)
        if not text:
            return ""
        value = words.get(text)
        if value is None:
            self.error(n, key, text, _("%(l)s“%(t)s”不认识（可填：%(w)s）") % {
                "l": label, "t": text, "w": "、".join(dict.fromkeys(words))})
            return ""
        return value

    def validate(self):
        rows, first = self.sheet.rows, self.sheet.first_row_number
        units = self.units_by_code(self.cell(r, "unit_code") for r in rows)
        ids = [normalise(self.cell(r, "id_number")) for r in rows]
        residents = {r.id_number: r for r in Resident.objects.unscoped(IMPORT_MATCH).filter(id_number__in=ids)}
        terms = {(t.org_unit_id, t.number): t for t in Term.objects.unscoped(IMPORT_MATCH).filter(
            org_unit__in=list(units.values()))}
        members = {(m.term_id, m.resident_id): m for m in TeamMember.objects.unscoped(IMPORT_MATCH).filter(
            term__in=list(terms.values()))}
        new_terms: dict = {}     # (unit pk, number) -> (elected_on, first row)
        seen: dict = {}
        self.plan = []
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            code = self.text(n, row, "unit_code", required=True, max_length=32)
            unit = self.unit_in_scope(n, "unit_code", code, units)
            if unit is not None and unit.kind not in TEAM_UNIT_KINDS:
                self.error(n, "unit_code", code, _("“%(u)s”不是村或社区，没有两委班子") % {"u": unit.name})
                unit = None
            number_text = self.cell(row, "term_number").removeprefix("第").removesuffix("届")
            number = int(number_text) if number_text.isdigit() and int(number_text) > 0 else None
            if number is None:
                self.error(n, "term_number", self.cell(row, "term_number"), _("届次应为正整数，如 12 或 第12届"))
            elected = None
            try:
                elected = parse_date(self.cell(row, "elected_on"))
                if elected is None:
                    self.error(n, "elected_on", "", _("必填，不能为空"))
            except ParseError as exc:
                self.error(n, "elected_on", self.cell(row, "elected_on"), str(exc))
            raw = self.text(n, row, "id_number", required=True, max_length=24)
            resident = residents.get(normalise(raw))
            if raw and resident is None:
                self.error(n, "id_number", raw, _("没有登记这个身份证号的居民，请先导入居民"))
            elif resident is not None and unit is not None and not resident.org_path.startswith(unit.path):
                self.error(n, "id_number", raw, _("“%(n)s”不在%(u)s的人口登记里") % {"n": resident.name, "u": unit.name})
                resident = None
            name = self.cell(row, "name")
            if resident is not None and name and name not in (resident.name, resident.name_search):
                self.error(n, "name", name, _("姓名与身份证号登记的“%(n)s”不一致") % {"n": resident.name})
            party = self._word(n, row, "party_post", PARTY_WORDS, _("党组织职务"))
            committee = self._word(n, row, "committee_post", COMMITTEE_WORDS, _("村（居）委会职务"))
            if not party and not committee and not self.cell(row, "party_post") and not self.cell(row, "committee_post"):
                self.error(n, "party_post", "", _("党组织职务和村（居）委会职务至少填一个"))
            education = self._word(n, row, "education", EDUCATION_WORDS, _("学历"))
            if not self.cell(row, "education"):
                self.error(n, "education", "", _("必填，不能为空"))
            if unit is None or number is None or elected is None:
                continue
            key = (unit.pk, number)
            term = terms.get(key)
            if term is not None and term.elected_on != elected:
                self.error(n, "elected_on", self.cell(row, "elected_on"),
                           _("第%(n)s届已登记的换届日期是 %(d)s") % {"n": number, "d": term.elected_on})
            elif term is None:
                earlier = new_terms.get(key)
                if earlier is not None and earlier[0] != elected:
                    self.error(n, "elected_on", self.cell(row, "elected_on"),
                               _("与第%(r)d行同一届的换届日期不一致") % {"r": earlier[1]})
                new_terms.setdefault(key, (elected, n))
            if resident is not None:
                who = (unit.pk, number, resident.pk)
                if who in seen:
                    self.error(n, "id_number", raw, _("与第%(r)d行重复") % {"r": seen[who]})
                    continue
                seen[who] = n
                existing = members.get((term.pk, resident.pk)) if term is not None else None
                if existing is not None and (existing.party_post, existing.committee_post) != (party, committee):
                    self.error(n, "party_post", party or committee,
                               _("已登记为“%(p)s”；届中职务调整请在班子页面登记") % {"p": existing.posts})
                self.plan.append({"row": n, "unit": unit, "number": number, "elected": elected, "resident": resident,
                                  "party": party, "committee": committee, "education": education,
                                  "existing": existing})
        # A new term may not overlap the unit's terms already registered, nor another new one in the file.
        by_unit: dict = {}
        for t in terms.values():
            by_unit.setdefault(t.org_unit_id, []).append((t.elected_on, t.number, t.ends_on, None))
        for (unit_pk, number), (elected, n) in sorted(new_terms.items(), key=lambda kv: kv[1][0]):
            for other_elected, other_number, other_ends, other_row in by_unit.get(unit_pk, []):
                later = elected > other_elected and (other_ends is None or elected >= other_ends)
                if not later or number <= other_number:
                    where = _("第%(r)d行的") % {"r": other_row} if other_row else _("已登记的")
                    self.error(n, "elected_on", str(elected), _("第%(n)s届与%(w)s第%(o)s届（%(d)s）重叠或顺序颠倒") % {
                        "n": number, "w": where, "o": other_number, "d": other_elected})
                    break
            by_unit.setdefault(unit_pk, []).append((elected, number, None, n))
        # Posts held by one person per term: two secretaries or two directors in one file are a mistake.
        for post_key, post in (("party", PartyPost.SECRETARY), ("committee", CommitteePost.DIRECTOR)):
            holders: dict = {}
            for p in self.plan:
                if p[post_key] == post and p["existing"] is None:
                    k = (p["unit"].pk, p["number"])
                    if k in holders:
                        self.error(p["row"], "party_post" if post_key == "party" else "committee_post", str(post.label),
                                   _("与第%(r)d行同为本届%(p)s") % {"r": holders[k], "p": post.label})
                    holders[k] = p["row"]
        if not self.errors:
            self.result.created = sum(1 for p in self.plan if p["existing"] is None)
            self.result.unchanged = len(self.plan) - self.result.created
            self.result.extra = {"terms_created": len(new_terms)}

    def apply(self):
        # Terms in the order of their elections, so each closes the one before.
        made: dict = {}
        for p in sorted(self.plan, key=lambda p: (p["unit"].path, p["elected"])):
            if p["existing"] is not None:
                continue
            key = (p["unit"].pk, p["number"])
            term = made.get(key) or Term.objects.unscoped(IMPORT_MATCH).filter(
                org_unit=p["unit"], number=p["number"]).first()
            if term is None:
                term = services.term_create(actor=self.actor, org_unit=p["unit"], number=p["number"],
                                            elected_on=p["elected"])
            made[key] = term
            services.member_add(actor=self.actor, term=term, resident=p["resident"], party_post=p["party"],
                                committee_post=p["committee"], education=p["education"])
