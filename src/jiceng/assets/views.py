"""The collective economy's pages (集体经济): the register, the confirmation chain, transactions, enterprises,
projects, income and community funds, and the village's public page. Thin: parse, call one service or selector,
render."""
from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.modules import Period, registry, resolve
from jiceng.core.scope import AUTHORISED, scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_roots_for_user, org_unit_get_for_user
from jiceng.people.models import Household
from jiceng.web.actions import form_post, run_action

from . import forms as f
from . import permissions, selectors, services
from .models import (
    AssetDocument, Bid, ConfirmationDecision, ConfirmationDocument, ConfirmationProject, ConfirmationStage,
    Contract, DistributionRule, Enterprise, EnterpriseYear, FundedProject, IncomeRecord, Listing, ListingStatus,
    Revitalisation, RevitalisationStatus,
)
from .services.common import ECONOMY_UNIT_KINDS, site_of
from .services.confirmation import NEXT_STAGE
from .services.money import from_fen, rate

VIEW, KEEP, REVIEW = "assets_view", "assets_keep", "assets_review"


def _need_view(user):
    if not permissions.can_view_any(user):
        raise PermissionDeniedError()


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _units(user, purpose=KEEP, kinds=ECONOMY_UNIT_KINDS):
    qs = OrgUnit.objects.accessible_to(user, purpose=purpose)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs.order_by("path")[:800])


def _pick(rows, pk, field):
    found = next((r for r in rows if r.pk == pk), None)
    if found is None:
        raise JicengError(_("选择的记录不在您的管理范围内"), field=field)
    return found


def _get(model, user, pk):
    row = model.objects.accessible_to(user, purpose=VIEW).filter(pk=pk).first()
    if row is None:
        raise NotFoundError()
    return row


def shown(fig, value):
    """A figure's value as the page shows it: yuan with two decimals and thousands separators, a count as is."""
    if fig.sums and fig.sums.lstrip("-") not in ("jobs",):
        return f"{value:,.2f}"
    return value


def _lines(text: str, field: str, what: str) -> list[tuple[str, str]]:
    """Lines of "a b" (two columns split at the last space); a line that is not is refused naming it."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace("%", "").replace("\t", " ")
        if not line:
            continue
        if " " not in line:
            raise JicengError(_("%(w)s第 %(n)d 行应为两项，用空格分开：%(l)s") % {"w": what, "n": n, "l": line[:40]},
                              field=field)
        a, b = line.rsplit(" ", 1)
        out.append((a.strip(), b.strip()))
    return out


# --------------------------------------------------------------------------- home

@scope_safe
@login_required
def home(request):
    """集体经济概览: the year's figures for the user's unit, and each village's income against the thresholds."""
    user = request.user
    _need_view(user)
    year = _year(request)
    root = org_roots_for_user(user, purpose=VIEW).first()
    figures = []
    if root is not None:
        period = Period.year(year)
        for code, fig in registry.figures().items():
            if code.startswith("assets."):
                figures.append((code.split(".", 1)[1], fig, shown(fig, resolve(fig.value)(root, period))))
    rows = selectors.income_by_unit(user, year)
    return render(request, "assets/home.html", {
        "active": "home", "root": root, "year": year, "figures": figures, "rows": rows,
        "below": [r for r in rows if r["below_total"]], "settings": selectors.settings_for_user(user),
        "listings": selectors.listing_list(user, status=ListingStatus.NOTICE)[:5],
    })


@scope_safe
@login_required
def figure(request, code):
    """One figure for the user's unit (or a unit below it) and a year, and exactly the records it counts."""
    user = request.user
    _need_view(user)
    fig = registry.figures().get(f"assets.{code}")
    if fig is None:
        raise NotFoundError()
    unit = org_roots_for_user(user, purpose=VIEW).first()
    if request.GET.get("unit"):
        unit = org_unit_get_for_user(user, request.GET["unit"], purpose=VIEW)
    if unit is None:
        raise NotFoundError()
    year = _year(request)
    period = Period.year(year)
    records = list(resolve(fig.records)(unit, period)[:500])
    names = dict(OrgUnit.objects.filter(path__in={r.org_path for r in records}).values_list("path", "name"))
    column = fig.sums.lstrip("-")
    return render(request, "assets/figure.html", {
        "active": "home", "figure": fig, "code": code, "unit": unit, "year": year,
        "value": shown(fig, resolve(fig.value)(unit, period)), "shown": len(records),
        "rows": [(names.get(r.org_path, ""), r, getattr(r, column) if column else None) for r in records]})


