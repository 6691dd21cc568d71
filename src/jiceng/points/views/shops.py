"""Points shops (积分超市): opening one, the counter, receipts, stock, daily reconciliation."""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.web.forms import apply_error

from .. import permissions, selectors, services
from ..forms import ProductForm, ShopForm, StockForm
from ..models import StockKind
from ..services.programme import suggested_price


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
