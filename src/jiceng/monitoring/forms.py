from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.imports.readers import ACCEPTED_SUFFIXES
from jiceng.web.forms import BootstrapMixin

from .models import Category, HousingGrade, MeasureKind, RiskKind, VisitKind


class _Base(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def money(label, required=False):
    return forms.CharField(label=label, required=required, initial="0",
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class ProfileForm(_Base):
    member_count = forms.IntegerField(label=_("家庭人口"), min_value=1)
    wage_income = money(_("工资性收入（元/年）"))
    operating_income = money(_("经营净收入（元/年）"))
    property_income = money(_("财产净收入（元/年）"))
    transfer_income = money(_("转移净收入（元/年）"))
    medical_expense = money(_("医疗自付支出（元/年）"))
    education_expense = money(_("教育支出（元/年）"))
    other_rigid_expense = money(_("其他刚性支出（元/年）"))
    disaster_loss = money(_("灾害/意外损失（元）"))
    housing_grade = forms.ChoiceField(label=_("住房安全等级"), choices=HousingGrade.choices)
    safe_water = forms.BooleanField(label=_("饮水安全"), required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(_Base):
    kind = forms.ChoiceField(label=_("走访类型"), choices=VisitKind.choices, widget=forms.RadioSelect,
                             initial=VisitKind.SCREENING)
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    findings = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    risks = forms.MultipleChoiceField(label=_("发现的风险（可多选）"), choices=RiskKind.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    amount = money(_("涉及金额（元），如医疗费用"))
    risk_detail = forms.CharField(label=_("风险情况说明"), required=False)

    def risk_list(self) -> list[tuple[str, str | None, str]]:
        """(kind, amount, detail) per risk ticked; the amount belongs to the medical bill when that is
        ticked, otherwise to the first risk."""
        d = self.cleaned_data
        kinds = list(d["risks"])
        amount = d["amount"] if d["amount"] not in ("", "0", None) else None
        holder = RiskKind.MEDICAL if RiskKind.MEDICAL in kinds else (kinds[0] if kinds else None)
        return [(k, amount if k == holder else None, d["risk_detail"]) for k in kinds]


class DeclarationForm(_Base):
    kind = forms.ChoiceField(label=_("遇到的困难"), choices=[("", _("请选择…")), *RiskKind.choices])
    detail = forms.CharField(label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.CharField(label=_("涉及金额（元，可不填）"), required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class DepartmentListForm(_Base):
    department = forms.CharField(label=_("预警部门"), max_length=100,
                                 widget=forms.TextInput(attrs={"placeholder": _("如：县医疗保障局")}))
    root = forms.ChoiceField(label=_("导入范围"))
    file = forms.FileField(label=_("名单文件（.xlsx、.xls、.ods 或 .csv）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].choices = [(u.pk, u.name) for u in units]


class MeasureForm(_Base):
    kind = forms.ChoiceField(label=_("帮扶类型"), choices=MeasureKind.choices)
    description = forms.CharField(label=_("措施内容"), max_length=200)
    started_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount = money(_("金额（元）"))
    result = forms.CharField(label=_("成效"), required=False)


CATEGORY_CHOICES = [("", _("请选择…")), *Category.choices]