# --------------------------------------------------------------------------- register

@scope_safe
@login_required
def register(request):
    """三资台账: the assets in the user's view, with filters (idle and low-yield flagged), and a form to register one."""
    user = request.user
    _need_view(user)
    keep = permissions.can_keep_any(user)
    units = _units(user) if keep else []
    form = f.AssetForm(request.POST or None, units=units)
    if request.method == "POST":
        if not keep:
            raise PermissionDeniedError()
        response = form_post(request, form, lambda d: services.asset_create(
            actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"),
            **{k: v for k, v in d.items() if k != "org_unit"}), then=lambda a: f"/assets/register/{a.pk}/",
            done=_("资产已登记"))
        if response:
            return response
    flagged = request.GET.get("flagged") == "1"
    qs = selectors.asset_list(user, status=request.GET.get("status", ""), kind=request.GET.get("kind", ""),
                              flagged=flagged, q=(request.GET.get("q") or "").strip()[:50])
    from jiceng.web.pagination import CappedPaginator

    from .models import AssetKind, AssetStatus

    settings = selectors.settings_for_user(user)
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for a in rows:
        a.low_yield = selectors.is_low_yield(a, settings.low_yield_percent)
    return render(request, "assets/register.html", {
        "active": "register", "rows": rows, "page": page, "form": form, "keep": keep, "flagged": flagged,
        "statuses": AssetStatus.choices, "kinds": AssetKind.choices, "settings": settings})


@scope_safe
@login_required
def asset(request, pk):
    """One asset: its values and status, documents and photos, revitalisation, listings; forms for its keepers."""
    user = request.user
    _need_view(user)
    a = selectors.asset_get(user, pk)
    if a is None:
        raise NotFoundError()
    keep = permissions.can_keep(user, a.org_path)
    which = request.POST.get("form")
    forms = {
        "revitalise": f.RevitalisationForm(request.POST if which == "revitalise" else None,
                                           initial={"started_on": timezone.localdate()}),
        "document": f.DocumentForm(request.POST if which == "document" else None,
                                   request.FILES if which == "document" else None),
        "listing": f.ListingForm(request.POST if which == "listing" else None,
                                 initial={"notice_starts_on": timezone.localdate(), "term_years": 5,
                                          "title": _("%(a)s 出租") % {"a": a.name}}),
    }
    if request.method == "POST":
        if not keep:
            raise PermissionDeniedError()
        calls = {
            "revitalise": (lambda d: services.revitalisation_start(actor=user, asset=a, **d), f"/assets/register/{a.pk}/",
                           _("已启动盘活")),
            "document": (lambda d: services.asset_document_add(actor=user, asset=a, title=d["title"], file=d["file"],
                                                               is_photo=(d["file"].content_type or "").startswith("image/")),
                         f"/assets/register/{a.pk}/", _("附件已上传")),
            "listing": (lambda d: services.listing_create(actor=user, asset=a, **d), None, _("已挂牌，公告已在公开栏发布")),
        }
        if which in calls:
            call, then, done = calls[which]
            response = form_post(request, forms[which], call, then=then or (lambda lst: f"/assets/listings/{lst.pk}/"),
                                 done=done)
            if response:
                return response
    settings = selectors.settings_for_user(user)
    return render(request, "assets/asset.html", {
        "active": "register", "a": a, "keep": keep, "forms": forms,
        "low_yield": selectors.is_low_yield(a, settings.low_yield_percent),
        "documents": AssetDocument.objects.within(a.org_path).filter(asset=a),
        "revitalisations": Revitalisation.objects.within(a.org_path).filter(asset=a),
        "listings": Listing.objects.within(a.org_path).filter(asset=a).select_related("awarded_bid"),
        "confirmations": ConfirmationProject.objects.within(a.org_path).filter(asset=a),
        "today": timezone.localdate()})


