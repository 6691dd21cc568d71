"""A resident's own pages: their points, declaring, the shops that serve them."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.scope import scope_safe
from jiceng.web.forms import apply_error

from .. import selectors, services
from ..forms import DeclareForm


def _my_household(user):
    if not getattr(user, "resident_id", None) or not user.resident.household_id:
        raise NotFoundError(_("您的账号还没有关联住户，请联系社区工作人员"))
    return selectors.household_get_for_points(user, user.resident.household_id)


@scope_safe
@login_required
def my_points(request):
    user = request.user
    household = _my_household(user)
    return render(request, "points/my_points.html", {
        "household": household, "s": selectors.household_summary(household),
        "entries": selectors.ledger_for_household(household, limit=50),
        "declarations": selectors.declaration_list(user=user, household_id=household.pk)[:20],
    })


@scope_safe
@login_required
def my_declare(request):
    user = request.user
    household = _my_household(user)
    form = DeclareForm(request.POST or None, request.FILES or None, items=services.effective_items(household.org_unit))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.declaration_submit(actor=user, household_id=household.pk, item=d["item"],
                                        occurred_on=d["occurred_on"], description=d["description"], photo=d["photo"])
            messages.success(request, _("已提交，社区审核后会公示 7 天，无异议即入账"))
            return redirect("points:my_points")
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "points/form.html", {"form": form, "multipart": True, "title": _("申报积分"),
                                                "intro": _("选择您做的好事，拍一张照片作为佐证。"), "single_column": True})


@scope_safe
@login_required
def my_shop(request):
    user = request.user
    household = _my_household(user)
    shops = [s for s in selectors.shops_visible(user) if household.org_path.startswith(s.org_path)]
    return render(request, "points/my_shop.html", {"shops": [(s, selectors.products_of(s)) for s in shops],
                                                   "s": selectors.household_summary(household)})
