"""Points pages. Thin: parse, call one service or selector, render."""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.services import client_ip
from jiceng.audit.models import AuditEntry
from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit, path_and_ancestors
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Household, HouseholdStatus
from jiceng.web.forms import apply_error
from jiceng.web.pagination import CappedPaginator

from . import permissions, selectors, services
from .forms import (
    DeclareForm, EventForm, ItemForm, ObjectionForm, ProductForm, ProgrammeForm, RatingsForm, RecordForm, ReviewForm,
    ShopForm, StockForm,
)
from .models import DeclarationStatus, PointsCard, PointsItem, CardStatus, StockKind
from .services.programme import suggested_price
from .services.ratings import current_period, period_bounds

PAGE_SIZE = 20
EVENT_MAX = 300  # households listed for ticking at one unit; a bigger unit is narrowed to a grid first


def _page(request, qs):
    return CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _require(ok: bool):
    if not ok:
        raise PermissionDeniedError()


def _home_unit(user):
    """The unit a page opens at: the user's own (first) unit, or their household's for a resident."""
    from jiceng.orgs.selectors import org_roots_for_user

    if getattr(user, "resident_id", None) and user.resident.household_id:
        return user.resident.household.org_unit
    roots = list(org_roots_for_user(user))
    return roots[0] if len(roots) == 1 else None


def community_of(unit):
    """The community or village a unit belongs to (its public notice page), else the unit itself."""
    from jiceng.orgs.models import OrgUnitKind

    found = (OrgUnit.objects.filter(path__in=path_and_ancestors(unit.path), kind__in=[OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE])
             .order_by("-path").first())
    return found or unit


def _programme_or_404(user):
    programme = selectors.programme_for_user(user)
    if programme is None:
        raise NotFoundError(_("您所在的单元尚未实行积分制"))
    return programme


# ----------------------------------------------------------------------------- overview

@scope_safe
@login_required
def overview(request):
    user = request.user
    if getattr(user, "resident_id", None) and not permissions.can_record_any(user) and not permissions.can_use_any_shop(user):
        return redirect("points:my_points")
    if not permissions.can_view_any(user) and permissions.can_use_any_shop(user):
        return redirect("points:shop_list")
    _require(permissions.can_view_any(user))
    programme = selectors.programme_for_user(user)
    home = _home_unit(user)
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
    _require(permissions.can_view_any(user))
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else None
    programme = _programme_or_404(user)
    unit = unit or _home_unit(user) or programme.org_unit
    items = services.effective_items(unit, include_inactive=True)
    return render(request, "points/item_list.html", {
        "unit": unit, "items": items, "programme": programme,
        "can_manage": permissions.can_manage_points_list(user, unit.path),
        "history": PointsItem.objects.filter(org_path__startswith=programme.org_path, retired_at__isnull=False)
        .select_related("org_unit", "category").order_by("-retired_at")[:20],
    })


@scope_safe
@login_required
def item_create(request):
    user = request.user
    unit = org_unit_get_for_user(user, request.GET.get("org") or request.POST.get("org") or "0") if (
        request.GET.get("org") or request.POST.get("org")) else _programme_or_404(user).org_unit
    _require(permissions.can_manage_points_list(user, unit.path))
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
            return redirect(f"{_url('points:item_list')}?org={unit.pk}")
        except JicengError as exc:
            apply_error(form, exc, {"category_id": "category"})
    return render(request, "points/form.html", {"form": form, "title": _("添加积分项目：%(unit)s") % {"unit": unit.name},
                                                "hidden": {"org": unit.pk}, "multipart": False})


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


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
        return redirect(f"{_url('points:item_list')}?org={item.org_unit_id}")
    initial = {"code": item.code, "category": item.category_id, "name": item.name, "points": item.points,
               "evidence_required": item.evidence_required, "cap_period": item.cap_period, "cap_count": item.cap_count,
               "cap_points": item.cap_points, "valid_from": item.valid_from, "valid_to": item.valid_to,
               "is_active": item.is_active, "description": item.description}
    form = ItemForm(request.POST or None, programme=item.programme, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=user, item=item, **form.service_data())
            messages.success(request, _("已保存为第 %(v)s 版；此前获得的积分仍按原版本计") % {"v": item.version + 1})
            return redirect(f"{_url('points:item_list')}?org={item.org_unit_id}")
        except JicengError as exc:
            apply_error(form, exc, {"category_id": "category"})
    return render(request, "points/form.html", {"form": form, "title": _("修改积分项目：%(name)s（第 %(v)s 版）")
                                                % {"name": item.name, "v": item.version},
                                                "retire": True})


