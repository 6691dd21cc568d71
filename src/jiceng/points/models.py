"""Resident points (积分制): points lists, declarations, review, publicity, the ledger, star
ratings, points cards and points supermarkets.

Money-like data lives in two ledgers on core's ledger primitive (``jiceng.core.ledger``):
``PointsLedgerEntry`` (a household's points, hash-chained per programme) and ``StockEntry`` (a
product's stock, hash-chained per product). The stored balances (``PointsAccount.balance``,
``Product.stock``) are caches updated under a row lock in the same transaction as the entry,
guarded by ``CHECK (... >= 0)``, and re-derived by ``jiceng ledgers verify``.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.ledger import GENESIS, Ledger, LedgerEntry, LedgerHead  # noqa: F401 - GENESIS re-exported
from jiceng.core.scope import ScopedQuerySet

from .errors import InsufficientPoints, InsufficientStock


class RatingMethod(models.TextChoices):
    THRESHOLD = "threshold", _("按积分分档")
    CATEGORY = "category", _("按类别得星")


class RatingPeriod(models.TextChoices):
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class PointsProgramme(LedgerHead):
    """A site's points programme (积分制度): the unit it covers, its rules, and its ledger's chain
    head (``chain_seq``, ``chain_hash``: every entry of the programme is on one chain)."""

    org_unit = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="points_programme",
                                    verbose_name=_("实施单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    rating_method = models.CharField(_("星级评定方式"), max_length=20, choices=RatingMethod.choices,
                                     default=RatingMethod.THRESHOLD)
    rating_period = models.CharField(_("评定周期"), max_length=20, choices=RatingPeriod.choices,
                                     default=RatingPeriod.QUARTER)
    star_thresholds = models.CharField(_("星级分档（一至五星所需积分）"), max_length=60, default="10,20,40,60,80")
    yearly_clearing = models.BooleanField(_("每年清零"), default=False)
    exchange_points = models.PositiveIntegerField(_("兑换比例：积分"), default=10)
    exchange_yuan = models.DecimalField(_("兑换比例：折合金额（元）"), max_digits=8, decimal_places=2, default=5)
    card_prefix = models.CharField(_("卡号前缀"), max_length=6, default="JF")
    card_seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分制度")
        constraints = [models.CheckConstraint(condition=Q(publicity_days__gte=1), name="programme_publicity_days_positive")]

    def __str__(self) -> str:
        return self.name

    def thresholds(self) -> list[int]:
        return [int(x) for x in self.star_thresholds.split(",") if x.strip()]


class ExchangeRule(models.Model):
    """How many points an event elsewhere earns (兑换规则), e.g. one verified problem report → 10 points."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.CASCADE, related_name="exchange_rules")
    event_code = models.CharField(_("事件"), max_length=50)
    label = models.CharField(_("说明"), max_length=100)
    points = models.IntegerField(_("积分"))

    class Meta:
        verbose_name = _("兑换规则")
        constraints = [models.UniqueConstraint(fields=["programme", "event_code"], name="exchange_rule_unique")]


