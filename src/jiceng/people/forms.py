from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.orgs.models import HOUSEHOLD_KINDS
from jiceng.orgs.selectors import org_unit_choices
from jiceng.web.forms import BootstrapMixin

from .models import Gender, HouseholdStatus, PartnerUnitKind, PartyMemberStatus, Relationship, ResidentStatus, SpecialGroup


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ("　" * max(obj.depth - 1, 0)) + f"{obj.name}（{obj.get_kind_display()}）"


def unit_field(user, *, label, kinds=HOUSEHOLD_KINDS, required=True):
    return UnitChoiceField(queryset=org_unit_choices(user=user, kinds=kinds), label=label, required=required,
                           empty_label=_("请选择"))


class ResidentForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=24,
                                widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}))
    gender = forms.ChoiceField(label=_("性别"), choices=[("", _("按身份证号自动识别"))] + list(Gender.choices),
                               required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, help_text=_("留空则按身份证号自动填写"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"invalid": _("出生日期无法识别，请按 2023-05-01 的格式填写")})
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    ethnicity = forms.CharField(label=_("民族"), max_length=20, initial="汉族")
    relationship = forms.ChoiceField(label=_("与户主关系"), choices=[("", "—")] + list(Relationship.choices), required=False)
    status = forms.ChoiceField(label=_("居住状态"), choices=ResidentStatus.choices, initial=ResidentStatus.LIVING)
    registered_address = forms.CharField(label=_("户籍地址"), max_length=255, required=False)
    actual_address = forms.CharField(label=_("现居住地址"), max_length=255, required=False)
    tags = forms.MultipleChoiceField(label=_("特殊群体"), choices=SpecialGroup.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, with_unit=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_unit:
            self.fields["org_unit"] = unit_field(user, label=_("所在网格/楼栋"))
            self.order_fields(["org_unit"])


class HouseholdForm(BootstrapMixin, forms.Form):
    address = forms.CharField(label=_("住址"), max_length=255, help_text=_("精确到门牌号或房号，如：翠湖小区3栋2单元501室"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=HouseholdStatus.choices, initial=HouseholdStatus.ACTIVE)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, with_unit=True, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if with_unit:
            self.fields["org_unit"] = unit_field(user, label=_("所在网格/楼栋"))
            self.order_fields(["org_unit"])
        if members is not None:
            self.fields["head"] = forms.ModelChoiceField(queryset=members, label=_("户主"), required=False,
                                                        empty_label=_("（暂无户主）"))


class HouseholdMoveForm(BootstrapMixin, forms.Form):
    address = forms.CharField(label=_("新住址"), max_length=255, required=False, help_text=_("留空则保留原住址"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"] = unit_field(user, label=_("迁入网格/楼栋"))
        self.order_fields(["to_unit"])


class PartyMemberForm(BootstrapMixin, forms.Form):
    id_number = forms.CharField(label=_("党员身份证号"), max_length=24, help_text=_("须是已登记的居民"))
    status = forms.ChoiceField(label=_("党员类型"), choices=PartyMemberStatus.choices)
    join_date = forms.DateField(label=_("入党日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                error_messages={"invalid": _("入党日期无法识别，请按 2023-05-01 的格式填写")})
    party_post = forms.CharField(label=_("党内职务"), max_length=50, required=False)
    household_numbers = forms.CharField(label=_("联系户（户编号，多个用空格或逗号分隔）"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"] = UnitChoiceField(
            queryset=org_unit_choices(user=user).exclude(party_org_kind=""), label=_("所在党组织"),
            empty_label=_("请选择"))
        self.fields["branch"].label_from_instance = lambda u: f"{u.party_org_name or u.name}（{u.get_party_org_kind_display()}）"
        self.order_fields(["id_number", "branch"])


class PartnerUnitForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("单位类型"), choices=PartnerUnitKind.choices)
    party_org_name = forms.CharField(label=_("单位党组织"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    commitments = forms.CharField(label=_("共建事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"] = forms.ModelMultipleChoiceField(
            queryset=org_unit_choices(user=user, kinds=["community", "village", "relocation_site"]),
            label=_("结对社区/村"), widget=forms.SelectMultiple(attrs={"size": 5}))


class PartyMemberEditForm(PartyMemberForm):
    """Same as registering, without choosing the person again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["id_number"]