@scope_safe
@login_required
def programme_edit(request):
    user = request.user
    programme = _programme_or_404(user)
    _require(permissions.can_manage_points_list(user, programme.org_path))
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


# ----------------------------------------------------------------------------- household, recording

@scope_safe
@login_required
def household_points(request, pk):
    user = request.user
    household = selectors.household_get_for_points(user, pk)
    summary = selectors.household_summary(household)
    return render(request, "points/household.html", {
        "household": household, "s": summary, "entries": selectors.ledger_for_household(household, limit=100),
        "declarations": selectors.declaration_list(user=user, household_id=household.pk)[:50],
        "ratings": household.star_ratings.order_by("-period_start")[:8],
        "can_record": permissions.can_record_points(user, household.org_path),
        "can_reverse": permissions.can_review_points(user, household.org_path),
        "reversed": set(selectors.PointsLedgerEntry.objects.filter(account__household=household, reverses__isnull=False)
                        .values_list("reverses_id", flat=True)),
        "old_cards": PointsCard.objects.filter(household=household, status=CardStatus.REPLACED).order_by("-replaced_at"),
    })


@scope_safe
@login_required
def record(request, pk):
    user = request.user
    household = selectors.household_get_for_points(user, pk, purpose="points_record")
    items = services.effective_items(household.org_unit)
    form = RecordForm(request.POST or None, request.FILES or None, items=items, members=household.members.all())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.declaration_record(actor=user, household_id=household.pk, item=d["item"], quantity=d["quantity"],
                                        occurred_on=d["occurred_on"], description=d["description"], photo=d["photo"],
                                        resident_id=d["resident"] or None)
            messages.success(request, _("已记录，等待社区审核"))
            return redirect("points:household", household.pk)
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "points/form.html", {"form": form, "multipart": True,
                                                "title": _("为 %(number)s 记分") % {"number": household.number},
                                                "intro": household.address})


@scope_safe
@login_required
def event_create(request):
    user = request.user
    unit_id = request.GET.get("org") or request.POST.get("org")
    if not unit_id:
        from jiceng.orgs.selectors import org_roots_for_user

        roots = list(org_roots_for_user(user))
        unit = roots[0] if roots else None
    else:
        unit = org_unit_get_for_user(user, unit_id)
    if unit is None or not permissions.can_record_points(user, unit.path):
        raise PermissionDeniedError()
    households = list(Household.objects.filter(org_path__startswith=unit.path, status=HouseholdStatus.ACTIVE)
                      .select_related("head", "org_unit").order_by("number")[: EVENT_MAX + 1])
    too_many = len(households) > EVENT_MAX
    if too_many:
        households = []
    form = EventForm(request.POST or None, items=services.effective_items(unit), households=households)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            event, decls = services.event_record(actor=user, org_unit=unit, name=d["name"], held_on=d["held_on"],
                                                 item=d["item"], household_ids=d["households"])
            messages.success(request, _("已为 %(n)s 户记录“%(name)s”，等待审核") % {"n": len(decls), "name": event.name})
            return redirect("points:overview")
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "points/event.html", {"form": form, "unit": unit, "too_many": too_many,
                                                 "children": OrgUnit.objects.filter(parent=unit).order_by("path"),
                                                 "households": households})


# ----------------------------------------------------------------------------- review

@scope_safe
@login_required
def review_list(request):
    user = request.user
    _require(permissions.can_review_any(user))
    return render(request, "points/review_list.html", {"page": _page(request, selectors.review_queue(user=user))})


