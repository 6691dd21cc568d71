"""The asset register (资源、资产、资金台账) and revitalisation of idle assets (闲置资产盘活)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

__all__ = ["MONEY", "money_field", "AssetCategory", "AssetKind", "AssetStatus", "AreaUnit", "Asset",
           "AssetDocument", "RevitalisationStatus", "Revitalisation"]

# Yuan with two decimals, up to 99,999,999,999,999.99.
MONEY = {"max_digits": 16, "decimal_places": 2}


def money_field(label, **kw):
    return models.DecimalField(label, **MONEY, **kw)


class AssetCategory(models.TextChoices):
    RESOURCE = "resource", _("资源")
    ASSET = "asset", _("资产")
    FUND = "fund", _("资金")


class AssetKind(models.TextChoices):
    LAND = "land", _("土地")
    BUILDING = "building", _("房屋建筑")
    FACILITY = "facility", _("设施")
    EQUIPMENT = "equipment", _("设备")
    FUND = "fund", _("资金")
    EQUITY = "equity", _("股权")


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    IDLE = "idle", _("闲置")
    LEASED = "leased", _("出租")
    UNDER_TRANSACTION = "under_transaction", _("交易中")
    DISPOSED = "disposed", _("已处置")


class AreaUnit(models.TextChoices):
    SQUARE_METRE = "m2", _("平方米")
    MU = "mu", _("亩")


class Asset(models.Model):
    """One item of a village's or community's collective register (三资台账): a piece of land, a building,
    a facility, equipment, a fund or a shareholding, with its values and what it brings in a year."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    code = models.CharField(_("资产编号"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=10, choices=AssetCategory.choices)
    kind = models.CharField(_("种类"), max_length=12, choices=AssetKind.choices)
    location = models.CharField(_("坐落位置"), max_length=200, blank=True)
    area = models.DecimalField(_("面积"), max_digits=14, decimal_places=2, null=True, blank=True)
    area_unit = models.CharField(_("面积单位"), max_length=4, choices=AreaUnit.choices, blank=True)
    original_value = money_field(_("原值（元）"))
    current_value = money_field(_("现值（元）"))
    yearly_output = money_field(_("年收益（元）"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_USE)
    acquired_on = models.DateField(_("取得日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("集体资产")
        ordering = ["org_path", "code"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "code"], name="assets_asset_code_unique"),
            models.CheckConstraint(condition=Q(original_value__gte=0) & Q(current_value__gte=0)
                                   & Q(yearly_output__gte=0), name="assets_asset_values_non_negative"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="assets_asset_scope_status")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class AssetDocument(models.Model):
    """A document or photo kept with an asset (权属证明、合同、照片)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="documents")
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="assets/%Y/%m/")
    is_photo = models.BooleanField(_("照片"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资产附件")
        ordering = ["-uploaded_at"]


class RevitalisationStatus(models.TextChoices):
    PLANNED = "planned", _("盘活中")
    DONE = "done", _("已盘活")
    DROPPED = "dropped", _("已终止")


class Revitalisation(models.Model):
    """The plan to bring an idle or low-yield asset back into use (闲置资产盘活), with the yearly output
    expected and, once done, reached."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="revitalisations")
    org_path = models.CharField(max_length=255, db_index=True)
    plan = models.CharField(_("盘活方式"), max_length=200)
    expected_output = money_field(_("预期年收益（元）"))
    actual_output = money_field(_("实际年收益（元）"), null=True, blank=True)
    started_on = models.DateField(_("开始日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RevitalisationStatus.choices,
                              default=RevitalisationStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("闲置资产盘活")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["asset"], condition=Q(status="planned"), name="assets_revitalisation_open_once"),
            models.CheckConstraint(condition=Q(expected_output__gte=0), name="assets_revitalisation_expected_non_negative"),
        ]
