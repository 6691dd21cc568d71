from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.web.forms import BootstrapMixin

from .models import ReportCategory


class MultiPhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiPhotoField(forms.FileField):
    """Several photos in one input (Django's documented pattern); the service validates each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiPhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ReportForm(BootstrapMixin, forms.Form):
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=ReportCategory.objects.none())
    description = forms.CharField(label=_("问题描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    org_unit = forms.ChoiceField(label=_("发生地点"))
    address = forms.CharField(label=_("详细位置（如几栋几单元门口）"), required=False, max_length=255)
    photos = MultiPhotoField(label=_("照片（最多 9 张）"), required=False)
    share_location = forms.BooleanField(label=_("分享我的位置（照片保留定位信息）"), required=False)
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    reporter_name = forms.CharField(label=_("反映人姓名"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    lat = forms.DecimalField(required=False, widget=forms.HiddenInput)
    long = forms.DecimalField(required=False, widget=forms.HiddenInput)

    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories, units, on_behalf: bool, patrol: bool = False, **kw):
        super().__init__(*args, **kw)
        self.fields["category"].queryset = categories
        self.fields["org_unit"].choices = [(u.pk, u.name) for u in units]
        if not on_behalf:
            del self.fields["reporter_name"]
            del self.fields["reporter_phone"]
        elif patrol:
            self.fields["reporter_name"].help_text = _("巡查发现的问题不用填写；替群众反映时填写其姓名")
        else:
            # Needed unless 匿名反映 is ticked: marked as required, checked by the service.
            self.fields["reporter_name"].required_mark = True
            self.fields["reporter_name"].help_text = _("必填，匿名反映时可不填")


class AcceptForm(BootstrapMixin, forms.Form):
    category = forms.ModelChoiceField(label=_("确认类别"), queryset=ReportCategory.objects.none())

    def __init__(self, *args, categories, **kw):
        super().__init__(*args, **kw)
        self.fields["category"].queryset = categories


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DisputeForm(BootstrapMixin, forms.Form):
    from .models import DisputeKind, DisputeOutcome

    org_unit = forms.ChoiceField(label=_("发生地点"))
    kind = forms.ChoiceField(label=_("纠纷类型"), choices=DisputeKind.choices)
    parties = forms.CharField(label=_("当事人"), max_length=200)
    description = forms.CharField(label=_("纠纷情况"), widget=forms.Textarea(attrs={"rows": 3}))
    mediator = forms.CharField(label=_("调解人"), max_length=100)
    occurred_on = forms.DateField(label=_("受理日期"), widget=DATE)
    outcome = forms.ChoiceField(label=_("调处结果"), choices=DisputeOutcome.choices)
    agreement = forms.CharField(label=_("协议内容或移交去向"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, **kw):
        super().__init__(*args, **kw)
        self.fields["org_unit"].choices = [(u.pk, u.name) for u in units]


class ErrandForm(BootstrapMixin, forms.Form):
    household_number = forms.CharField(label=_("服务对象户编号"), max_length=32)
    what = forms.CharField(label=_("代办事项"), max_length=200)
    party_member = forms.ChoiceField(label=_("代办党员"))
    requested_on = forms.DateField(label=_("受理日期"), widget=DATE)
    done_on = forms.DateField(label=_("办结日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, members, **kw):
        super().__init__(*args, **kw)
        self.fields["party_member"].choices = [("", "请选择…")] + [(m.pk, m.resident.name) for m in members]


class CategoryForm(BootstrapMixin, forms.Form):
    """问题类别: what a site calls it, the words that suggest it, its deadline, who handles it by default."""
    from .models import HandlerLevel

    code = forms.CharField(label=_("编码"), max_length=20, help_text=_("字母和数字，如 HJ01；也是 Open311 的服务编码"))
    name = forms.CharField(label=_("名称"), max_length=50)
    description = forms.CharField(label=_("说明"), required=False, max_length=200)
    handler_level = forms.ChoiceField(label=_("默认办理层级"), choices=HandlerLevel.choices,
                                      help_text=_("没有匹配的派单规则时，派给发生地点所在的这一层级"))
    sla_hours = forms.IntegerField(label=_("办理时限（小时）"), min_value=1, max_value=24 * 365,
                                   help_text=_("从受理派单起计算；修改后只影响之后派出的诉求"))
    keywords = forms.CharField(label=_("关键词"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("用逗号或空格分隔的词语，如：垃圾,清运,异味。用于根据描述自动建议类别；请写词语，不要写整句话"))
    earns_points = forms.BooleanField(label=_("核实办结后为反映人所在户奖励积分"), required=False)
    is_active = forms.BooleanField(label=_("启用（停用后居民不能再选这一类别）"), required=False)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, required=False, initial=0)


class RoutingRuleForm(BootstrapMixin, forms.Form):
    """派单规则: category × place (× hours) → handler unit or partner unit."""

    category = forms.ChoiceField(label=_("问题类别"), required=False)
    org_unit = forms.ChoiceField(label=_("适用范围（该单元及其下级）"))
    handler_unit = forms.ChoiceField(label=_("办理单位"), required=False)
    handler_partner = forms.ChoiceField(label=_("或：办理共建单位"), required=False)
    hour_from = forms.IntegerField(label=_("时段开始（点，可不填）"), required=False, min_value=0, max_value=23)
    hour_to = forms.IntegerField(label=_("时段结束（点，可不填）"), required=False, min_value=1, max_value=24,
                                 help_text=_("如 18 到 24：晚上 6 点后提交的诉求按此规则派单；不填为全天"))
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, categories, places, handler_units, partners, **kw):
        super().__init__(*args, **kw)
        self.fields["category"].choices = [("", _("所有类别"))] + [(c.pk, c.name) for c in categories]
        self.fields["org_unit"].choices = [(u.pk, f"{'　' * u.depth}{u.name}") for u in places]
        self.fields["handler_unit"].choices = [("", _("—"))] + [
            (u.pk, f"{u.name}（{u.get_kind_display()}）") for u in handler_units]
        self.fields["handler_partner"].choices = [("", _("—"))] + [(p.pk, p.name) for p in partners]