@require_POST
@scope_safe
@login_required
def revitalisation_finish(request, pk):
    user = request.user
    r = _get(Revitalisation, user, pk)
    done = request.POST.get("done") == "1"
    return run_action(request, lambda: services.revitalisation_finish(
        actor=user, revitalisation=r, done=done, actual_output=request.POST.get("actual_output"),
        done_on=request.POST.get("done_on")) and (_("盘活完成") if done else _("盘活已终止")),
        then=f"/assets/register/{r.asset_id}/")


# --------------------------------------------------------------------------- confirmation chain

@scope_safe
@login_required
def confirmations(request):
    """确权: every project with the step it waits for; a form to open a project's file."""
    user = request.user
    _need_view(user)
    keep = permissions.can_keep_any(user)
    units = _units(user) if keep else []
    assets = list(selectors.asset_list(user)[:500]) if keep else []
    form = f.ConfirmationForm(request.POST or None, units=units, assets=assets)
    if request.method == "POST":
        if not keep:
            raise PermissionDeniedError()
        response = form_post(request, form, lambda d: services.confirmation_create(
            actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"), title=d["title"], value=d["value"],
            asset=_pick(assets, d["asset"], "asset") if d.get("asset") else None),
            then=lambda p: f"/assets/confirmations/{p.pk}/", done=_("确权档案已建立"))
        if response:
            return response
    status = request.GET.get("status", "")
    rows = list(selectors.confirmation_list(user, status=status)[:300])
    for p in rows:
        p.next_stage = NEXT_STAGE.get(p.status)
    from .models import ConfirmationStatus

    return render(request, "assets/confirmations.html", {
        "active": "confirmations", "rows": rows, "form": form, "keep": keep, "status": status,
        "statuses": ConfirmationStatus.choices})


@scope_safe
@login_required
def confirmation(request, pk):
    """One project's file (一项目一档案): its steps as taken, its documents, and the next step for whoever may take it."""
    user = request.user
    _need_view(user)
    p = selectors.confirmation_get(user, pk)
    if p is None:
        raise NotFoundError()
    doc_form = f.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        response = form_post(request, doc_form, lambda d: services.confirmation_document_add(
            actor=user, project=p, title=d["title"], file=d["file"]), then=f"/assets/confirmations/{p.pk}/",
            done=_("材料已归档"))
        if response:
            return response
    next_stage = NEXT_STAGE.get(p.status)
    purpose = {ConfirmationStage.APPLY: "assets_apply", ConfirmationStage.REVIEW: "assets_review",
               ConfirmationStage.APPROVE: "assets_approve"}.get(next_stage)
    may_act = bool(purpose) and permissions.path_in_scope(user, p.org_path, purpose=purpose)
    return render(request, "assets/confirmation.html", {
        "active": "confirmations", "p": p, "steps": list(p.steps.all()), "next_stage": next_stage,
        "next_label": ConfirmationStage(next_stage).label if next_stage else "", "may_act": may_act,
        "documents": ConfirmationDocument.objects.within(p.org_path).filter(project=p),
        "doc_form": doc_form, "may_file": permissions.can_keep(user, p.org_path) or permissions.can_approve(user, p.org_path)})


@require_POST
@scope_safe
@login_required
def confirmation_step(request, pk):
    user = request.user
    p = selectors.confirmation_get(user, pk)
    if p is None:
        raise NotFoundError()
    decision = request.POST.get("decision", "")
    stage = NEXT_STAGE.get(p.status, "")
    done = {ConfirmationDecision.SUBMIT: _("已申报"), ConfirmationDecision.PASS: _("已通过"),
            ConfirmationDecision.RETURN: _("已退回")}.get(decision, "")
    return run_action(request, lambda: services.confirmation_step(
        actor=user, project=p, stage=stage, decision=decision, comment=request.POST.get("comment", "")) and done,
        then=f"/assets/confirmations/{p.pk}/")


# --------------------------------------------------------------------------- transactions

@scope_safe
@login_required
def listings(request):
    user = request.user
    _need_view(user)
    status = request.GET.get("status", "")
    return render(request, "assets/listings.html", {
        "active": "listings", "rows": selectors.listing_list(user, status=status)[:300], "status": status,
        "statuses": ListingStatus.choices, "now": timezone.now()})


