"""The organisation tree: browse (lazy-loaded with htmx), unit detail, create and edit."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts import permissions
from jiceng.core.errors import JicengError
from jiceng.core.modules import panels_render
from jiceng.core.scope import scope_safe
from jiceng.web.forms import BootstrapMixin, apply_error

from . import selectors, services
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
        "can_change": permissions.can_change_org_unit(request.user, unit),
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
