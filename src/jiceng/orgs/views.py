"""The organisation tree: browse (lazy-loaded with htmx), unit detail, create and edit."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts import permissions
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.modules import panels_render
from jiceng.core.scope import scope_safe
from jiceng.web.forms import BootstrapMixin, apply_error

from . import selectors, services
from .restructure import may_restructure
from .models import OrgUnitKind, PartyOrgKind


class OrgUnitForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=OrgUnitKind.choices)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    code = forms.CharField(label=gettext_lazy("编码"), max_length=32, help_text=gettext_lazy("街道、乡镇、社区、村填写12位统计用区划代码"))
    party_org_kind = forms.ChoiceField(label=gettext_lazy("党组织类型"), choices=[("", gettext_lazy("未设立"))] + list(PartyOrgKind.choices),
                                       required=False)
    party_org_name = forms.CharField(label=gettext_lazy("党组织名称"), max_length=100, required=False)
    lat = forms.DecimalField(label=gettext_lazy("中心点纬度"), required=False, max_digits=9, decimal_places=6,
                             min_value=-90, max_value=90,
                             help_text=gettext_lazy("可不填；填写后，只给出位置的诉求会分派到最近的单元"))
    long = forms.DecimalField(label=gettext_lazy("中心点经度"), required=False, max_digits=9, decimal_places=6,
                              min_value=-180, max_value=180)


@scope_safe
@login_required
def tree(request):
    roots = [(u, selectors.org_children(user=request.user, unit=u)) for u in selectors.org_roots_for_user(request.user)]
    return render(request, "orgs/tree.html", {"roots": roots})


@scope_safe
@login_required
def children(request, pk):
    unit = selectors.org_unit_get_for_user(request.user, pk)
    return render(request, "orgs/_children.html", {"units": selectors.org_children(user=request.user, unit=unit)})


@scope_safe
@login_required
def unit_detail(request, pk):
    unit = selectors.org_unit_get_for_user(request.user, pk)
    return render(request, "orgs/unit_detail.html", {
        "unit": unit, "ancestors": unit.ancestors(),
        "children": selectors.org_children(user=request.user, unit=unit),
        "panels": panels_render("org_unit", request, unit),
        "can_change": permissions.can_change_org_unit(request.user, unit) and unit.ended_on is None,
        "can_restructure": unit.ended_on is None and may_restructure(request.user, unit),
        "changes": selectors.org_unit_changes(user=request.user, unit=unit)[:20],
    })


@scope_safe
@login_required
def unit_create(request, parent_pk):
    parent = selectors.org_unit_get_for_user(request.user, parent_pk)
    form = OrgUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.org_unit_create(actor=request.user, parent=parent, **form.cleaned_data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加 %(n)s") % {"n": unit.name})
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "people/form.html", {"form": form, "title": _("在“%(p)s”下添加单元") % {"p": parent.name}})


@scope_safe
@login_required
def unit_edit(request, pk):
    unit = selectors.org_unit_get_for_user(request.user, pk)
    form = OrgUnitForm(request.POST or None, initial={k: getattr(unit, k) for k in
                                                      ("kind", "name", "code", "party_org_kind", "party_org_name",
                                                       "lat", "long")})
    if request.method == "POST" and form.is_valid():
        try:
            services.org_unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "people/form.html", {"form": form, "title": _("修改 %(n)s") % {"n": unit.name}})


# --------------------------------------------------------------------------- changes of the tree's shape

class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "　" * obj.depth + f"{obj.name}（{obj.get_kind_display()}）"


class ChangeFields(forms.Form):
    effective_on = forms.DateField(label=gettext_lazy("生效日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=gettext_lazy("不填为今天；此前各期的统计仍按调整前的单元计算"))
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False,
                           help_text=gettext_lazy("例如区划调整的批复文号"))


class MoveForm(BootstrapMixin, ChangeFields):
    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"parent": UnitField(
            label=gettext_lazy("新的上级单元"),
            queryset=selectors.org_unit_choices(user=user, purpose="org_change")
            .exclude(path__startswith=unit.path).exclude(pk=unit.parent_id)), **self.fields}


class MergeForm(BootstrapMixin, ChangeFields):
    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        same_kind = selectors.org_unit_choices(user=user, kinds=[unit.kind], purpose="org_change").exclude(pk=unit.pk)
        self.fields = {
            "target": UnitField(label=gettext_lazy("并入"), queryset=same_kind,
                                help_text=gettext_lazy("本单元的下级单元、住户、记录和角色都转到所选单元，本单元作为历史保留")),
            "others": forms.ModelMultipleChoiceField(label=gettext_lazy("同时并入的其他单元"), queryset=same_kind,
                                                     required=False, widget=forms.CheckboxSelectMultiple),
            **self.fields}


class SplitForm(BootstrapMixin, ChangeFields):
    def __init__(self, *args, unit, children, parts: int, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for i in range(1, parts + 1):
            fields[f"name_{i}"] = forms.CharField(label=_("新单元%(i)s名称") % {"i": i}, max_length=100)
            fields[f"code_{i}"] = forms.CharField(label=_("新单元%(i)s编码") % {"i": i}, max_length=32)
        choices = [("", _("请选择"))] + [(str(i), _("新单元%(i)s") % {"i": i}) for i in range(1, parts + 1)]
        for c in children:
            fields[f"child_{c.pk}"] = forms.ChoiceField(label=_("%(n)s 分到") % {"n": c.name}, choices=choices,
                                                        required=False)
        self.fields = {**fields, **self.fields}
        self.parts, self.children = parts, children

    def split_parts(self):
        from .restructure import SplitPart

        d = self.cleaned_data
        out = [SplitPart(d[f"name_{i}"], d[f"code_{i}"], []) for i in range(1, self.parts + 1)]
        for c in self.children:
            if d.get(f"child_{c.pk}"):
                out[int(d[f"child_{c.pk}"]) - 1].children.append(c.pk)
        return out


def _change_page(request, unit, form, title, intro, action_label):
    return render(request, "orgs/change_form.html", {"form": form, "title": title, "intro": intro, "unit": unit,
                                                     "action_label": action_label})


def _restructurable(request, pk):
    from .restructure import may_restructure

    unit = selectors.org_unit_get_for_user(request.user, pk)
    if unit.ended_on is not None or not may_restructure(request.user, unit):
        raise NotFoundError()
    return unit


@scope_safe
@login_required
def unit_move(request, pk):
    from .restructure import org_unit_move

    unit = _restructurable(request, pk)
    form = MoveForm(request.POST or None, user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            org_unit_move(actor=request.user, unit=unit, **form.cleaned_data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已将“%(n)s”迁移到“%(p)s”之下") % {"n": unit.name, "p": form.cleaned_data["parent"].name})
            return redirect("orgs:unit_detail", pk=unit.pk)
    return _change_page(request, unit, form, _("迁移 %(n)s") % {"n": unit.name},
                        _("连同全部下级单元、住户、居民、业务记录和角色一起迁移到新的上级单元之下。"), _("迁移"))


@scope_safe
@login_required
def unit_split(request, pk):
    from .restructure import org_unit_split

    unit = _restructurable(request, pk)
    try:
        parts = max(2, min(6, int(request.POST.get("parts") or request.GET.get("parts") or 2)))
    except ValueError:
        parts = 2
    children = list(unit.children.filter(ended_on__isnull=True).order_by("sort_order", "path"))
    form = SplitForm(request.POST or None, unit=unit, children=children, parts=parts)
    if request.method == "POST" and form.is_valid():
        try:
            change = org_unit_split(actor=request.user, unit=unit, parts=form.split_parts(),
                                    effective_on=form.cleaned_data["effective_on"], note=form.cleaned_data["note"])
        except JicengError as exc:
            apply_error(form, exc, {"code": "code_1"})
        else:
            messages.success(request, _("已将“%(n)s”拆分为 %(k)s 个单元") % {"n": unit.name, "k": parts})
            return redirect("orgs:unit_detail", pk=change.unit.successor_id or unit.pk)
    return _change_page(request, unit, form, _("拆分 %(n)s") % {"n": unit.name},
                        _("每个下级单元分到一个新单元；直接属于本单元的住户、记录和角色转到新单元1。本单元作为历史保留。"), _("拆分"))


@scope_safe
@login_required
def unit_merge(request, pk):
    from .restructure import org_unit_merge

    unit = _restructurable(request, pk)
    form = MergeForm(request.POST or None, user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org_unit_merge(actor=request.user, sources=[unit, *[o for o in d["others"] if o != d["target"]]],
                           target=d["target"], effective_on=d["effective_on"], note=d["note"])
        except JicengError as exc:
            apply_error(form, exc, {"sources": "others"})
        else:
            messages.success(request, _("已将“%(n)s”并入“%(t)s”") % {"n": unit.name, "t": d["target"].name})
            return redirect("orgs:unit_detail", pk=d["target"].pk)
    return _change_page(request, unit, form, _("合并 %(n)s") % {"n": unit.name},
                        _("把本单元（及所选的其他同类单元）并入另一个同类单元。"), _("合并"))
