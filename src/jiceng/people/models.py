"""The people registry (人员台账): households, residents, party members, cadres, volunteers,
partner units.

Every row that belongs somewhere in the tree carries ``org_path``, a copy of its unit's
materialised path, so that scope is one indexed prefix filter on the row's own table.
"""
from __future__ import annotations

import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

from .search import KEY_FULL, KEY_INITIALS, KEY_SURNAME


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    MOVED_OUT = "moved_out", _("已迁出")
    CANCELLED = "cancelled", _("已注销")


class ResidentStatus(models.TextChoices):
    LIVING = "living", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")


class Relationship(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class SpecialGroup(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    DISABLED = "disabled", _("残疾人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    LOW_INCOME = "low_income", _("低保户")
    RELOCATED = "relocated", _("易地搬迁")
    VETERAN = "veteran", _("退役军人")
    ELDERLY = "elderly", _("80岁以上老人")
    SERIOUS_ILLNESS = "serious_illness", _("大病患者")
    UNEMPLOYED = "unemployed", _("失业人员")


class HouseholdQuerySet(ScopedQuerySet):
    def _own_rows(self, qs, scope):
        if scope.resident_household_id:
            return qs | self.filter(pk=scope.resident_household_id)
        return qs


class ResidentQuerySet(ScopedQuerySet):
    def _own_rows(self, qs, scope):
        if scope.resident_household_id:
            return qs | self.filter(household_id=scope.resident_household_id)
        if scope.resident_id:
            return qs | self.filter(pk=scope.resident_id)
        return qs


# Province (or autonomous region), city, county (or district, county-level city) and street (or town,
# township) at the start of a full address.
_ADMIN_PREFIX = re.compile(r"^(?:\S{2,}?(?:省|自治区))?\S{2,}?市\S{2,}?(?:县|区|市|旗)\S{2,}?(?:街道|镇|乡)")


class Household(models.Model):
    """A household (户): where it lives, who heads it, who belongs to it."""

    number = models.CharField(_("户编号"), max_length=32, unique=True)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="households",
                                 verbose_name=_("所在网格/楼栋"))
    org_path = models.CharField(max_length=255)  # indexed by household_scope_idx
    address = models.CharField(_("住址"), max_length=255, help_text=_("精确到门牌号/房号"))
    head = models.ForeignKey("Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("户主"))
    status = models.CharField(_("状态"), max_length=20, choices=HouseholdStatus.choices,
                              default=HouseholdStatus.ACTIVE)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    phone_rev = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("户")
        # One btree per search: the key columns use the C collation on PostgreSQL, so a plain btree
        # serves LIKE 'prefix%' too (no varchar_pattern_ops twin, see migration 0004).
        indexes = [models.Index(fields=["org_path", "id"], name="household_scope_idx"),
                   models.Index(fields=["phone_rev"], name="household_phone_rev_idx")]

    @property
    def short_address(self) -> str:
        """The address without the province, city, county and street every household of the site shares
        (云南省昆明市富民县永定街道翠湖社区…1栋302室 → 翠湖社区…1栋302室)."""
        return _ADMIN_PREFIX.sub("", self.address, count=1) or self.address

    @property
    def display_name(self) -> str:
        """How people name a household: its head and address (王一 · 幸福路12号); the number is for lookups."""
        head = self.head.name if self.head_id and self.head else ""
        return f"{head} · {self.short_address}" if head else (self.short_address or self.number)

    def __str__(self) -> str:
        return self.display_name


class Resident(models.Model):
    """A resident (居民/村民), usually a member of a household."""

    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="members", verbose_name=_("所属户"),
                                  db_index=False)  # resident_household_idx leads with it
    relationship = models.CharField(_("与户主关系"), max_length=20, choices=Relationship.choices, blank=True)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="residents",
                                 verbose_name=_("所在网格/楼栋"))
    org_path = models.CharField(max_length=255)  # indexed by resident_scope_idx
    name = models.CharField(_("姓名"), max_length=50)
    name_search = models.CharField(max_length=50)  # simplified form, for search
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    id_number_rev = models.CharField(max_length=18)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    phone_rev = models.CharField(max_length=20, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    registered_address = models.CharField(_("户籍地址"), max_length=255, blank=True)
    actual_address = models.CharField(_("现居住地址"), max_length=255, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ResidentStatus.choices,
                              default=ResidentStatus.LIVING)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民")
        indexes = [
            models.Index(fields=["org_path", "id"], name="resident_scope_idx"),
            models.Index(fields=["household", "relationship"], name="resident_household_idx"),
            # One btree per search key (C collation on PostgreSQL: it serves LIKE 'prefix%' too).
            models.Index(fields=["name_search"], name="resident_name_idx"),
            models.Index(fields=["id_number_rev"], name="resident_id_rev_idx"),
            models.Index(fields=["phone_rev"], name="resident_phone_rev_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int:
        from datetime import date

        today = date.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class ResidentTag(models.Model):
    """A special-group tag on a resident (特殊群体标签)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags",
                                 db_index=False)  # resident_tag_unique leads with it
    tag = models.CharField(_("标签"), max_length=30, choices=SpecialGroup.choices)
    org_path = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")]
        indexes = [models.Index(fields=["tag", "org_path"], name="resident_tag_scope_idx")]


class ResidentNameKey(models.Model):
    """A pinyin spelling of a resident's name (全拼、首字母或姓氏读音), one row per spelling, for prefix search.

    The surname is read as a surname (曾小明: zengxiaoming, zxm, surname zeng) and, where its common
    reading differs, that reading too (cengxiaoming, cxm), so "zxm" and "cxm" both find 曾小明; an exact
    match of the full name, then of the surname reading, ranks before a prefix (``search.name_keys``).
    """

    class Kind(models.IntegerChoices):
        FULL = KEY_FULL, _("全拼")
        SURNAME = KEY_SURNAME, _("姓氏读音")
        INITIALS = KEY_INITIALS, _("首字母")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="name_keys",
                                 db_index=False)  # resident_namekey_unique leads with it
    key = models.CharField(max_length=64)
    kind = models.PositiveSmallIntegerField(choices=Kind.choices, default=Kind.FULL)
    org_path = models.CharField(max_length=255)

    class Meta:
        indexes = [
            # Walking keys in order (wide scopes) and within one unit (narrow scopes); the columns use
            # the C collation on PostgreSQL, so LIKE 'prefix%' is a range on these btrees.
            models.Index(fields=["key", "resident_id"], include=["org_path"], name="resident_namekey_walk_idx"),
            models.Index(fields=["org_path", "key"], include=["resident_id"], name="resident_namekey_scope_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["resident", "key"], name="resident_namekey_unique")]


class PartyMemberStatus(models.TextChoices):
    FORMAL = "formal", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class PartyMemberQuerySet(ScopedQuerySet):
    def _own_rows(self, qs, scope):
        if scope.resident_id:
            return qs | self.filter(resident_id=scope.resident_id)
        return qs


class PartyMember(models.Model):
    """A party member (党员): their branch, and the households they are linked to (党员联系户)."""

    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="party_member")
    branch = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="party_members",
                               verbose_name=_("所在党组织"))
    org_path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(_("党员类型"), max_length=20, choices=PartyMemberStatus.choices,
                              default=PartyMemberStatus.FORMAL)
    join_date = models.DateField(_("入党日期"))
    party_post = models.CharField(_("党内职务"), max_length=50, blank=True)
    linked_households = models.ManyToManyField(Household, through="PartyMemberHousehold", blank=True,
                                               related_name="linked_party_members")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")

    def __str__(self) -> str:
        return self.resident.name


class PartyMemberHousehold(models.Model):
    """A party member's link to a household they serve (党员联系户)."""

    party_member = models.ForeignKey(PartyMember, on_delete=models.CASCADE)
    household = models.ForeignKey(Household, on_delete=models.CASCADE)
    since = models.DateField(_("联系起始日期"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party_member", "household"], name="pm_household_unique")]


class CadreKind(models.TextChoices):
    CADRE = "cadre", _("干部")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    FIRST_SECRETARY = "first_secretary", _("驻村第一书记")
    STATIONED = "stationed", _("驻村工作队员")


class Cadre(models.Model):
    """A cadre or community worker (干部/社区工作者) with their post."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=CadreKind.choices, default=CadreKind.CADRE)
    post = models.CharField(_("职务"), max_length=50)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="cadres")
    org_path = models.CharField(max_length=255, db_index=True)
    is_reserve = models.BooleanField(_("后备干部"), default=False)
    is_village_stationed = models.BooleanField(_("驻村干部"), default=False)
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.OneToOneField("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="cadre")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("干部")

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"


class Volunteer(models.Model):
    """A registered volunteer (志愿者)."""

    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="volunteer")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="volunteers")
    org_path = models.CharField(max_length=255, db_index=True)
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    is_woodpecker = models.BooleanField(_("啄木鸟志愿者"), default=False)
    registered_on = models.DateField(_("登记日期"))

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.resident.name


class PartnerUnitKind(models.TextChoices):
    GOVERNMENT = "government", _("机关单位")
    INSTITUTION = "institution", _("事业单位")
    ENTERPRISE = "enterprise", _("企业")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    SOCIAL_ORG = "social_org", _("社会组织")


class PartnerUnitQuerySet(models.QuerySet):
    def accessible_to(self, user, *, purpose: str = "view"):
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user, purpose=purpose)
        if scope.everything:
            return self
        if not scope.paths:
            return self.none()
        q = Q()
        for p in scope.paths:
            q |= Q(pairings__org_unit__path__startswith=p)
        return self.filter(pk__in=PartnerUnit.objects.filter(q).values("pk"))


class PartnerUnit(models.Model):
    """A partner unit (共驻共建单位) paired with one or more communities."""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=PartnerUnitKind.choices)
    party_org_name = models.CharField(_("单位党组织"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("共建单位")

    def __str__(self) -> str:
        return self.name


class PartnerPairing(models.Model):
    """A partner unit's pairing with a community (结对共建)."""

    partner = models.ForeignKey(PartnerUnit, on_delete=models.CASCADE, related_name="pairings")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="partner_pairings")
    since = models.DateField(_("结对日期"), null=True, blank=True)
    commitments = models.TextField(_("共建事项"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "org_unit"], name="partner_pairing_unique")]