@scope_safe
@login_required
def listing(request, pk):
    """One transaction: the notice, the bids, the award, the contract."""
    user = request.user
    _need_view(user)
    lst = selectors.listing_get(user, pk)
    if lst is None:
        raise NotFoundError()
    keep = permissions.can_keep(user, lst.org_path)
    review = permissions.can_review(user, lst.org_path)
    which = request.POST.get("form")
    bid_form = f.BidForm(request.POST if which == "bid" else None)
    contract_form = f.ContractForm(request.POST if which == "contract" else None, initial={
        "signed_on": timezone.localdate(), "starts_on": timezone.localdate()})
    if request.method == "POST":
        if not keep:
            raise PermissionDeniedError()
        if which == "bid":
            response = form_post(request, bid_form, lambda d: services.bid_record(actor=user, listing=lst, **d),
                                 then=f"/assets/listings/{lst.pk}/", done=_("报价已登记"))
        elif which == "contract":
            response = form_post(request, contract_form, lambda d: _contract_sign(user, lst, d),
                                 then=lambda c: f"/assets/contracts/{c.pk}/", done=_("合同已签订"))
        else:
            raise NotFoundError()
        if response:
            return response
    contract = Contract.objects.within(lst.org_path).filter(listing=lst).first()
    return render(request, "assets/listing.html", {
        "active": "listings", "lst": lst, "keep": keep, "review": review, "now": timezone.now(),
        "bids": list(Bid.objects.within(lst.org_path).filter(listing=lst)), "bid_form": bid_form,
        "contract_form": contract_form, "contract": contract})


def _contract_sign(user, lst, d):
    schedule = _lines(d["schedule"], "schedule", _("付款计划"))
    shares = _lines(d["beneficiaries"], "beneficiaries", _("受益农户"))
    numbers = [n for n, _s in shares]
    homes = {h.number: h for h in Household.objects.accessible_to(user, purpose=KEEP).filter(number__in=numbers)}
    for i, n in enumerate(numbers):
        if n not in homes:
            raise JicengError(_("受益农户第 %(i)d 行：找不到户编号 %(n)s，或不在您的管理范围内") % {"i": i + 1, "n": n},
                              field="beneficiaries")
    return services.contract_sign(actor=user, listing=lst, number=d["number"], signed_on=d["signed_on"],
                                  starts_on=d["starts_on"], schedule=schedule,
                                  beneficiaries=[(homes[n], s) for n, s in shares])


@require_POST
@scope_safe
@login_required
def listing_award(request, pk):
    user = request.user
    lst = selectors.listing_get(user, pk)
    if lst is None:
        raise NotFoundError()

    def handler():
        done = services.listing_award(actor=user, listing=lst)
        return _("已成交：%(b)s") % {"b": done.awarded_bid.bidder} if done.awarded_bid else _("无有效报价，已流拍")
    return run_action(request, handler, then=f"/assets/listings/{lst.pk}/")


@scope_safe
@login_required
def contract(request, pk):
    """A contract: its schedule against the payments, the beneficiaries, and a form to record a payment."""
    user = request.user
    _need_view(user)
    c = selectors.contract_get(user, pk)
    if c is None:
        raise NotFoundError()
    keep = permissions.can_keep(user, c.org_path)
    form = f.PaymentForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if not keep:
            raise PermissionDeniedError()
        response = form_post(request, form, lambda d: services.payment_record(actor=user, contract=c, **d),
                             then=f"/assets/contracts/{c.pk}/", done=_("收款已登记，已计入村集体经营性收入"))
        if response:
            return response
    paid = services.paid_total(c)
    return render(request, "assets/contract.html", {
        "active": "listings", "c": c, "keep": keep, "form": form, "paid": paid, "left": c.total - paid,
        "schedule": list(c.schedule.all()), "payments": list(c.payments.all()),
        "beneficiaries": list(c.beneficiaries.select_related("household__head")), "today": timezone.localdate()})


# --------------------------------------------------------------------------- enterprises