class PointsCategory(models.Model):
    """A category of the points list (积分类别): 环境卫生, 家风家教, 孝老爱亲, ..."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("类别"), max_length=30)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("积分类别")
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="points_category_unique")]

    def __str__(self) -> str:
        return self.name


class CapPeriod(models.TextChoices):
    NONE = "", _("不限")
    MONTH = "month", _("每月")
    YEAR = "year", _("每年")


class PointsItemQuerySet(ScopedQuerySet):
    pass


class PointsItem(models.Model):
    """One item of a points list (积分清单项) at one version.

    A list belongs to an org unit and is inherited by the units below it; a unit overrides an
    inherited item by defining one with the same ``code`` (``is_active=False`` hides it there).
    Items are versioned: an edit retires this row and creates the next version, so a declaration
    keeps pointing at the rules it was granted under.
    """

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="items")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="points_items",
                                 verbose_name=_("清单所属单元"))
    org_path = models.CharField(max_length=255, db_index=True)
    code = models.CharField(_("编号"), max_length=20)
    version = models.PositiveIntegerField(_("版本"), default=1)
    category = models.ForeignKey(PointsCategory, on_delete=models.PROTECT, related_name="items",
                                 verbose_name=_("类别"))
    name = models.CharField(_("项目"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    points = models.IntegerField(_("分值"), help_text=_("加分为正，扣分为负"))
    evidence_required = models.BooleanField(_("需要佐证材料"), default=False)
    cap_period = models.CharField(_("限额周期"), max_length=10, choices=CapPeriod.choices, blank=True, default="")
    cap_count = models.PositiveIntegerField(_("周期内最多次数"), null=True, blank=True)
    cap_points = models.PositiveIntegerField(_("周期内最多分值"), null=True, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PointsItemQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "code", "-version"]
        verbose_name = _("积分项目")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "code", "version"], name="points_item_version_unique"),
            models.UniqueConstraint(fields=["org_unit", "code"], condition=Q(retired_at__isnull=True),
                                    name="points_item_one_current"),
            models.CheckConstraint(condition=~Q(points=0), name="points_item_nonzero"),
        ]

    def __str__(self) -> str:
        sign = "+" if self.points > 0 else ""
        return f"{self.name}（{sign}{self.points}分）"


class PointsEvent(models.Model):
    """An event whose attendees are recorded in bulk (活动), e.g. a Saturday clean-up."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="events")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("活动日期"))
    item = models.ForeignKey(PointsItem, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分活动")


class DeclarationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    PUBLICISING = "publicising", _("公示中")
    POSTED = "posted", _("已入账")
    REJECTED = "rejected", _("未通过")


class DeclarationSource(models.TextChoices):
    RESIDENT = "resident", _("居民申报")
    WORKER = "worker", _("网格员记录")
    EVENT = "event", _("活动批量记录")
    SERVICE = "service", _("业务奖励")


class PointsDeclarationQuerySet(ScopedQuerySet):
    def _own_rows(self, qs, scope):
        if scope.resident_household_id:
            return qs | self.filter(household_id=scope.resident_household_id)
        return qs


class PointsDeclaration(models.Model):
    """A points record (积分申报/记录) for a household: declared by a resident, recorded by a
    worker, recorded in bulk for an event, or granted by another module. It goes through review
    and publicity before it posts to the ledger."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="declarations")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="points_declarations",
                                  verbose_name=_("户"))
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="points_declarations", verbose_name=_("居民"))
    org_path = models.CharField(max_length=255)
    item = models.ForeignKey(PointsItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="declarations", verbose_name=_("积分项目"))
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    quantity = models.PositiveSmallIntegerField(_("次数"), default=1)
    points = models.IntegerField(_("积分"))
    requested_points = models.IntegerField(_("申报积分"))
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("情况说明"), blank=True)
    photo = models.ImageField(_("佐证照片"), upload_to="points/evidence/%Y/%m/", blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=DeclarationSource.choices)
    event = models.ForeignKey(PointsEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="declarations")
    status = models.CharField(_("状态"), max_length=20, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    publicity_starts_at = models.DateTimeField(null=True, blank=True)
    publicity_ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.ForeignKey("PointsLedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    objects = PointsDeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("积分申报")
        indexes = [
            models.Index(fields=["org_path", "status"], name="declaration_scope_idx"),
            models.Index(fields=["household", "occurred_on"], name="declaration_household_idx"),
            models.Index(fields=["status", "publicity_ends_at"], name="declaration_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["programme", "idempotency_key"], name="declaration_idempotency_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="declaration_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name if self.item_id else self.reason} {self.points:+d}"

    @property
    def title(self) -> str:
        return self.item.name if self.item_id else self.reason


class PublicityObjection(models.Model):
    """An objection (异议) lodged during a publicity period; it sends the item back to review."""

    declaration = models.ForeignKey(PointsDeclaration, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField(_("异议理由"))
    name = models.CharField(_("姓名（可不填）"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话（可不填）"), max_length=20, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField()
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(_("核实情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("公示异议")


class PointsAccountQuerySet(ScopedQuerySet):
    def _own_rows(self, qs, scope):
        if scope.resident_household_id:
            return qs | self.filter(household_id=scope.resident_household_id)
        return qs


class PointsAccount(models.Model):
    """A household's points account (积分账户). ``balance`` caches the sum of its ledger entries."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="accounts")
    household = models.OneToOneField("people.Household", on_delete=models.PROTECT, related_name="points_account")
    org_path = models.CharField(max_length=255, db_index=True)
    balance = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PointsAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分账户")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_non_negative")]


class EntryKind(models.TextChoices):
    GRANT = "grant", _("加分")
    DEDUCTION = "deduction", _("扣分")
    REDEMPTION = "redemption", _("兑换")
    REVERSAL = "reversal", _("冲正")
    EXPIRY = "expiry", _("年度清零")


