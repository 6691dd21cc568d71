from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.web.forms import BootstrapMixin

from .models import EvidenceKind, Grade, TaskListKind


class _Base(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class TaskListForm(_Base):
    title = forms.CharField(label=_("清单名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TaskListKind.choices)
    month = forms.DateField(label=_("月份（任选当月一天）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class TaskForm(_Base):
    title = forms.CharField(label=_("任务内容"), max_length=200)
    description = forms.CharField(label=_("要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    org_unit = forms.TypedChoiceField(label=_("责任单位"), coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label=_("责任人"), coerce=int, empty_value=None)
    co_owners = forms.TypedMultipleChoiceField(label=_("配合人"), coerce=int, required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 4}))
    due_at = forms.DateTimeField(label=_("完成时限"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    evidence = forms.ChoiceField(label=_("佐证要求"), choices=EvidenceKind.choices)
    weight = forms.IntegerField(label=_("分值倍数（1–10）"), min_value=1, max_value=10, initial=1)

    def __init__(self, *args, units=(), cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [("", _("请选择…"))] + [(u.pk, u.name) for u in units]
        people = [(c.pk, f"{c.name}（{c.org_unit.name} · {c.post}）") for c in cadres]
        self.fields["owner"].choices = [("", _("请选择…"))] + people
        self.fields["co_owners"].choices = people


class ReportForm(_Base):
    text = forms.CharField(label=_("完成情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.ImageField(label=_("照片"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    file = forms.FileField(label=_("文件"), required=False)
    is_final = forms.TypedChoiceField(label=_("报告类型"), coerce=lambda v: v == "1", initial="1",
                                      choices=[("1", _("已完成，提交验收")), ("0", _("阶段进展"))],
                                      widget=forms.RadioSelect)


class GradeForm(_Base):
    grade = forms.ChoiceField(label=_("评定结果"), choices=Grade.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("评定意见"), required=False, max_length=500)


class ReturnForm(_Base):
    reason = forms.CharField(label=_("退回原因"), max_length=500)


class AdjustmentForm(_Base):
    cadre = forms.TypedChoiceField(label=_("干部"), coerce=int, empty_value=None)
    amount = forms.IntegerField(label=_("加减分（扣分填负数）"))
    reason = forms.CharField(label=_("事由"), max_length=300)

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [("", _("请选择…"))] + [
            (c.pk, f"{c.name}（{c.org_unit.name} · {c.post}）") for c in cadres]


class DecisionForm(_Base):
    note = forms.CharField(label=_("意见"), required=False, max_length=500)


class AppealForm(_Base):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}))


class RulesForm(_Base):
    base_points = forms.IntegerField(label=_("年度基础分"), min_value=0, max_value=1000)
    on_time_points = forms.IntegerField(label=_("按时完成加分（a）"), min_value=0, max_value=1000)
    excellent_points = forms.IntegerField(label=_("优秀完成加分（d）"), min_value=0, max_value=1000)
    late_points = forms.IntegerField(label=_("逾期完成扣分（b）"), min_value=0, max_value=1000)
    not_done_points = forms.IntegerField(label=_("未完成扣分（c）"), min_value=0, max_value=1000)
    appeal_days = forms.IntegerField(label=_("申诉期限（天）"), min_value=1, max_value=1000)
    remind_days = forms.IntegerField(label=_("到期前几天提醒"), min_value=0, max_value=1000)
