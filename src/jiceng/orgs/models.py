"""The organisation tree (组织体系): streets, communities, villages, grids, buildings, floors.

Stored as a materialised path: each unit's ``path`` is its parent's path plus a fixed-width
segment and a dot ("00001.00003."), so "everything under X" is one indexed prefix range
(``path LIKE 'X%'``) on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SEGMENT_WIDTH = 5


class OrgUnitKind(models.TextChoices):
    STREET = "street", _("街道")
    TOWNSHIP = "township", _("乡镇")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    VILLAGER_GROUP = "villager_group", _("村民小组")
    RELOCATION_SITE = "relocation_site", _("安置点")
    GRID = "grid", _("网格")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT_FLOOR = "unit_floor", _("单元/楼层")
    DEPARTMENT = "department", _("职能部门")


# Kinds that carry a 12-digit statistical division code (统计用区划代码).
DIVISION_CODE_KINDS = {OrgUnitKind.STREET, OrgUnitKind.TOWNSHIP, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE}
# Kinds a household can live in.
HOUSEHOLD_KINDS = {
    OrgUnitKind.GRID, OrgUnitKind.BUILDING, OrgUnitKind.UNIT_FLOOR, OrgUnitKind.VILLAGER_GROUP,
    OrgUnitKind.COMPOUND, OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY, OrgUnitKind.RELOCATION_SITE,
}


class PartyOrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("党工委")
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


def path_and_ancestors(path: str) -> list[str]:
    """Every prefix of a materialised path that names a unit, the path itself last:
    "00001.00003." -> ["00001.", "00001.00003."]."""
    step = SEGMENT_WIDTH + 1
    return [path[: i + step] for i in range(0, len(path), step)]


class OrgUnitQuerySet(models.QuerySet):
    def accessible_to(self, user, *, purpose: str = "view"):
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user, purpose=purpose)
        if scope.everything:
            return self
        if not scope.paths:
            return self.none()
        q = Q()
        for p in scope.paths:
            q |= Q(path__startswith=p)
        return self.filter(q)

    def subtree(self, unit: "OrgUnit"):
        return self.filter(path__startswith=unit.path)


class OrgUnit(models.Model):
    """A unit of the tree (组织单元) with the party organisation attached to it (its 党组织)."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField()
    next_child = models.PositiveIntegerField(default=1)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgUnitKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32, unique=True,
                            help_text=_("街道、乡镇、社区、村使用12位统计用区划代码"))
    party_org_kind = models.CharField(_("党组织类型"), max_length=20, choices=PartyOrgKind.choices, blank=True)
    party_org_name = models.CharField(_("党组织名称"), max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    # The unit's centre point (中心点, degrees, the same datum as the reports' coordinates): a report
    # that gives only a location goes to the nearest unit (reports.geo.unit_nearest).
    lat = models.DecimalField(_("中心点纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("中心点经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A unit split or merged away is kept as history (撤并): it ends on a day and names the unit that took
    # over its own records (its successor); its path stays reserved and nothing is left under it.
    ended_on = models.DateField(_("撤销日期"), null=True, blank=True)
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors",
                                  verbose_name=_("承继单元"))

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织单元")
        indexes = [
            models.Index(fields=["parent", "sort_order"]),
            models.Index(fields=["kind"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_paths(self) -> list[str]:
        return path_and_ancestors(self.path)[:-1]

    def ancestors(self):
        return OrgUnit.objects.filter(path__in=self.ancestor_paths).order_by("depth")

    def full_name(self) -> str:
        names = list(self.ancestors().values_list("name", flat=True)) + [self.name]
        return " / ".join(names)

    def is_within(self, path: str) -> bool:
        return self.path.startswith(path)

    @property
    def has_party_org(self) -> bool:
        return bool(self.party_org_kind)


class UnitChangeKind(models.TextChoices):
    MOVE = "move", _("迁移")
    SPLIT = "split", _("拆分")
    MERGE = "merge", _("合并")


class UnitChange(models.Model):
    """A change of the tree's shape (区划调整): a unit moved under another parent, split into several units or
    merged into another. Written once with the rewrite it describes, never edited."""

    keeps_org_path = True  # history of the tree: a later change never rewrites it

    kind = models.CharField(_("类型"), max_length=10, choices=UnitChangeKind.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="changes", verbose_name=_("单元"))
    effective_on = models.DateField(_("生效日期"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("改写记录数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("区划调整")


class UnitPathChange(models.Model):
    """One prefix rewritten by a change: everything that sat under ``old_path`` now sits under ``new_path``
    (a moved subtree, or a part of a split unit). Figures for a period before the change map through these
    rows to find the records of a unit as it was."""

    keeps_org_path = True  # history of the tree: a later change never rewrites it

    change = models.ForeignKey(UnitChange, on_delete=models.PROTECT, related_name="paths")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    old_path = models.CharField(max_length=255, db_index=True)
    new_path = models.CharField(max_length=255, db_index=True)
    # A part of a split unit: everything under ``new_path`` came from ``old_path`` (not the other way round).
    part = models.BooleanField(default=False)

    class Meta:
        ordering = ["change_id", "id"]
