"""Forms of the points pages (input shape only; the services decide what is allowed)."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import AUTHORISED
from jiceng.web.forms import BootstrapMixin

from .models import CapPeriod, PointsCategory, PointsProgramme, Product, StockKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHOTO = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class ItemForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("编号"), max_length=20, help_text=_("与上级清单同编号即为本单元的调整（覆盖上级）"))
    category = forms.ModelChoiceField(label=_("类别"), queryset=PointsCategory.objects.none())
    name = forms.CharField(label=_("项目"), max_length=100)
    points = forms.IntegerField(label=_("分值"), help_text=_("加分为正，扣分为负"))
    evidence_required = forms.BooleanField(label=_("需要佐证照片"), required=False)
    cap_period = forms.ChoiceField(label=_("限额周期"), choices=CapPeriod.choices, required=False)
    cap_count = forms.IntegerField(label=_("周期内最多次数"), min_value=1, required=False)
    cap_points = forms.IntegerField(label=_("周期内最多分值"), min_value=1, required=False)
    valid_from = forms.DateField(label=_("生效日期"), required=False, widget=DATE)
    valid_to = forms.DateField(label=_("失效日期"), required=False, widget=DATE)
    is_active = forms.BooleanField(label=_("启用（取消勾选则在本单元及以下不使用该项目）"), required=False, initial=True)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programme: PointsProgramme, editing: bool = False, **kw):
        super().__init__(*args, **kw)
        self.fields["category"].queryset = PointsCategory.objects.filter(programme=programme)
        if editing:
            self.fields["code"].disabled = True

    def service_data(self) -> dict:
        d = dict(self.cleaned_data)
        d["category_id"] = d.pop("category").pk
        d.pop("code", None)
        d["cap_period"] = d.get("cap_period") or ""
        return d


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        sign = "+" if obj.points > 0 else ""
        return f"{obj.category.name} · {obj.name}（{sign}{obj.points}分）"


class RecordForm(BootstrapMixin, forms.Form):
    item = ItemChoiceField(label=_("积分项目"), queryset=None)
    quantity = forms.IntegerField(label=_("次数"), initial=1)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE)
    resident = forms.ChoiceField(label=_("家庭成员（可不选）"), required=False)
    description = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("佐证照片"), required=False, widget=PHOTO)

    def __init__(self, *args, items, members=(), **kw):
        super().__init__(*args, **kw)
        from .models import PointsItem

        self.fields["item"].queryset = (PointsItem.objects.unscoped(AUTHORISED).filter(pk__in=[i.pk for i in items])
                                       .select_related("category"))
        self.fields["resident"].choices = [("", "—")] + [(m.pk, m.name) for m in members]
        self.initial.setdefault("occurred_on", timezone.localdate())


class DeclareForm(RecordForm):
    """A resident's declaration: positive items only, one at a time."""

    def __init__(self, *args, items, **kw):
        super().__init__(*args, items=[i for i in items if i.points > 0], **kw)
        del self.fields["quantity"]
        del self.fields["resident"]
        self.fields["description"].label = _("做了什么（简要说明）")


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("approve", _("通过")), ("adjust", _("调整分值后通过")),
                                                               ("reject", _("驳回"))], widget=forms.RadioSelect)
    points = forms.IntegerField(label=_("调整后积分"), required=False)
    note = forms.CharField(label=_("审核意见"), required=False, max_length=200)


class BatchReviewForm(forms.Form):
    """Several records approved or rejected at once, with one note."""
    ids = forms.Field(required=False)  # the ticked records: every value of "ids", read by clean_ids
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("驳回"))],
                                 error_messages={"required": _("请选择“批量通过”或“批量驳回”"),
                                                 "invalid_choice": _("请选择“批量通过”或“批量驳回”")})
    note = forms.CharField(label=_("审核意见（对勾选的每一条都适用）"), required=False, max_length=200)

    def clean_ids(self):
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        try:
            ids = [int(v) for v in raw]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("勾选的记录编号无效")) from None
        if not ids:
            raise forms.ValidationError(_("请至少勾选一条待审核记录"))
        return ids


class ObjectionResolveForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("核实情况和处理意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("请填写异议的核实情况和处理意见")})


class EvidenceForm(BootstrapMixin, forms.Form):
    photo = forms.ImageField(label=_("佐证照片"), widget=PHOTO, error_messages={"required": _("请选择佐证照片")})


class EventForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=100)
    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    item = ItemChoiceField(label=_("积分项目"), queryset=None)
    households = forms.MultipleChoiceField(label=_("参加的住户"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, items, households, **kw):
        super().__init__(*args, **kw)
        from .models import PointsItem

        self.fields["item"].queryset = (PointsItem.objects.unscoped(AUTHORISED)
                                       .filter(pk__in=[i.pk for i in items if i.points > 0]).select_related("category"))
        from jiceng.people.idnumber import mask_name

        self.fields["households"].choices = [
            (h.pk, f"{mask_name(h.head.name) if h.head_id else ''}家 · {h.address[-12:]}") for h in households]
        self.initial.setdefault("held_on", timezone.localdate())


class ObjectionForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    name = forms.CharField(label=_("您的姓名（可不填）"), required=False, max_length=50)
    phone = forms.CharField(label=_("联系电话（可不填）"), required=False, max_length=20)


class ProgrammeForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PointsProgramme
        fields = ["name", "publicity_days", "rating_method", "rating_period", "star_thresholds", "yearly_clearing",
                  "exchange_points", "exchange_yuan"]


class RatingsForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    quarter = forms.ChoiceField(label=_("季度（按年度评定时不选）"), required=False,
                                choices=[("", "—"), ("1", _("第一季度")), ("2", _("第二季度")), ("3", _("第三季度")), ("4", _("第四季度"))])


class ProductForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "value_yuan", "price_points", "unit", "is_service"]

    def __init__(self, *args, programme=None, **kw):
        super().__init__(*args, **kw)
        self.fields["price_points"].required = False
        if programme is not None:
            self.fields["price_points"].help_text = _(
                "不填则按兑换比例计算：%(p)s 积分折合 %(y)s 元") % {"p": programme.exchange_points, "y": programme.exchange_yuan}


class StockForm(BootstrapMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("商品"), queryset=Product.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=[(StockKind.RECEIPT, _("入库")), (StockKind.ADJUSTMENT, _("调整（正数增加，负数减少）")),
                                                      (StockKind.STOCKTAKE, _("盘点（填实际数量）"))])
    quantity = forms.IntegerField(label=_("数量"))
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, shop, **kw):
        super().__init__(*args, **kw)
        self.fields["product"].queryset = Product.objects.filter(shop=shop, is_service=False)


class ShopForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    org_unit = forms.ChoiceField(label=_("服务范围"))
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    opening_hours = forms.CharField(label=_("开放时间"), required=False, max_length=100)

    def __init__(self, *args, units, **kw):
        super().__init__(*args, **kw)
        self.fields["org_unit"].choices = [(u.pk, u.name) for u in units]
