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
    cadre = forms.TypedChoiceField(label=_("受表扬干部（选填）"), coerce=int, empty_value=None, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=CommendationKind.choices)
    giver = forms.CharField(label=_("赠送人"), max_length=100)
    text = forms.CharField(label=_("内容"), max_length=300)
    errand = forms.CharField(label=_("所谢事项"), max_length=200, required=False)
    received_on = forms.DateField(label=_("收到日期"), **_DATE)

    def __init__(self, *args, units=(), cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = _choices(units)
        self.fields["cadre"].choices = _choices(cadres, lambda c: f"{c.name}（{c.org_unit.name} · {c.post}）")


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


# --------------------------------------------------------------------------- cadre records

def _cadre_label(c):
    return f"{c.name}（{c.org_unit.name} · {c.post}）"


class _CadreChoices(_Base):
    """A form choosing cadres and units from lists the view passes."""

    cadre_fields: tuple = ()
    unit_fields: tuple = ()

    def __init__(self, *args, cadres=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.cadre_fields:
            self.fields[name].choices = _choices(cadres, _cadre_label)
        for name in self.unit_fields:
            self.fields[name].choices = _choices(units)


class ReserveForm(_CadreChoices):
    cadre_fields = ("cadre", "mentor_leader", "mentor_secretary")
    unit_fields = ("org_unit",)
    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    cadre = forms.TypedChoiceField(label=_("后备干部"), coerce=int, empty_value=None)
    mentor_leader = forms.TypedChoiceField(label=_("乡镇领导导师"), coerce=int, empty_value=None)
    mentor_secretary = forms.TypedChoiceField(label=_("第一书记（村干部）导师"), coerce=int, empty_value=None)
    since = forms.DateField(label=_("入库日期"), **_DATE)


class PostingForm(_CadreChoices):
    cadre_fields = ("cadre",)
    unit_fields = ("org_unit",)
    cadre = forms.TypedChoiceField(label=_("干部"), coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("类别"), choices=[])
    org_unit = forms.TypedChoiceField(label=_("派驻单位"), coerce=int, empty_value=None)
    sent_by = forms.CharField(label=_("派出单位"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("派驻日期"), **_DATE)

    def __init__(self, *args, **kwargs):
        from .models import PostingKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PostingKind.choices


class RankForm(_CadreChoices):
    cadre_fields = ("cadre",)
    cadre = forms.TypedChoiceField(label=_("干部"), coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("类别"), choices=[])
    on = forms.DateField(label=_("日期"), **_DATE)
    to_post = forms.CharField(label=_("新职务（职级）"), max_length=100)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from .models import RankChangeKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = RankChangeKind.choices


class ShadowingForm(_CadreChoices):
    cadre_fields = ("cadre",)
    cadre = forms.TypedChoiceField(label=_("干部"), coerce=int, empty_value=None)
    host = forms.CharField(label=_("跟岗单位"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("开始日期"), **_DATE)
    ends_on = forms.DateField(label=_("结束日期"), **_DATE)
    outcome = forms.CharField(label=_("学习成果"), max_length=300, required=False)


class TrainingForm(_CadreChoices):
    unit_fields = ("org_unit",)
    org_unit = forms.TypedChoiceField(label=_("举办单位"), coerce=int, empty_value=None)
    title = forms.CharField(label=_("培训名称"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), **_DATE)
    ends_on = forms.DateField(label=_("结束日期"), **_DATE)
    hours = forms.IntegerField(label=_("学时"), min_value=0, max_value=200, initial=0)
    points_attended = forms.IntegerField(label=_("参训加分"), min_value=0, max_value=200, initial=0)
    points_absent = forms.IntegerField(label=_("缺训扣分"), min_value=0, max_value=200, initial=0)
    cadres = forms.TypedMultipleChoiceField(label=_("参训干部"), coerce=int, required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, cadres=cadres, **kwargs)
        self.fields["cadres"].choices = [(c.pk, _cadre_label(c)) for c in cadres]


class ContactForm(_CadreChoices):
    cadre_fields = ("cadre",)
    unit_fields = ("org_unit",)
    cadre = forms.TypedChoiceField(label=_("联系领导（干部）"), coerce=int, empty_value=None)
    org_unit = forms.TypedChoiceField(label=_("联系点"), coerce=int, empty_value=None)
    every_days = forms.IntegerField(label=_("走访周期（天）"), min_value=1, max_value=366, initial=30)
    since = forms.DateField(label=_("联系起始"), **_DATE)


class LoanForm(_CadreChoices):
    cadre_fields = ("cadre",)
    unit_fields = ("org_unit",)
    cadre = forms.TypedChoiceField(label=_("被借调人员"), coerce=int, empty_value=None)
    org_unit = forms.TypedChoiceField(label=_("所在单位"), coerce=int, empty_value=None)
    to_office = forms.CharField(label=_("借调到"), max_length=100)
    reason = forms.CharField(label=_("借调事由"), max_length=200)
    left_on = forms.DateField(label=_("借出日期"), **_DATE)


class PlaqueForm(_CadreChoices):
    unit_fields = ("org_unit",)
    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    title = forms.CharField(label=_("牌子名称"), max_length=100)
    issuer = forms.CharField(label=_("要求挂牌的部门"), max_length=100, required=False)
    admitted = forms.BooleanField(label=_("经准入审批"), required=False)
    admission_note = forms.CharField(label=_("准入依据"), max_length=200, required=False)


class InspectionForm(_CadreChoices):
    unit_fields = ("org_unit",)
    org_unit = forms.TypedChoiceField(label=_("督导对象"), coerce=int, empty_value=None)
    topic = forms.CharField(label=_("督导事项"), max_length=200)
    on = forms.DateField(label=_("督导日期"), **_DATE)
    inspectors = forms.CharField(label=_("督导人员"), max_length=200)
    findings = forms.CharField(label=_("发现问题（每行一条：问题｜整改期限 YYYY-MM-DD）"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def finding_rows(self):
        """``(text, deadline)`` per line; a line without a deadline gives an empty one (the service names it)."""
        import re

        rows = []
        for line in (self.cleaned_data.get("findings") or "").splitlines():
            if not line.strip():
                continue
            parts = re.split(r"[|｜]", line, maxsplit=1)
            rows.append((parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""))
        return rows


class UpgradeForm(_CadreChoices):
    cadre_fields = ("cadre",)
    cadre = forms.TypedChoiceField(label=_("干部"), coerce=int, empty_value=None)
    programme = forms.CharField(label=_("就读院校与专业"), max_length=150)
    from_education = forms.ChoiceField(label=_("原学历"), choices=[("", _("请选择…"))] + Education.choices)
    target_education = forms.ChoiceField(label=_("目标学历"), choices=[("", _("请选择…"))] + Education.choices)
    enrolled_on = forms.DateField(label=_("入学日期"), **_DATE)


class PointsRulesForm(_Base):
    """A site's points for cadre records (可为负数，0 表示不记分)."""

    review_excellent_points = forms.IntegerField(label=_("驻村考核“优秀”"), min_value=-100, max_value=100)
    review_competent_points = forms.IntegerField(label=_("驻村考核“称职”"), min_value=-100, max_value=100)
    review_basic_points = forms.IntegerField(label=_("驻村考核“基本称职”"), min_value=-100, max_value=100)
    review_incompetent_points = forms.IntegerField(label=_("驻村考核“不称职”"), min_value=-100, max_value=100)
    contact_visit_points = forms.IntegerField(label=_("联系点走访一次"), min_value=-100, max_value=100)
    pledge_kept_points = forms.IntegerField(label=_("换届承诺已兑现"), min_value=-100, max_value=100)
    pledge_broken_points = forms.IntegerField(label=_("换届承诺未兑现"), min_value=-100, max_value=100)
    shadowing_points = forms.IntegerField(label=_("完成跟岗学习"), min_value=-100, max_value=100)


class CertificateRequestForm(_Base):
    """A certificate an office asks a village or community for (证明事项索要登记)."""

    org_unit = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None)
    requester = forms.CharField(label=_("索要单位（部门）"), max_length=100)
    title = forms.CharField(label=_("证明事项"), max_length=100, help_text=_("如：居住证明、无犯罪记录证明"))
    resident_id_number = forms.CharField(label=_("涉及居民身份证号（可选）"), max_length=30, required=False)
    reason = forms.CharField(label=_("索要事由"), max_length=300)
    requested_on = forms.DateField(label=_("索要日期"), **_DATE)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = _choices(units)
