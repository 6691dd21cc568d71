"""Points cards (积分卡): the unit's cards, issuing, reissuing, printing."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import NotFoundError
from jiceng.core.scope import scope_safe
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Household, HouseholdStatus
from jiceng.web.actions import run_action

from .. import permissions, selectors, services
from ..models import CardStatus, PointsCard
from .common import require


@scope_safe
@login_required
def cards(request):
    user = request.user
    require(permissions.can_record_any(user))
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else None
    if unit is None:
        from jiceng.orgs.selectors import org_roots_for_user

        unit = next(iter(org_roots_for_user(user)), None)
    if unit is None:
        raise NotFoundError()
    base = PointsCard.objects.filter(household__org_path__startswith=unit.path)
    active = base.filter(status=CardStatus.ACTIVE)
    without = Household.objects.within(unit.path).filter(status=HouseholdStatus.ACTIVE).exclude(
        points_cards__status=CardStatus.ACTIVE).count()
    return render(request, "points/cards.html", {
        "unit": unit, "active": active.count(), "without": without, "replaced": base.filter(status=CardStatus.REPLACED).count(),
        "recent": active.select_related("household", "household__head").order_by("-issued_at")[:20],
        "children": unit.children.order_by("path") if hasattr(unit, "children") else [],
    })


@scope_safe
@login_required
@require_POST
def cards_issue(request):
    user = request.user
    unit = org_unit_get_for_user(user, request.POST.get("org"))

    def issue():
        n = services.cards_issue_missing(actor=user, unit=unit)
        return _("已为 %(n)s 户发放积分卡") % {"n": n}

    return run_action(request, issue, then=f"{reverse('points:cards')}?org={unit.pk}")


@scope_safe
@login_required
def cards_print(request):
    from ..cards_pdf import cards_pdf

    user = request.user
    unit = org_unit_get_for_user(user, request.GET.get("org"))
    require(permissions.can_record_points(user, unit.path))
    qs = (PointsCard.objects.filter(household__org_path__startswith=unit.path, status=CardStatus.ACTIVE)
          .select_related("household", "household__head", "household__org_unit").order_by("household__number"))
    if request.GET.get("household"):
        qs = qs.filter(household_id=request.GET["household"])
    from ..cards_pdf import MAX_CARDS

    cards = list(qs[: MAX_CARDS + 1])
    if len(cards) > MAX_CARDS:
        messages.error(request, _("该单元的积分卡超过 %(n)s 张，请按网格分批打印") % {"n": MAX_CARDS})
        return redirect(f"{reverse('points:cards')}?org={unit.pk}")
    if not cards:
        messages.error(request, _("该单元没有可打印的积分卡，请先发卡"))
        return redirect(f"{reverse('points:cards')}?org={unit.pk}")
    programme = services.programme_for_path(unit.path)
    pdf = cards_pdf(cards, programme_name=programme.name if programme else "")
    PointsCard.objects.filter(pk__in=[c.pk for c in cards]).update(printed_at=timezone.now())
    from jiceng.audit.services import audit_log

    audit_log(actor=user, action="points.card.printed", obj=unit, org_path=unit.path, after={"cards": len(cards)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="points-cards-{unit.code or unit.pk}.pdf"'
    return response


@scope_safe
@login_required
@require_POST
def card_issue_one(request, pk):
    user = request.user
    household = selectors.household_get_for_points(user, pk, purpose="points_record")

    def issue():
        if request.POST.get("reissue"):
            card = services.card_reissue(actor=user, household=household, reason=request.POST.get("reason", ""))
            return _("已换发新卡 %(n)s，旧卡停止使用") % {"n": card.number}
        card = services.card_issue(actor=user, household=household)
        return _("已发卡 %(n)s") % {"n": card.number}

    return run_action(request, issue, then=("points:household", household.pk))