class PointsLedgerEntry(LedgerEntry):
    """One append-only change of a household's points (积分流水), on core's ledger primitive. Never
    updated or deleted: a correction is a reversal entry. All entries of a programme are on one
    chain (the programme is the chain head); ``entry_hash`` covers the hashed fields below and the
    previous entry's hash."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=20, choices=EntryKind.choices)
    amount = models.IntegerField(_("积分变动"))
    balance_after = models.IntegerField(_("变动后余额"))
    memo = models.CharField(_("摘要"), max_length=255, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)

    # The hashed fields and their order are the chain's format since its first entry: never change them.
    # Every grant, deduction and redemption posts here: its statement is prepared on first use.
    ledger = Ledger(chain="programme", insufficient=InsufficientPoints, prepare=True,
                    hashed=("programme", "account", "kind", "amount", "balance_after", "idempotency_key", "source_type",
                            "source_id", "reverses", "memo", "actor_id", "created_at"))

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("积分流水")
        constraints = [
            models.UniqueConstraint(fields=["programme", "seq"], name="ledger_seq_unique"),
            models.UniqueConstraint(fields=["programme", "idempotency_key"], name="ledger_idempotency_unique"),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_nonzero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_after_non_negative"),
        ]
        indexes = [models.Index(fields=["account", "seq"], name="ledger_account_idx"),
                   models.Index(fields=["source_type", "source_id"], name="ledger_source_idx")]


class StarRating(models.Model):
    """A household's star rating for one period (星级评定), kept as history."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="ratings")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="star_ratings")
    org_path = models.CharField(max_length=255)
    period_kind = models.CharField(max_length=10, choices=RatingPeriod.choices)
    period_label = models.CharField(_("评定周期"), max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    score = models.IntegerField(_("周期积分"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    method = models.CharField(max_length=20, choices=RatingMethod.choices)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("星级评定")
        constraints = [
            models.UniqueConstraint(fields=["household", "period_start", "period_end"], name="star_rating_unique"),
            models.CheckConstraint(condition=Q(stars__lte=5), name="star_rating_max_five"),
        ]
        indexes = [models.Index(fields=["org_path", "period_start"], name="rating_scope_idx")]


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    REPLACED = "replaced", _("已挂失换发")


class PointsCard(models.Model):
    """A household's points card (积分卡): a number and a QR code. A reissued card replaces the old
    one, whose number stops working."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="cards")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="points_cards")
    number = models.CharField(_("卡号"), max_length=20, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    issued_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_reason = models.CharField(max_length=100, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("积分卡")
        constraints = [models.UniqueConstraint(fields=["household"], condition=Q(status="active"),
                                               name="one_active_card_per_household")]


class ShopQuerySet(ScopedQuerySet):
    pass


class Shop(models.Model):
    """A points supermarket (积分超市/五星超市); it serves the households under its unit."""

    programme = models.ForeignKey(PointsProgramme, on_delete=models.PROTECT, related_name="shops")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="points_shops",
                                 verbose_name=_("服务范围"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    is_active = models.BooleanField(_("营业中"), default=True)

    objects = ShopQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分超市")

    def __str__(self) -> str:
        return self.name


class Product(LedgerHead):
    """Goods or a service priced in points (兑换商品/服务). ``stock`` caches the stock ledger; the
    product is its own stock chain's head."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("名称"), max_length=100)
    is_service = models.BooleanField(_("服务类（不计库存）"), default=False)
    unit = models.CharField(_("单位"), max_length=10, default="件")
    price_points = models.PositiveIntegerField(_("所需积分"))
    value_yuan = models.DecimalField(_("折合金额（元）"), max_digits=8, decimal_places=2, default=0)
    stock = models.IntegerField(_("库存"), default=0)
    is_active = models.BooleanField(_("上架"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("兑换商品")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_non_negative"),
            models.CheckConstraint(condition=Q(price_points__gte=1), name="product_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class StockKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    REDEMPTION = "redemption", _("兑换出库")
    ADJUSTMENT = "adjustment", _("调整")
    STOCKTAKE = "stocktake", _("盘点")
    REVERSAL = "reversal", _("冲正")


class StockEntry(LedgerEntry):
    """One append-only change of a product's stock (库存流水), on core's ledger primitive: the
    product is the account (``stock`` its balance) and its own chain."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_entries")
    kind = models.CharField(_("类型"), max_length=20, choices=StockKind.choices)
    amount = None
    quantity = models.IntegerField(_("数量变动"))
    balance_after = None
    stock_after = models.IntegerField(_("变动后库存"))
    redemption_line = models.OneToOneField("RedemptionLine", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="stock_entry")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    # Who moved the stock (``actor``) is not hashed: a user's deletion empties it.
    ledger = Ledger(account="product", amount="quantity", balance_after="stock_after", balance="stock",
                    insufficient=InsufficientStock,
                    hashed=("product", "kind", "quantity", "stock_after", "idempotency_key", "source_type", "source_id",
                            "reverses", "redemption_line", "note", "created_at"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("库存流水")
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="stock_quantity_nonzero"),
                       models.CheckConstraint(condition=Q(stock_after__gte=0), name="stock_after_non_negative"),
                       models.UniqueConstraint(fields=["product", "seq"], name="stock_seq_unique"),
                       models.UniqueConstraint(fields=["product", "idempotency_key"], name="stock_idempotency_unique")]


class Redemption(models.Model):
    """A redemption at the counter (积分兑换): one household, one or more products, one ledger entry."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="redemptions")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="redemptions")
    org_path = models.CharField(max_length=255)
    card = models.ForeignKey(PointsCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(max_length=100)
    total_points = models.PositiveIntegerField()
    balance_before = models.IntegerField()
    balance_after = models.IntegerField()
    ledger_entry = models.OneToOneField(PointsLedgerEntry, on_delete=models.PROTECT, related_name="redemption")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("积分兑换")
        constraints = [models.UniqueConstraint(fields=["shop", "idempotency_key"], name="redemption_idempotency_unique")]


class RedemptionLine(models.Model):
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_points = models.PositiveIntegerField()
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="redemption_line_quantity_positive"),
                       models.CheckConstraint(condition=Q(points=F("quantity") * F("unit_points")),
                                              name="redemption_line_points_match")]
