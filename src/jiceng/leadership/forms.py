from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.web.forms import BootstrapMixin

from .models import CommendationKind, CommitteePost, DutyListKind, Education, PartyPost, SelectionKind

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class _Base(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def _choices(rows, label=lambda r: r.name):
    return [("", _("请选择…"))] + [(r.pk, label(r)) for r in rows]


class TermForm(_Base):
    number = forms.IntegerField(label=_("届次"), min_value=1)
    elected_on = forms.DateField(label=_("换届日期"), **_DATE)
    ends_on = forms.DateField(label=_("届满日期"), required=False, **_DATE)
    note = forms.CharField(label=_("备注"), required=False)


class MemberForm(_Base):
    resident = forms.TypedChoiceField(label=_("成员（本村、社区登记的居民）"), coerce=int, empty_value=None)
    party_post = forms.ChoiceField(label=_("党组织职务"), choices=PartyPost.choices, required=False)
    committee_post = forms.ChoiceField(label=_("村（居）委会职务"), choices=CommitteePost.choices, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=[("", _("请选择…"))] + Education.choices)
    joined_on = forms.DateField(label=_("补选/调入日期（换届时当选的不填）"), required=False, **_DATE)
    reason = forms.CharField(label=_("补选/调入原因"), required=False)

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = _choices(residents, lambda r: f"{r.name}（{r.birth_date:%Y}年生）")


class LeaveForm(_Base):
    on = forms.DateField(label=_("调整日期"), **_DATE)
    reason = forms.CharField(label=_("调整原因"))


class PledgeForm(_Base):
    text = forms.CharField(label=_("承诺内容"), max_length=300)
    due_on = forms.DateField(label=_("兑现时限"), required=False, **_DATE)


class SelectionForm(_Base):
    title = forms.CharField(label=_("评选名称"), max_length=100)
    kind = forms.ChoiceField(label=_("评选类别"), choices=[("", _("请选择…"))] + SelectionKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quota = forms.IntegerField(label=_("名额"), min_value=1, required=False)
    publicity_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30, initial=5)


class NominationForm(_Base):
    nominee = forms.TypedChoiceField(label=_("推荐对象"), coerce=int, empty_value=None)
    deeds = forms.CharField(label=_("主要事迹"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, nominees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = _choices(nominees, lambda r: getattr(r, "label", None) or r.name)


class CommendationForm(_Base):
    org_unit = forms.TypedChoiceField(label=_("受表扬单位"), coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("类别"), choices=CommendationKind.choices)
    giver = forms.CharField(label=_("赠送人"), max_length=100)
    text = forms.CharField(label=_("内容"), max_length=300)
    errand = forms.CharField(label=_("所谢事项"), max_length=200, required=False)
    received_on = forms.DateField(label=_("收到日期"), **_DATE)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = _choices(units)


class DraftForm(_Base):
    org_unit = forms.TypedChoiceField(label=_("层级单位"), coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("清单"), choices=DutyListKind.choices)
    change_note = forms.CharField(label=_("调整说明"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = _choices(units)


class ItemForm(_Base):
    code = forms.CharField(label=_("事项编号"), max_length=20)
    name = forms.CharField(label=_("事项名称"), max_length=200)
    basis = forms.CharField(label=_("依据"), max_length=300, required=False)
    keywords = forms.CharField(label=_("匹配关键词（负面清单必填，用顿号分隔）"), max_length=300, required=False)


class ApprovalForm(_Base):
    item = forms.TypedChoiceField(label=_("负面清单事项"), coerce=int, empty_value=None)
    org_unit = forms.TypedChoiceField(label=_("下派到"), coerce=int, empty_value=None)
    subject = forms.CharField(label=_("下派事项"), max_length=200)
    reason = forms.CharField(label=_("准入理由"), max_length=300)
    valid_until = forms.DateField(label=_("有效期至"), **_DATE)

    def __init__(self, *args, items=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = _choices(items, lambda i: f"{i.code} {i.name}")
        self.fields["org_unit"].choices = _choices(units)
