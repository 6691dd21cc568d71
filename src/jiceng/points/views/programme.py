"""The programme's pages: the overview, the points list (items and their versions), settings, star ratings."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.web.forms import apply_error

from .. import permissions, selectors, services
from ..forms import ItemForm, ProgrammeForm, RatingsForm
from ..models import DeclarationStatus, PointsItem
from ..services.ratings import current_period, period_bounds
from .common import community_of, home_unit, programme_or_404, require


# ----------------------------------------------------------------------------- overview

@scope_safe
@login_required
def overview(request):
    user = request.user
    if getattr(user, "resident_id", None) and not permissions.can_record_any(user) and not permissions.can_use_any_shop(user):
        return redirect("points:my_points")
    if not permissions.can_view_any(user) and permissions.can_use_any_shop(user):
        return redirect("points:shop_list")
    require(permissions.can_view_any(user))
    programme = selectors.programme_for_user(user)
    home = home_unit(user)
    ctx = {"programme": programme, "can_review": permissions.can_review_any(user),
           "can_settings": bool(programme) and permissions.can_manage_points_list(user, programme.org_path),
           "notice_unit": community_of(home) if home else (programme.org_unit if programme else None),
           "can_record": permissions.can_record_any(user), "can_manage": permissions.can_manage_any(user),
           "shops": selectors.shops_for_user(user)}
    if programme:
        start, end, label = current_period(programme)
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user, purpose="points_view")
        path = programme.org_path if scope.everything else (scope.paths[0] if scope.paths else programme.org_path)
        top, bottom = selectors.ranking(path=path, start=start, end=end, limit=10)
        decls = selectors.declaration_list(user=user)
        ctx.update({
            "period_label": label, "top": [(sc, h) for sc, h in top if sc > 0],
            "to_review": selectors.review_queue(user=user).count() if ctx["can_review"] else None,
            "publicising": decls.filter(status=DeclarationStatus.PUBLICISING).count(),
            "posted_period": decls.filter(status=DeclarationStatus.POSTED, occurred_on__range=(start, end)).aggregate(
                s=Sum("points"))["s"] or 0,
            "recent": decls[:10], "scope_unit": OrgUnit.objects.filter(path=path).first(),
            "bottom": [(sc, h) for sc, h in bottom if sc < 0],
        })
    return render(request, "points/overview.html", ctx)


# ----------------------------------------------------------------------------- points list

@scope_safe
@login_required
def item_list(request):
    user = request.user
    require(permissions.can_view_any(user))
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else None
    programme = programme_or_404(user)
    unit = unit or home_unit(user) or programme.org_unit
    items = services.effective_items(unit, include_inactive=True)
    return render(request, "points/item_list.html", {
        "unit": unit, "items": items, "programme": programme,
        "can_manage": permissions.can_manage_points_list(user, unit.path),
        "history": PointsItem.objects.within(programme.org_path).filter(retired_at__isnull=False)
        .select_related("org_unit", "category").order_by("-retired_at")[:20],
    })


@scope_safe
@login_required
def item_create(request):
    user = request.user
    unit = org_unit_get_for_user(user, request.GET.get("org") or request.POST.get("org") or "0") if (
        request.GET.get("org") or request.POST.get("org")) else programme_or_404(user).org_unit
    require(permissions.can_manage_points_list(user, unit.path))
    programme = services.programme_for_path(unit.path)
    if programme is None:
        raise NotFoundError(_("该单元尚未实行积分制"))
    initial = {}
    base = PointsItem.objects.filter(pk=request.GET.get("override")).first() if request.GET.get("override") else None
    if base:
        initial = {"code": base.code, "category": base.category_id, "name": base.name, "points": base.points,
                   "evidence_required": base.evidence_required, "cap_period": base.cap_period,
                   "cap_count": base.cap_count, "cap_points": base.cap_points, "description": base.description}
    form = ItemForm(request.POST or None, programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.service_data()
            services.item_create(actor=user, org_unit=unit, code=form.cleaned_data["code"], **data)
            messages.success(request, _("已添加积分项目"))
            return redirect(f"{reverse('points:item_list')}?org={unit.pk}")
        except JicengError as exc:
            apply_error(form, exc, {"category_id": "category"})
    return render(request, "points/form.html", {"form": form, "title": _("添加积分项目：%(unit)s") % {"unit": unit.name},
                                                "hidden": {"org": unit.pk}, "multipart": False})


@scope_safe
@login_required
def item_edit(request, pk):
    user = request.user
    item = PointsItem.objects.select_related("programme", "org_unit").filter(pk=pk, retired_at__isnull=True).first()
    if item is None or not permissions.can_manage_points_list(user, item.org_path):
        raise NotFoundError()
    if request.method == "POST" and request.POST.get("retire"):
        services.item_retire(actor=user, item=item)
        messages.success(request, _("已停用“%(name)s”；已获得的积分不受影响") % {"name": item.name})
        return redirect(f"{reverse('points:item_list')}?org={item.org_unit_id}")
    initial = {"code": item.code, "category": item.category_id, "name": item.name, "points": item.points,
               "evidence_required": item.evidence_required, "cap_period": item.cap_period, "cap_count": item.cap_count,
               "cap_points": item.cap_points, "valid_from": item.valid_from, "valid_to": item.valid_to,
               "is_active": item.is_active, "description": item.description}
    form = ItemForm(request.POST or None, programme=item.programme, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=user, item=item, **form.service_data())
            messages.success(request, _("已保存为第 %(v)s 版；此前获得的积分仍按原版本计") % {"v": item.version + 1})
            return redirect(f"{reverse('points:item_list')}?org={item.org_unit_id}")
        except JicengError as exc:
            apply_error(form, exc, {"category_id": "category"})
    return render(request, "points/form.html", {"form": form, "title": _("修改积分项目：%(name)s（第 %(v)s 版）")
                                                % {"name": item.name, "v": item.version},
                                                "retire": True})


@scope_safe
@login_required
def programme_edit(request):
    user = request.user
    programme = programme_or_404(user)
    require(permissions.can_manage_points_list(user, programme.org_path))
    form = ProgrammeForm(request.POST or None, instance=programme)
    rules = list(programme.exchange_rules.order_by("id"))
    rule_errors = []
    if request.method == "POST" and form.is_valid():
        try:

            if form.changed_data:
                services.programme_update(actor=user, programme=type(programme).objects.get(pk=programme.pk),
                                          **{f: form.cleaned_data[f] for f in form.changed_data})
            for rule in rules:
                value = request.POST.get(f"rule_{rule.pk}", "").strip()
                if value and value != str(rule.points):
                    services.exchange_rule_update(actor=user, rule=rule, points=value)
            messages.success(request, _("已保存积分制度设置"))
            return redirect("points:overview")
        except JicengError as exc:
            if exc.field and exc.field.startswith("rule_"):
                rule_errors.append(exc.message)
            else:
                apply_error(form, exc)
    return render(request, "points/programme.html", {"form": form, "rules": rules, "rule_errors": rule_errors,
                                                     "programme": programme})


# ----------------------------------------------------------------------------- ratings

@scope_safe
@login_required
def ratings(request):
    user = request.user
    require(permissions.can_view_any(user))
    programme = programme_or_404(user)
    from ..services.ratings import previous_period

    start, end, label = previous_period(programme)
    default = {"year": start.year, "quarter": str((start.month - 1) // 3 + 1) if programme.rating_period == "quarter" else ""}
    form = RatingsForm(request.POST or request.GET or default)
    can_manage = permissions.can_manage_points_list(user, programme.org_path)
    if form.is_bound and form.is_valid():
        y, q = form.cleaned_data["year"], form.cleaned_data["quarter"]
        start, end, label = period_bounds("quarter" if q else "year", y, int(q or 1))
        if request.method == "POST":
            require(can_manage)
            n = services.ratings_evaluate(actor=user, programme=programme, start=start, end=end, label=label)
            messages.success(request, _("%(label)s 星级评定完成：%(n)s 户") % {"label": label, "n": n})
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else (
        home_unit(user) or programme.org_unit)
    path = unit.path
    top, bottom = selectors.ranking(path=path, start=start, end=end, limit=20)
    top = [(sc, h) for sc, h in top if sc > 0]
    bottom = [(sc, h) for sc, h in bottom if sc < 0]
    counts = selectors.star_counts(path=path, start=start, end=end)
    return render(request, "points/ratings.html", {
        "form": form, "label": label, "top": top, "bottom": bottom, "can_manage": can_manage, "unit": unit,
        "children": OrgUnit.objects.filter(parent=unit).order_by("path"),
        "counts": [(s, counts.get(s, 0)) for s in range(5, -1, -1)], "programme": programme,
        "five_star": selectors.StarRating.objects.filter(org_path__startswith=path, period_start=start, period_end=end,
                                                         stars=5).select_related("household", "household__head")[:50],
    })
