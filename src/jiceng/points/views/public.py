"""The public notice (积分公示): no login."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.accounts.services import client_ip
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.web.forms import apply_error

from .. import selectors, services
from ..forms import ObjectionForm
from ..models import DeclarationStatus


@scope_safe
def public_notice(request, code):
    """积分公示: no login; names masked; objections lodged here during the period."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError()
    objection_form = ObjectionForm(request.POST or None)
    target = request.POST.get("declaration") or request.GET.get("object")
    selected = None
    if target and str(target).isdigit():
        selected = (selectors.PointsDeclaration.objects.within(unit.path).filter(pk=target,
                                                               status=DeclarationStatus.PUBLICISING)
                    .select_related("household__head", "item").first())
    if request.method == "POST":
        if selected is None:
            messages.error(request, _("该项目不在公示中，不能提出异议"))
            return redirect("public_points", code)
        if objection_form.is_valid():
            d = objection_form.cleaned_data
            try:
                services.objection_lodge(declaration_id=selected.pk, reason=d["reason"], name=d["name"],
                                         phone=d["phone"], ip_address=client_ip(request), within=unit.path)
                messages.success(request, _("异议已受理，该项目暂停公示，社区将重新审核"))
                return redirect("public_points", code)
            except JicengError as exc:
                apply_error(objection_form, exc)
    publicising, posted = selectors.public_notice(unit)
    programme = services.programme_for_path(unit.path)
    five = []
    if programme:
        from ..models import StarRating

        latest = StarRating.objects.filter(org_path__startswith=unit.path).order_by("-period_start").first()
        if latest:
            five = StarRating.objects.filter(org_path__startswith=unit.path, period_start=latest.period_start,
                                             stars=5).select_related("household__head")[:60]
    return render(request, "points/public_notice.html", {"unit": unit, "publicising": publicising, "posted": posted,
                                                         "form": objection_form, "selected": selected, "five": five,
                                                         "programme": programme})