@scope_safe
@login_required
def enterprises(request):
    user = request.user
    _need_view(user)
    keep, review = permissions.can_keep_any(user), permissions.can_review_any(user)
    units = _units(user, kinds=None) if keep else []
    which = request.POST.get("form")
    form = f.EnterpriseForm(request.POST if which == "enterprise" else None, units=units)
    rule_form = f.RuleForm(request.POST if which == "rule" else None)
    if request.method == "POST":
        if which == "enterprise" and keep:
            response = form_post(request, form, lambda d: services.enterprise_create(
                actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"),
                **{k: v for k, v in d.items() if k != "org_unit"}),
                then=lambda e: f"/assets/enterprises/{e.pk}/", done=_("经营主体已登记"))
        elif which == "rule" and review:
            root = org_roots_for_user(user, purpose=REVIEW).first()
            response = form_post(request, rule_form, lambda d: services.rule_create(
                actor=user, site=site_of(root.path), name=d["name"], description=d["description"],
                shares=_lines(d["shares"], "shares", _("分配对象"))), then="/assets/enterprises/",
                done=_("分配办法已制定"))
        else:
            raise PermissionDeniedError()
        if response:
            return response
    rows = list(selectors.enterprise_list(user).prefetch_related("years"))
    return render(request, "assets/enterprises.html", {
        "active": "enterprises", "rows": rows, "form": form, "rule_form": rule_form, "keep": keep, "review": review,
        "rules": DistributionRule.objects.accessible_to(user, purpose=VIEW).prefetch_related("shares")})


@scope_safe
@login_required
def enterprise(request, pk):
    user = request.user
    _need_view(user)
    e = selectors.enterprise_get(user, pk)
    if e is None:
        raise NotFoundError()
    keep, review = permissions.can_keep(user, e.org_path), permissions.can_review(user, e.org_path)
    years = list(EnterpriseYear.objects.within(e.org_path).filter(enterprise=e))
    rules = list(DistributionRule.objects.accessible_to(user, purpose=VIEW).prefetch_related("shares"))
    which = request.POST.get("form")
    forms = {
        "holdings": f.HoldingsForm(request.POST if which == "holdings" else None, initial={"holdings": "\n".join(
            f"{s.holder} {s.share}" for s in e.shareholdings.all())}),
        "year": f.YearForm(request.POST if which == "year" else None,
                           initial={"year": timezone.localdate().year - 1, "jobs": 0}),
        "distribution": f.DistributionForm(request.POST if which == "distribution" else None,
                                           years=[y for y in years if not hasattr(y, "distribution")], rules=rules),
    }
    if request.method == "POST":
        here = f"/assets/enterprises/{e.pk}/"
        if which == "holdings" and keep:
            response = form_post(request, forms[which], lambda d: services.shareholdings_set(
                actor=user, enterprise=e, holdings=_lines(d["holdings"], "holdings", _("股东"))), then=here,
                done=_("股权结构已登记"))
        elif which == "year" and keep:
            response = form_post(request, forms[which], lambda d: services.enterprise_year_record(
                actor=user, enterprise=e, **d), then=here, done=_("年度经营情况已登记"))
        elif which == "distribution" and review:
            response = form_post(request, forms[which], lambda d: services.distribution_publish(
                actor=user, enterprise_year=_pick(years, d["enterprise_year"], "enterprise_year"),
                rule=_pick(rules, d["rule"], "rule"), amount=d["amount"]), then=here, done=_("收益分配已公示"))
        else:
            raise PermissionDeniedError()
        if response:
            return response
    return render(request, "assets/enterprise.html", {
        "active": "enterprises", "e": e, "keep": keep, "review": review, "forms": forms, "years": years,
        "holdings": list(e.shareholdings.all()), "villages": list(e.villages.all())})


# --------------------------------------------------------------------------- projects

