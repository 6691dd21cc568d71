"""The collective economy's forms. Money fields are text: the services read them (``money.yuan``) and say
exactly what is wrong with an amount."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.web.forms import BootstrapMixin

from .models import (
    AreaUnit, AssetCategory, AssetKind, ConfirmationStatus, EnterpriseKind, FundingSource, FundKind, IncomeKind,
    ProjectStatus,
)

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
_YUAN = {"widget": forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"})}


def _money(label, required=True):
    return forms.CharField(label=label, required=required, max_length=30, **_YUAN)


class _Base(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def _choices(rows, label=lambda r: r.name):
    return [("", _("请选择…"))] + [(r.pk, label(r)) for r in rows]


class _UnitForm(_Base):
    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = _choices(units)


class AssetForm(_UnitForm):
    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    code = forms.CharField(label=_("资产编号"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("请选择…"))] + AssetCategory.choices)
    kind = forms.ChoiceField(label=_("种类"), choices=[("", _("请选择…"))] + AssetKind.choices)
    location = forms.CharField(label=_("坐落位置"), max_length=200, required=False)
    area = _money(_("面积"), required=False)
    area_unit = forms.ChoiceField(label=_("面积单位"), choices=[("", "—")] + AreaUnit.choices, required=False)
    original_value = _money(_("原值（元）"))
    current_value = _money(_("现值（元）"))
    yearly_output = _money(_("年收益（元）"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("in_use", _("在用")), ("idle", _("闲置"))])
    acquired_on = forms.DateField(label=_("取得日期"), required=False, **_DATE)


class RevitalisationForm(_Base):
    plan = forms.CharField(label=_("盘活方式（如：公开出租、合作经营）"), max_length=200)
    expected_output = _money(_("预期年收益（元）"))
    started_on = forms.DateField(label=_("开始日期"), **_DATE)


class DocumentForm(_Base):
    title = forms.CharField(label=_("材料名称"), max_length=100)
    file = forms.FileField(label=_("文件"))


class ConfirmationForm(_UnitForm):
    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    title = forms.CharField(label=_("项目名称"), max_length=100)
    value = _money(_("确权价值（元）"))
    asset = forms.TypedChoiceField(label=_("对应资产（可不选）"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, assets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [("", "—")] + [(a.pk, f"{a.org_unit.name} · {a.name}") for a in assets]


class ListingForm(_Base):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    reserve_price = _money(_("底价（元/年）"))
    term_years = forms.IntegerField(label=_("流转年限（年）"), min_value=1, max_value=70)
    notice_starts_on = forms.DateField(label=_("公告开始日期"), **_DATE)
    closes_at = forms.DateTimeField(label=_("报名竞价截止"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    terms = forms.CharField(label=_("交易条件"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BidForm(_Base):
    bidder = forms.CharField(label=_("竞买人"), max_length=100)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    amount = _money(_("报价（元/年）"))


class ContractForm(_Base):
    number = forms.CharField(label=_("合同编号"), max_length=40)
    signed_on = forms.DateField(label=_("签订日期"), **_DATE)
    starts_on = forms.DateField(label=_("起始日期"), **_DATE)
    schedule = forms.CharField(label=_("付款计划（每行：应付日期 金额，如 2027-01-10 6000）"),
                               widget=forms.Textarea(attrs={"rows": 3}))
    beneficiaries = forms.CharField(label=_("受益农户（每行：户编号 份额%，合计 100）"),
                                    widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(_Base):
    amount = _money(_("收款金额（元）"))
    received_on = forms.DateField(label=_("收款日期"), **_DATE)
    receipt_no = forms.CharField(label=_("收据号"), max_length=40)


class EnterpriseForm(_UnitForm):
    org_unit = forms.TypedChoiceField(label=_("所属单位"), coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("请选择…"))] + EnterpriseKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, **_DATE)


class HoldingsForm(_Base):
    holdings = forms.CharField(label=_("股东及持股比例（每行：股东 比例%，合计 100）"),
                               widget=forms.Textarea(attrs={"rows": 4}))


class YearForm(_Base):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    revenue = _money(_("营业收入（元）"))
    profit = _money(_("利润（元，亏损填负数）"))
    jobs = forms.IntegerField(label=_("带动就业（人）"), min_value=0, initial=0)
    wages = _money(_("发放工资（元）"))


class DistributionForm(_Base):
    enterprise_year = forms.TypedChoiceField(label=_("年度"), coerce=int, empty_value=None)
    rule = forms.TypedChoiceField(label=_("分配办法"), coerce=int, empty_value=None)
    amount = _money(_("分配总额（元）"))

    def __init__(self, *args, years=(), rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise_year"].choices = _choices(years, lambda y: _("%(y)d 年（利润 %(p)s 元）") % {
            "y": y.year, "p": y.profit})
        self.fields["rule"].choices = _choices(rules)


class RuleForm(_Base):
    name = forms.CharField(label=_("名称（如 5221）"), max_length=50)
    shares = forms.CharField(label=_("分配对象及比例（每行：对象 比例%，合计 100）"),
                             widget=forms.Textarea(attrs={"rows": 4}))
    description = forms.CharField(label=_("说明"), required=False)


class ProjectForm(_UnitForm):
    org_unit = forms.TypedChoiceField(label=_("实施单位"), coerce=int, empty_value=None)
    name = forms.CharField(label=_("项目名称"), max_length=100)
    source = forms.ChoiceField(label=_("资金来源"), choices=[("", _("请选择…"))] + FundingSource.choices)
    year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    allocated = _money(_("下达资金（元）"))
    contractor = forms.CharField(label=_("承建单位"), max_length=100, required=False)
    contract_amount = _money(_("合同金额（元）"), required=False)


class ReimbursementForm(_Base):
    amount = _money(_("报账金额（元）"))
    on = forms.DateField(label=_("报账日期"), **_DATE)
    voucher = forms.CharField(label=_("凭证号"), max_length=40)
    note = forms.CharField(label=_("用途"), max_length=200, required=False)


class ProgressForm(_Base):
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=_("状态"), choices=ProjectStatus.choices)


class IncomeForm(_UnitForm):
    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("收入类别"), choices=[("", _("请选择…"))] + IncomeKind.choices)
    amount = _money(_("金额（元）"))
    on = forms.DateField(label=_("入账日期"), **_DATE)
    description = forms.CharField(label=_("摘要"), max_length=200)


class LetterForm(_UnitForm):
    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    target_total = _money(_("总收入目标（元）"))
    target_operating = _money(_("经营性收入目标（元）"))
    signed_on = forms.DateField(label=_("签订日期"), **_DATE)
    signed_by = forms.CharField(label=_("责任人"), max_length=100)
    measures = forms.CharField(label=_("主要措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SettingsForm(_Base):
    total_threshold = _money(_("集体经济总收入标准（元）"))
    operating_threshold = _money(_("经营性收入标准（元）"))
    low_yield_percent = _money(_("低效资产年收益率标准（%）"))
    expiry_alert_days = forms.IntegerField(label=_("合同到期提前提醒（天）"), min_value=1, max_value=365)


class FundOpenForm(_UnitForm):
    org_unit = forms.TypedChoiceField(label=_("社区（村）"), coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("经费类别"), choices=[("", _("请选择…"))] + FundKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


class FundReceiveForm(_Base):
    amount = _money(_("金额（元）"))
    purpose = forms.CharField(label=_("摘要"), max_length=200)
    counterparty = forms.CharField(label=_("共建单位（共建经费必填）"), max_length=100, required=False)
    token = forms.CharField(widget=forms.HiddenInput)


class FundSpendForm(_Base):
    amount = _money(_("支出金额（元）"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    receipt_no = forms.CharField(label=_("票据号"), max_length=40)
    counterparty = forms.CharField(label=_("收款方"), max_length=100, required=False)
    token = forms.CharField(widget=forms.HiddenInput)


STATUS_CHOICES = ConfirmationStatus.choices
