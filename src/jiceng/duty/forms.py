from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.web.forms import BootstrapMixin

from .models import VisitorKind

WEEKDAYS = [("1", _("周一")), ("2", _("周二")), ("3", _("周三")), ("4", _("周四")), ("5", _("周五")), ("6", _("周六")),
            ("7", _("周日"))]


class _Base(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class DeskForm(_Base):
    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    name = forms.CharField(label=_("值班台名称"), max_length=100)
    phone = forms.CharField(label=_("值班电话（公开）"), max_length=20, required=False)
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    lat = forms.DecimalField(label=_("纬度（可选，用于签到距离校验）"), required=False, max_digits=9, decimal_places=6)
    lng = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    days = forms.MultipleChoiceField(label=_("坐班日"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple,
                                     initial=["1", "2", "3", "4", "5"])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [("", _("请选择…"))] + [(u.pk, u.name) for u in units]


class ShiftForm(_Base):
    cadre = forms.TypedChoiceField(label=_("值班人"), coerce=int, empty_value=None)
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [("", _("请选择…"))] + [
            (c.pk, f"{c.name}（{c.org_unit.name} · {c.post}）") for c in cadres]


class VisitorForm(_Base):
    name = forms.CharField(label=_("来访人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    purpose = forms.CharField(label=_("来访事由"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("类型"), choices=VisitorKind.choices, widget=forms.RadioSelect,
                             initial=VisitorKind.CONSULT)
    outcome = forms.CharField(label=_("接待结果"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.TypedChoiceField(label=_("诉求类别（办事）"), coerce=int, empty_value=None, required=False)
    dispute_kind = forms.ChoiceField(label=_("纠纷类型"), required=False)
    parties = forms.CharField(label=_("当事人（纠纷）"), max_length=200, required=False)
    dispute_outcome = forms.ChoiceField(label=_("调处结果"), required=False)
    agreement = forms.CharField(label=_("协议内容或移交去向"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, categories=(), dispute_kinds=(), dispute_outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择…"))] + [(c.pk, c.name) for c in categories]
        self.fields["dispute_kind"].choices = [("", _("请选择…"))] + list(dispute_kinds)
        self.fields["dispute_outcome"].choices = list(dispute_outcomes)


class RulesForm(_Base):
    kept_points = forms.IntegerField(label=_("到岗值班加分"), min_value=0, max_value=10000)
    late_points = forms.IntegerField(label=_("迟到扣分（在加分上扣）"), min_value=0, max_value=10000)
    missed_points = forms.IntegerField(label=_("缺勤扣分"), min_value=0, max_value=10000)
    early_minutes = forms.IntegerField(label=_("可提前签到（分钟）"), min_value=0, max_value=10000)
    late_minutes = forms.IntegerField(label=_("迟到宽限（分钟）"), min_value=0, max_value=10000)
    missed_minutes = forms.IntegerField(label=_("开始后多少分钟未签到记缺勤"), min_value=0, max_value=10000)
    max_distance_m = forms.IntegerField(label=_("签到距离上限（米）"), min_value=1, max_value=10000)