@scope_safe
@login_required
def projects(request):
    """项目资金: each project's allocation, reimbursement and rate (报账率), planned against done by year."""
    user = request.user
    _need_view(user)
    review = permissions.can_review_any(user)
    units = _units(user, purpose=REVIEW, kinds=None) if review else []
    form = f.ProjectForm(request.POST or None, units=units, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not review:
            raise PermissionDeniedError()
        response = form_post(request, form, lambda d: services.project_create(
            actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"),
            **{k: v for k, v in d.items() if k != "org_unit"}), then=lambda p: f"/assets/projects/{p.pk}/",
            done=_("项目已登记"))
        if response:
            return response
    year = request.GET.get("year")
    year = int(year) if (year or "").isdigit() else None
    rows = list(selectors.project_list(user, year=year)[:300])
    for p in rows:
        p.rate = rate(p.reimbursed, p.allocated)
    by_year: dict[int, list] = {}
    for p in rows:
        by_year.setdefault(p.year, []).append(p)
    years = [(y, selectors.project_totals(ps)) for y, ps in sorted(by_year.items(), reverse=True)]
    return render(request, "assets/projects.html", {
        "active": "projects", "rows": rows, "years": years, "form": form, "review": review,
        "totals": selectors.project_totals(rows)})


@scope_safe
@login_required
def project(request, pk):
    user = request.user
    _need_view(user)
    p = selectors.project_get(user, pk)
    if p is None:
        raise NotFoundError()
    keep = permissions.can_keep(user, p.org_path)
    which = request.POST.get("form")
    forms = {"reimburse": f.ReimbursementForm(request.POST if which == "reimburse" else None,
                                              initial={"on": timezone.localdate()}),
             "progress": f.ProgressForm(request.POST if which == "progress" else None,
                                        initial={"progress": p.progress, "status": p.status})}
    if request.method == "POST":
        if not keep:
            raise PermissionDeniedError()
        here = f"/assets/projects/{p.pk}/"
        if which == "reimburse":
            response = form_post(request, forms[which], lambda d: services.reimbursement_record(
                actor=user, project=p, **d), then=here, done=_("报账已登记"))
        elif which == "progress":
            response = form_post(request, forms[which], lambda d: services.project_progress(
                actor=user, project=p, **d), then=here, done=_("进度已更新"))
        else:
            raise NotFoundError()
        if response:
            return response
    return render(request, "assets/project.html", {
        "active": "projects", "p": p, "keep": keep, "forms": forms, "rate": rate(p.reimbursed, p.allocated),
        "left": p.allocated - p.reimbursed, "reimbursements": list(p.reimbursements.all())})


# --------------------------------------------------------------------------- income

@scope_safe
@login_required
def income(request):
    """集体经济收入: each village's year by kind, against the thresholds (消薄) and its responsibility letter."""
    user = request.user
    _need_view(user)
    year = _year(request)
    keep, review = permissions.can_keep_any(user), permissions.can_review_any(user)
    units = _units(user) if keep else []
    review_units = _units(user, purpose=REVIEW) if review else []
    root = org_roots_for_user(user, purpose=VIEW).first()
    settings = services.settings_for(site_of(root.path)) if root else None
    which = request.POST.get("form")
    forms = {
        "income": f.IncomeForm(request.POST if which == "income" else None, units=units,
                               initial={"on": timezone.localdate()}),
        "letter": f.LetterForm(request.POST if which == "letter" else None, units=review_units,
                               initial={"signed_on": timezone.localdate()}),
        "settings": f.SettingsForm(request.POST if which == "settings" else None, initial={
            "total_threshold": settings.total_threshold, "operating_threshold": settings.operating_threshold,
            "low_yield_percent": settings.low_yield_percent,
            "expiry_alert_days": settings.expiry_alert_days} if settings else None),
    }
    if request.method == "POST":
        here = f"/assets/income/?year={year}"
        if which == "income" and keep:
            response = form_post(request, forms[which], lambda d: services.income_record(
                actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"), year=d["on"].year if d.get("on") else year,
                **{k: v for k, v in d.items() if k != "org_unit"}), then=here, done=_("收入已登记"))
        elif which == "letter" and review:
            response = form_post(request, forms[which], lambda d: services.letter_sign(
                actor=user, org_unit=_pick(review_units, d["org_unit"], "org_unit"), year=year,
                **{k: v for k, v in d.items() if k != "org_unit"}), then=here, done=_("责任书已签订"))
        elif which == "settings" and review and root is not None:
            response = form_post(request, forms[which], lambda d: services.settings_update(
                actor=user, site=site_of(root.path), **d), then=here, done=_("设置已保存"))
        else:
            raise PermissionDeniedError()
        if response:
            return response
    rows = selectors.income_by_unit(user, year)
    return render(request, "assets/income.html", {
        "active": "income", "year": year, "rows": rows, "settings": settings, "forms": forms, "keep": keep,
        "review": review, "below_total": sum(1 for r in rows if r["below_total"]),
        "below_operating": sum(1 for r in rows if r["below_operating"]),
        "records": IncomeRecord.objects.accessible_to(user, purpose=VIEW).filter(year=year)
        .select_related("org_unit")[:100]})


# --------------------------------------------------------------------------- community funds

@scope_safe
@login_required
def funds(request):
    user = request.user
    _need_view(user)
    review = permissions.can_review_any(user)
    units = _units(user, purpose=REVIEW) if review else []
    form = f.FundOpenForm(request.POST or None, units=units, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not review:
            raise PermissionDeniedError()
        response = form_post(request, form, lambda d: services.fund_open(
            actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"), kind=d["kind"], year=d["year"]),
            then=lambda fund: f"/assets/funds/{fund.pk}/", done=_("经费账户已开设"))
        if response:
            return response
    year = _year(request)
    rows = list(selectors.fund_list(user, year=year)[:300])
    for r in rows:
        r.balance_yuan = from_fen(r.balance)
    return render(request, "assets/funds.html", {"active": "funds", "rows": rows, "form": form, "review": review,
                                                 "year": year})


@scope_safe
@login_required
def fund(request, pk):
    """A fund's entries (in yuan) with its balance, and forms to receive and to spend with a receipt."""
    user = request.user
    _need_view(user)
    fu = selectors.fund_get(user, pk)
    if fu is None:
        raise NotFoundError()
    from .models import FundKind

    keep = permissions.can_keep(user, fu.org_path)
    may_receive = permissions.can_keep(user, fu.org_path) if fu.kind == FundKind.PARTNER \
        else permissions.can_review(user, fu.org_path)
    which = request.POST.get("form")
    token = secrets.token_hex(8)
    forms = {"receive": f.FundReceiveForm(request.POST if which == "receive" else None, initial={"token": token}),
             "spend": f.FundSpendForm(request.POST if which == "spend" else None, initial={"token": token})}
    if request.method == "POST":
        here = f"/assets/funds/{fu.pk}/"
        if which == "receive" and may_receive:
            response = form_post(request, forms[which], lambda d: services.fund_receive(
                actor=user, fund=fu, amount=d["amount"], purpose=d["purpose"], counterparty=d["counterparty"],
                idempotency_key=f"web:{user.pk}:{d['token']}"), then=here, done=_("已入账"))
        elif which == "spend" and keep:
            response = form_post(request, forms[which], lambda d: services.fund_spend(
                actor=user, fund=fu, amount=d["amount"], purpose=d["purpose"], receipt_no=d["receipt_no"],
                counterparty=d["counterparty"], idempotency_key=f"web:{user.pk}:{d['token']}"), then=here,
                done=_("支出已登记"))
        else:
            raise PermissionDeniedError()
        if response:
            return response
    entries = list(selectors.fund_entries(fu)[:300])
    for e in entries:
        e.amount_yuan, e.after_yuan = from_fen(e.amount), from_fen(e.balance_after)
    return render(request, "assets/fund.html", {
        "active": "funds", "fund": fu, "balance": from_fen(fu.balance), "entries": entries, "forms": forms,
        "keep": keep, "may_receive": may_receive})


# --------------------------------------------------------------------------- public and panels

@scope_safe
def public_economy(request, code):
    """集体经济公开 on a village's or community's notice board (no login): transactions in notice and their
    results, the year's collective income, and profit distributions — no bidder's phone or ID number."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError()
    year = timezone.localdate().year
    from django.db.models import Sum

    from .models import Distribution, IncomeKind

    income_rows = (IncomeRecord.objects.unscoped("a public notice board shows its own unit's income")
                   .filter(org_path__startswith=unit.path, year=year).order_by().values("kind")
                   .annotate(total=Sum("amount")))
    by_kind = {r["kind"]: r["total"] for r in income_rows}
    return render(request, "assets/public_economy.html", {
        "unit": unit, "year": year, "listings": list(selectors.public_listings(unit)[:30]), "now": timezone.now(),
        "income": [(IncomeKind(k).label, by_kind.get(k) or 0) for k in IncomeKind.values],
        "income_total": sum((v or 0 for v in by_kind.values()), 0),
        "distributions": list(Distribution.objects.unscoped("a public notice board shows its own unit's distributions")
                              .filter(org_path__startswith=unit.path).select_related("enterprise_year__enterprise")
                              .prefetch_related("lines")[:10])})


def org_unit_panel(request, unit):
    """On a unit's page: its register in short and the year's collective income."""
    if unit is None or not permissions.can_view(request.user, unit.path):
        return None
    if unit.kind not in ECONOMY_UNIT_KINDS:
        return None
    from django.db.models import Count, Sum

    from .models import Asset

    year = timezone.localdate().year
    assets = Asset.objects.within(unit.path).aggregate(n=Count("pk"), value=Sum("current_value"))
    income_total = IncomeRecord.objects.within(unit.path).filter(year=year).aggregate(s=Sum("amount"))["s"] or 0
    if not assets["n"] and not income_total:
        return None
    return {"unit": unit, "assets": assets, "income_total": income_total, "year": year,
            "idle": Asset.objects.within(unit.path).filter(status="idle").count()}


# --------------------------------------------------------------------------- export

def _m(v) -> str:
    """An amount as the workbook keeps it: yuan with two decimals, as text (never a float)."""
    return "" if v is None else f"{v:.2f}"


def _export_rows(user, what: str, year: int):
    if what == "register":
        rows = [[a.org_unit.name, a.code, a.name, a.get_category_display(), a.get_kind_display(), a.location,
                 _m(a.area), a.get_area_unit_display(), _m(a.original_value), _m(a.current_value),
                 _m(a.yearly_output), a.get_status_display()] for a in selectors.asset_list(user)[:200000]]
        return _("三资台账"), [_("村（社区）"), _("资产编号"), _("名称"), _("类别"), _("种类"), _("坐落位置"), _("面积"),
                               _("面积单位"), _("原值（元）"), _("现值（元）"), _("年收益（元）"), _("状态")], rows
    if what == "confirmations":
        rows = [[p.org_unit.name, p.title, _m(p.value), p.get_status_display(), str(p.approved_on or "")]
                for p in selectors.confirmation_list(user)]
        return _("产权确权"), [_("村（社区）"), _("项目"), _("确权价值（元）"), _("状态"), _("确权日期")], rows
    if what == "listings":
        rows = [[lst.org_unit.name, lst.title, _m(lst.reserve_price), lst.term_years, lst.get_status_display(),
                 lst.awarded_bid.bidder if lst.awarded_bid else "", _m(lst.awarded_bid.amount) if lst.awarded_bid else ""]
                for lst in selectors.listing_list(user)]
        return _("产权交易"), [_("村（社区）"), _("项目"), _("底价（元/年）"), _("流转年限"), _("状态"), _("成交人"),
                               _("成交价（元/年）")], rows
    if what == "projects":
        rows = [[p.org_unit.name, p.name, p.get_source_display(), p.year, _m(p.allocated), _m(p.reimbursed),
                 _m(rate(p.reimbursed, p.allocated)), p.progress] for p in selectors.project_list(user)]
        return _("项目资金"), [_("实施单位"), _("项目"), _("资金来源"), _("年度"), _("下达（元）"), _("已报账（元）"),
                               _("报账率（%）"), _("进度（%）")], rows
    if what == "income":
        rows = [[r["unit"].name, *[_m(r["by_kind"][k]) for k in ("operating", "investment", "subsidy", "other")],
                 _m(r["total"]), _("是") if r["below_total"] else _("否"), _("是") if r["below_operating"] else _("否")]
                for r in selectors.income_by_unit(user, year)]
        return _("%(y)d年集体经济收入") % {"y": year}, [
            _("村（社区）"), _("经营收入"), _("投资收益"), _("补助收入"), _("其他收入"), _("合计（元）"),
            _("总收入未达标"), _("经营性收入未达标")], rows
    if what == "funds":
        rows = [[fu.org_unit.name, fu.year, fu.get_kind_display(), _m(from_fen(fu.balance))]
                for fu in selectors.fund_list(user)]
        return _("社区经费"), [_("社区（村）"), _("年度"), _("经费类别"), _("余额（元）")], rows
    return None


@scope_safe
@login_required
def export(request, what):
    """One register as .xlsx (what the user may see), amounts as text to the fen, the export audit-logged."""
    from django.db import transaction

    from jiceng.audit.services import audit_log
    from jiceng.web.downloads import table_xlsx, xlsx_response

    user = request.user
    _need_view(user)
    found = _export_rows(user, what, _year(request))
    if found is None:
        raise NotFoundError()
    title, header, rows = found
    with transaction.atomic():
        audit_log(actor=user, action="assets.exported", object_type="assets", object_repr=f"{title} {len(rows)}",
                  after={"what": what, "rows": len(rows)})
    return xlsx_response(table_xlsx(title, header, rows), f"{title}.xlsx")
