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
    month = forms.DateField(label=_("月份（任选当月一天）"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


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
        self.fields["org_unit"].choices = [("", _("请选择…"))] + [(u.pk, getattr(u, "label", u.name)) for u in units]
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
    report_on_time_points = forms.IntegerField(label=_("诉求按时办结加分"), min_value=0, max_value=1000)
    report_late_points = forms.IntegerField(label=_("诉求超期办结扣分"), min_value=0, max_value=1000)
    visit_on_time_points = forms.IntegerField(label=_("监测走访按时加分"), min_value=0, max_value=1000)
    visit_late_points = forms.IntegerField(label=_("监测走访逾期扣分"), min_value=0, max_value=1000)


class SchemeForm(_Base):
    name = forms.CharField(label=_("方案名称"), max_length=100)
    level = forms.ChoiceField(label=_("排名对象"))
    advanced_count = forms.IntegerField(label=_("先进名额"), min_value=0, max_value=1000, initial=3)
    lagging_count = forms.IntegerField(label=_("后进名额"), min_value=0, max_value=1000, initial=3)

    ROWS = 6

    def __init__(self, *args, figures=(), levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels
        choices = [("", "—")] + [(code, f"{label}（{code}）") for code, label in figures]
        for i in range(self.ROWS):
            self.fields[f"label_{i}"] = forms.CharField(label=_("指标名称"), required=False, max_length=50)
            self.fields[f"numerator_{i}"] = forms.ChoiceField(label=_("统计指标"), required=False, choices=choices)
            self.fields[f"denominator_{i}"] = forms.ChoiceField(label=_("除以"), required=False, choices=choices)
            self.fields[f"weight_{i}"] = forms.IntegerField(label=_("权重"), required=False, min_value=1, max_value=100)
            self.fields[f"lower_{i}"] = forms.BooleanField(label=_("越低越好"), required=False)
        self._style()

    def rows(self):
        return [[self[f"label_{i}"], self[f"numerator_{i}"], self[f"denominator_{i}"], self[f"weight_{i}"],
                 self[f"lower_{i}"]] for i in range(self.ROWS)]

    def indicators(self) -> list[dict]:
        d = self.cleaned_data
        return [{"label": d[f"label_{i}"], "numerator": d[f"numerator_{i}"], "denominator": d[f"denominator_{i}"],
                 "weight": d[f"weight_{i}"], "lower_is_better": d[f"lower_{i}"]}
                for i in range(self.ROWS) if d.get(f"numerator_{i}") or d.get(f"label_{i}")]


class PlanForm(_Base):
    problems = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.TypedChoiceField(label=_("整改责任人"), coerce=int, empty_value=None)
    deadline = forms.DateField(label=_("整改时限"), widget=forms.DateInput(attrs={"type": "date"}))

    ROWS = 4

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        people = [("", _("请选择…"))] + [(c.pk, f"{c.name}（{c.post}）") for c in cadres]
        self.fields["owner"].choices = people
        for i in range(self.ROWS):
            self.fields[f"m_text_{i}"] = forms.CharField(label=_("措施"), required=False, max_length=300)
            self.fields[f"m_owner_{i}"] = forms.TypedChoiceField(label=_("责任人"), coerce=int, empty_value=None,
                                                                 required=False, choices=people)
            self.fields[f"m_deadline_{i}"] = forms.DateField(label=_("时限"), required=False,
                                                             widget=forms.DateInput(attrs={"type": "date"}))
        self._style()

    def measure_rows(self):
        return [[self[f"m_text_{i}"], self[f"m_owner_{i}"], self[f"m_deadline_{i}"]] for i in range(self.ROWS)]


class ShowcaseForm(_Base):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"))
    leader = forms.TypedChoiceField(label=_("责任人"), coerce=int, empty_value=None)
    template = forms.ChoiceField(label=_("目标模板"), required=False,
                                 choices=[("", _("不用模板")), ("six", _("“六个过硬”"))])
    targets = forms.CharField(label=_("其他目标（每行一项）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    units = forms.TypedMultipleChoiceField(label=_("示范带包含的单位"), coerce=int, required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 5}))

    def __init__(self, *args, kinds=(), cadres=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["leader"].choices = [("", _("请选择…"))] + [(c.pk, f"{c.name}（{c.org_unit.name} · {c.post}）")
                                                               for c in cadres]
        self.fields["units"].choices = [(u.pk, u.name) for u in units]


class EscalateForm(TaskForm):
    source_type = forms.ChoiceField(label=_("来源"), choices=[("reports.report", _("问题诉求")),
                                                            ("monitoring.scheduled_visit", _("监测走访（计划编号）"))])
    source_id = forms.IntegerField(label=_("来源编号"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].label = _("任务内容（不填则按来源生成）")
        for name in ("description", "co_owners"):
            del self.fields[name]
        self._style()
