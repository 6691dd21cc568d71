"""Set-up pages (办理设置): a site's report categories and routing rules. Street admins edit
categories; street admins and community staff edit routing rules for their area. Thin: parse, call
one service or selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit, OrgUnitKind
from jiceng.people.models import PartnerUnit
from jiceng.web.forms import apply_error

from . import permissions, selectors, setup_services
from .forms import CategoryForm, RoutingRuleForm

PLACE_KINDS = [OrgUnitKind.STREET, OrgUnitKind.TOWNSHIP, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE,
               OrgUnitKind.GRID, OrgUnitKind.VILLAGER_GROUP, OrgUnitKind.COMPOUND]
HANDLER_KINDS = [OrgUnitKind.GRID, OrgUnitKind.VILLAGER_GROUP, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE,
                 OrgUnitKind.DEPARTMENT]


def _site(request):
    return selectors.setup_site_for_user(request.user)


@scope_safe
@login_required
def setup_home(request):
    """办理设置: the categories and the routing rules in force."""
    user = request.user
    site = _site(request)
    return render(request, "reports/setup.html", {
        "site": site, "categories": selectors.categories_of(site), "rules": selectors.routing_rules_for_user(user, site),
        "can_edit_categories": permissions.can_manage_categories(user, site),
    })


def _category_initial(cat) -> dict:
    return {"code": cat.code, "name": cat.name, "description": cat.description, "handler_level": cat.handler_level,
            "sla_hours": cat.sla_hours, "keywords": "，".join(cat.keyword_list()), "earns_points": cat.earns_points,
            "is_active": cat.is_active, "order": cat.order}


@scope_safe
@login_required
def category_edit(request, pk=None):
    user = request.user
    site = _site(request)
    if not permissions.can_manage_categories(user, site):
        raise PermissionDeniedError(_("只有街道管理员可以修改问题类别"))
    cat = selectors.category_get_for_user(user, site, pk) if pk else None
    initial = _category_initial(cat) if cat else {"sla_hours": 72, "earns_points": True, "is_active": True,
                                                   "handler_level": "grid", "order": 0}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = {**form.cleaned_data, "order": form.cleaned_data["order"] or 0}
        try:
            if cat:
                setup_services.category_update(actor=user, category=cat, **d)
            else:
                setup_services.category_create(actor=user, site=site, **d)
            messages.success(request, _("已保存问题类别“%(n)s”") % {"n": d["name"]})
            return redirect("reports:setup")
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "reports/setup_category.html", {"form": form, "category": cat, "site": site})


def _rule_form(request, site, data=None, initial=None):
    user = request.user
    places = [u for u in OrgUnit.objects.filter(path__startswith=site.path, kind__in=PLACE_KINDS).order_by("path")[:500]
              if permissions.can_manage_routing(user, u)]
    handler_units = OrgUnit.objects.filter(path__startswith=site.path, kind__in=HANDLER_KINDS).order_by("path")[:500]
    partners = PartnerUnit.objects.filter(pairings__org_unit__path__startswith=site.path).distinct().order_by("name")
    form = RoutingRuleForm(data, initial=initial, categories=selectors.categories_of(site).filter(is_active=True),
                           places=places, handler_units=handler_units, partners=partners)
    return form, {str(u.pk): u for u in places}, {str(u.pk): u for u in handler_units}, {str(p.pk): p for p in partners}


@scope_safe
@login_required
def rule_edit(request, pk=None):
    user = request.user
    site = _site(request)
    rule = selectors.routing_rule_get_for_user(user, site, pk) if pk else None
    initial = {"enabled": True}
    if rule:
        initial = {"category": rule.category_id or "", "org_unit": rule.org_unit_id,
                   "handler_unit": rule.handler_unit_id or "", "handler_partner": rule.handler_partner_id or "",
                   "hour_from": rule.hour_from, "hour_to": rule.hour_to, "enabled": rule.enabled}
    form, places, units, partners = _rule_form(request, site, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        category = selectors.categories_of(site).filter(pk=d["category"]).first() if d["category"] else None
        kw = dict(category=category, org_unit=places.get(d["org_unit"]), handler_unit=units.get(d["handler_unit"]),
                  handler_partner=partners.get(d["handler_partner"]), hour_from=d["hour_from"], hour_to=d["hour_to"],
                  enabled=d["enabled"])
        try:
            if rule:
                setup_services.routing_rule_update(actor=user, rule=rule, **kw)
            else:
                setup_services.routing_rule_create(actor=user, site=site, **kw)
            messages.success(request, _("已保存派单规则"))
            return redirect("reports:setup")
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "reports/setup_rule.html", {"form": form, "rule": rule, "site": site})


@scope_safe
@login_required
@require_POST
def rule_delete(request, pk):
    user = request.user
    rule = selectors.routing_rule_get_for_user(user, _site(request), pk)
    try:
        setup_services.routing_rule_delete(actor=user, rule=rule)
        messages.success(request, _("已删除派单规则"))
    except (JicengError, NotFoundError) as exc:
        messages.error(request, exc.message)
    return redirect("reports:setup")