@scope_safe
@login_required
def declaration_detail(request, pk):
    user = request.user
    decl = selectors.declaration_get_for_user(user, pk)
    can_review = decl.status == DeclarationStatus.SUBMITTED and permissions.can_review_points(user, decl.org_path)
    form = ReviewForm(request.POST or None) if can_review else None
    if request.method == "POST" and can_review and form.is_valid():
        d = form.cleaned_data
        try:
            services.declaration_review(actor=user, declaration=decl, decision=d["decision"], note=d["note"],
                                        points=d["points"])
            messages.success(request, _("审核完成"))
            return redirect("points:review_list")
        except JicengError as exc:
            apply_error(form, exc, {"review_note": "note"})
    # The declaration's own history: whoever may see the declaration may see how it got here.
    timeline = AuditEntry.objects.filter(object_type="points.pointsdeclaration", object_id=str(decl.pk)).order_by("id")
    return render(request, "points/declaration.html", {"d": decl, "form": form, "timeline": list(timeline)[:30],
                                                       "objections": decl.objections.order_by("created_at")})


# ----------------------------------------------------------------------------- cards

@scope_safe
@login_required
def cards(request):
    user = request.user
    _require(permissions.can_record_any(user))
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else None
    if unit is None:
        from jiceng.orgs.selectors import org_roots_for_user

        unit = next(iter(org_roots_for_user(user)), None)
    if unit is None:
        raise NotFoundError()
    base = PointsCard.objects.filter(household__org_path__startswith=unit.path)
    active = base.filter(status=CardStatus.ACTIVE)
    without = Household.objects.filter(org_path__startswith=unit.path, status=HouseholdStatus.ACTIVE).exclude(
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
    try:
        n = services.cards_issue_missing(actor=user, unit=unit)
        messages.success(request, _("已为 %(n)s 户发放积分卡") % {"n": n})
    except JicengError as exc:
        messages.error(request, exc.message)
    return redirect(f"{_url('points:cards')}?org={unit.pk}")


@scope_safe
@login_required
def cards_print(request):
    from .cards_pdf import cards_pdf

    user = request.user
    unit = org_unit_get_for_user(user, request.GET.get("org"))
    _require(permissions.can_record_points(user, unit.path))
    qs = (PointsCard.objects.filter(household__org_path__startswith=unit.path, status=CardStatus.ACTIVE)
          .select_related("household", "household__head", "household__org_unit").order_by("household__number"))
    if request.GET.get("household"):
        qs = qs.filter(household_id=request.GET["household"])
    from .cards_pdf import MAX_CARDS

    cards = list(qs[: MAX_CARDS + 1])
    if len(cards) > MAX_CARDS:
        messages.error(request, _("该单元的积分卡超过 %(n)s 张，请按网格分批打印") % {"n": MAX_CARDS})
        return redirect(f"{_url('points:cards')}?org={unit.pk}")
    if not cards:
        messages.error(request, _("该单元没有可打印的积分卡，请先发卡"))
        return redirect(f"{_url('points:cards')}?org={unit.pk}")
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
def entry_reverse(request, pk, seq):
    """Reverse (冲正) one ledger entry of a household: a new opposite entry; the original stays."""
    user = request.user
    household = selectors.household_get_for_points(user, pk, purpose="points_review")
    entry = selectors.PointsLedgerEntry.objects.filter(account__household=household, seq=seq).first()
    if entry is None:
        raise NotFoundError()
    try:
        services.ledger_reverse(actor=user, entry=entry, reason=request.POST.get("reason", ""))
        messages.success(request, _("已冲正流水 #%(seq)s") % {"seq": seq})
    except JicengError as exc:
        messages.error(request, exc.message)
    return redirect("points:household", household.pk)


@scope_safe
@login_required
@require_POST
def card_issue_one(request, pk):
    user = request.user
    household = selectors.household_get_for_points(user, pk, purpose="points_record")
    try:
        if request.POST.get("reissue"):
            card = services.card_reissue(actor=user, household=household, reason=request.POST.get("reason", ""))
            messages.success(request, _("已换发新卡 %(n)s，旧卡停止使用") % {"n": card.number})
        else:
            card = services.card_issue(actor=user, household=household)
            messages.success(request, _("已发卡 %(n)s") % {"n": card.number})
    except JicengError as exc:
        messages.error(request, exc.message)
    return redirect("points:household", household.pk)


# ----------------------------------------------------------------------------- ratings

@scope_safe
@login_required
def ratings(request):
    user = request.user
    _require(permissions.can_view_any(user))
    programme = _programme_or_404(user)
    from .services.ratings import previous_period

    start, end, label = previous_period(programme)
    default = {"year": start.year, "quarter": str((start.month - 1) // 3 + 1) if programme.rating_period == "quarter" else ""}
    form = RatingsForm(request.POST or request.GET or default)
    can_manage = permissions.can_manage_points_list(user, programme.org_path)
    if form.is_bound and form.is_valid():
        y, q = form.cleaned_data["year"], form.cleaned_data["quarter"]
        start, end, label = period_bounds("quarter" if q else "year", y, int(q or 1))
        if request.method == "POST":
            _require(can_manage)
            n = services.ratings_evaluate(actor=user, programme=programme, start=start, end=end, label=label)
            messages.success(request, _("%(label)s 星级评定完成：%(n)s 户") % {"label": label, "n": n})
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else (
        _home_unit(user) or programme.org_unit)
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


# ----------------------------------------------------------------------------- shops

@scope_safe
@login_required
def shop_list(request):
    user = request.user
    shops = selectors.shops_for_user(user)
    can_manage = permissions.can_manage_any(user)
    if not shops and not can_manage:
        shops = selectors.shops_visible(user)
    form = None
    if can_manage:
        from jiceng.orgs.selectors import org_roots_for_user

        roots = list(org_roots_for_user(user))
        units = []
        for r in roots:
            units.append(r)
            units.extend(OrgUnit.objects.filter(parent=r).order_by("path"))
        form = ShopForm(request.POST or None, units=units)
        if request.method == "POST" and form.is_valid():
            try:
                unit = org_unit_get_for_user(user, form.cleaned_data["org_unit"])
                services.shop_create(actor=user, org_unit=unit, name=form.cleaned_data["name"],
                                     address=form.cleaned_data["address"],
                                     opening_hours=form.cleaned_data["opening_hours"])
                messages.success(request, _("已开设积分超市"))
                return redirect("points:shop_list")
            except JicengError as exc:
                apply_error(form, exc)
    return render(request, "points/shop_list.html", {"shops": shops, "form": form,
                                                     "operable": {s.pk for s in selectors.shops_for_user(user)}})


def _counter_page(request, shop, *, card_number: str = "", household_id=None, error: str | None = None,
                  quantities: dict | None = None, status: int = 200):
    household = card = None
    try:
        if card_number:
            household, card = services.household_for_counter(actor=request.user, shop=shop, card_number=card_number)
        elif household_id:
            household, card = services.household_for_counter(actor=request.user, shop=shop, household_id=household_id)
    except JicengError as exc:
        error = error or exc.message
    q = request.GET.get("q", "")
    found = selectors.counter_households(shop=shop, q=q) if q else []
    summary = selectors.household_summary(household) if household else None
    products = list(selectors.products_of(shop))
    quantities = quantities or {}
    for p in products:
        p.qty = quantities.get(p.pk, 0)
    return render(request, "points/counter.html", {
        "shop": shop, "household": household, "card": card, "error": error, "found": found, "q": q,
        "s": summary, "products": products, "key": uuid.uuid4().hex,
    }, status=status)


@scope_safe
@login_required
def counter(request, pk):
    """The till (收银台): scan a card or find a household, pick goods, confirm."""
    shop = selectors.shop_get_for_user(request.user, pk)
    return _counter_page(request, shop, card_number=request.GET.get("card", "").strip(),
                         household_id=request.GET.get("household"))


@scope_safe
@login_required
@require_POST
def redeem(request, pk):
    user = request.user
    shop = selectors.shop_get_for_user(user, pk)
    lines = []
    quantities = {}
    for key, value in request.POST.items():
        if key.startswith("qty_") and key[4:].isdigit() and value.strip() not in ("", "0"):
            try:
                q = int(value)
            except ValueError:
                q = 0
            lines.append((int(key[4:]), q))
            quantities[int(key[4:])] = q
    card_number = request.POST.get("card", "")
    try:
        r = services.redemption_create(actor=user, shop=shop, lines=lines, idempotency_key=request.POST.get("key", ""),
                                       household_id=request.POST.get("household"), card_number=card_number)
    except services.DuplicateRedemption as exc:
        return redirect("points:receipt", shop.pk, exc.redemption.pk)
    except JicengError as exc:
        return _counter_page(request, shop, card_number=card_number, household_id=request.POST.get("household"),
                             error=exc.message, quantities=quantities, status=400)
    return redirect("points:receipt", shop.pk, r.pk)


@scope_safe
@login_required
def receipt(request, pk, rid):
    shop = selectors.shop_get_for_user(request.user, pk)
    r = shop.redemptions.select_related("household", "household__head", "clerk", "card").filter(pk=rid).first()
    if r is None:
        raise NotFoundError()
    return render(request, "points/receipt.html", {"shop": shop, "r": r, "lines": r.lines.select_related("product")})


@scope_safe
@login_required
def stock(request, pk):
    user = request.user
    shop = selectors.shop_get_for_user(user, pk)
    product_form = ProductForm(request.POST if request.POST.get("form") == "product" else None, prefix="p",
                               programme=shop.programme)
    stock_form = StockForm(request.POST if request.POST.get("form") == "stock" else None, shop=shop, prefix="s")
    if request.method == "POST":
        try:
            if request.POST.get("form") == "product" and product_form.is_valid():
                d = product_form.cleaned_data
                if not d["price_points"] and d["value_yuan"]:
                    d["price_points"] = suggested_price(shop.programme, d["value_yuan"])
                services.product_create(actor=user, shop=shop, name=d["name"], price_points=d["price_points"],
                                        value_yuan=d["value_yuan"], unit=d["unit"], is_service=d["is_service"])
                messages.success(request, _("已上架“%(name)s”") % {"name": d["name"]})
                return redirect("points:stock", shop.pk)
            if request.POST.get("form") == "stock" and stock_form.is_valid():
                d = stock_form.cleaned_data
                kw = {"counted": d["quantity"]} if d["kind"] == StockKind.STOCKTAKE else {"quantity": d["quantity"]}
                services.stock_move(actor=user, product=d["product"], kind=d["kind"], note=d["note"], **kw)
                messages.success(request, _("库存已更新"))
                return redirect("points:stock", shop.pk)
        except JicengError as exc:
            apply_error(stock_form if request.POST.get("form") == "stock" else product_form, exc)
    entries = (selectors.StockEntry.objects.filter(product__shop=shop).select_related("product", "actor")
               .order_by("-id")[:50])
    return render(request, "points/stock.html", {"shop": shop, "products": selectors.products_of(shop, active_only=False),
                                                 "product_form": product_form, "stock_form": stock_form,
                                                 "entries": entries})


@scope_safe
@login_required
def reconciliation(request, pk):
    shop = selectors.shop_get_for_user(request.user, pk)
    rows = selectors.reconciliation(user=request.user, shop=shop)
    return render(request, "points/reconciliation.html", {"shop": shop, "rows": rows,
                                                          "today": selectors.redemptions_for(shop, day=timezone.localdate())})


# ----------------------------------------------------------------------------- residents

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


# ----------------------------------------------------------------------------- public notice (no login)

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
        selected = (selectors.PointsDeclaration.objects.filter(pk=target, org_path__startswith=unit.path,
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
                                         phone=d["phone"], ip_address=client_ip(request))
                messages.success(request, _("异议已受理，该项目暂停公示，社区将重新审核"))
                return redirect("public_points", code)
            except JicengError as exc:
                apply_error(objection_form, exc)
    publicising, posted = selectors.public_notice(unit)
    programme = services.programme_for_path(unit.path)
    five = []
    if programme:
        from .models import StarRating

        latest = StarRating.objects.filter(org_path__startswith=unit.path).order_by("-period_start").first()
        if latest:
            five = StarRating.objects.filter(org_path__startswith=unit.path, period_start=latest.period_start,
                                             stars=5).select_related("household__head")[:60]
    return render(request, "points/public_notice.html", {"unit": unit, "publicising": publicising, "posted": posted,
                                                         "form": objection_form, "selected": selected, "five": five,
                                                         "programme": programme})


@scope_safe
@login_required
def declaration_photo(request, pk):
    """An evidence photo, served only to those who may see the declaration (no public media URL)."""
    from django.http import FileResponse

    decl = selectors.declaration_get_for_user(request.user, pk)
    if not decl.photo:
        raise NotFoundError()
    return FileResponse(decl.photo.open("rb"), content_type="image/png" if decl.photo.name.endswith(".png") else "image/jpeg")
