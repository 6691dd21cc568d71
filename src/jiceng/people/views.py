"""People registry pages. Thin: parse, call one service or selector, render."""
from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts import permissions
from jiceng.accounts.services import client_ip
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.modules import panels_render
from jiceng.core.scope import scope_safe
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.web.downloads import CSV, XLSX, file_response
from jiceng.web.forms import apply_error
from jiceng.web.pagination import CappedPaginator, FetchingPaginator

from . import selectors, services
from .exports import people_export
from .forms import (
    HouseholdForm, HouseholdMoveForm, PartnerUnitForm, PartyMemberEditForm, PartyMemberForm, ResidentForm,
)
from .models import HouseholdStatus, ResidentStatus, SpecialGroup
from .search import QUERY_PINYIN, classify_query

PAGE_SIZE = 20


def _page(request, qs, cap: int | None = None, fetch=None):
    paginator = CappedPaginator(qs, PAGE_SIZE) if fetch is None else FetchingPaginator(qs, PAGE_SIZE, fetch=fetch)
    if cap is not None:
        paginator.cap = cap
    return paginator.get_page(request.GET.get("page"))


def _org_filter(request):
    unit_id = request.GET.get("org")
    if not unit_id:
        return None, ""
    unit = org_unit_get_for_user(request.user, unit_id)
    return unit, unit.path


# ----------------------------------------------------------------------------- households

@scope_safe
@login_required
def household_list(request):
    unit, path = _org_filter(request)
    q = request.GET.get("q", "").strip()
    qs = selectors.household_list(user=request.user, q=q, org_path=path, status=request.GET.get("status", ""))
    ctx = {"page": _page(request, qs), "q": q, "unit": unit, "statuses": HouseholdStatus.choices,
           "can_change": permissions.can_change_people(request.user),
           "can_export": permissions.can_export_people(request.user)}
    template = "people/_household_rows.html" if request.htmx else "people/household_list.html"
    return render(request, template, ctx)


@scope_safe
@login_required
def household_detail(request, pk):
    household = selectors.household_get_for_user(request.user, pk)
    return render(request, "people/household_detail.html", {
        "household": household, "members": household.members.all(),
        "panels": panels_render("household", request, household),
        "can_change": permissions.can_change_path(request.user, household.org_path),
    })


@scope_safe
@login_required
def household_create(request):
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, **form.cleaned_data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记住户 %(n)s，请继续添加家庭成员") % {"n": household.number})
            return redirect("people:household_detail", pk=household.pk)
    return render(request, "people/form.html", {"form": form, "title": _("登记住户")})


@scope_safe
@login_required
def household_edit(request, pk):
    household = selectors.household_get_for_user(request.user, pk, purpose="change")
    initial = {"address": household.address, "phone": household.phone, "status": household.status, "note": household.note,
               "head": household.head_id}
    form = HouseholdForm(request.POST or None, initial=initial, user=request.user, with_unit=False,
                         members=household.members.all())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("head") is None and household.head_id is None:
            data.pop("head", None)
        try:
            services.household_update(actor=request.user, household=household, **data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("people:household_detail", pk=household.pk)
    return render(request, "people/form.html", {"form": form, "title": _("修改住户 %(n)s") % {"n": household.number},
                                                "back": household})


@scope_safe
@login_required
def household_move(request, pk):
    household = selectors.household_get_for_user(request.user, pk, purpose="change")
    form = HouseholdMoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_move(actor=request.user, household=household, to_unit=form.cleaned_data["to_unit"],
                                    address=form.cleaned_data["address"])
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("住户已迁移"))
            return redirect("people:household_detail", pk=household.pk)
    return render(request, "people/form.html", {
        "form": form, "title": _("迁移住户 %(n)s") % {"n": household.number}, "back": household,
        "intro": _("当前所在：%(u)s。迁移后，家庭成员随户迁移。") % {"u": household.org_unit.full_name()}})


# ----------------------------------------------------------------------------- residents

def _resident_filters(request):
    return {k: request.GET.get(k, "").strip() for k in ("q", "tag", "status", "org", "address")}


@scope_safe
@login_required
def resident_list(request):
    unit, path = _org_filter(request)
    f = _resident_filters(request)
    filters = dict(user=request.user, q=f["q"], org_path=path, tag=f["tag"], status=f["status"], address=f["address"])
    qs = selectors.resident_list(**filters)

    def fetch(*, offset, limit):
        return selectors.resident_page(**filters, offset=offset, limit=limit)

    pinyin = classify_query(f["q"])[0] == QUERY_PINYIN if f["q"] else False
    ctx = {"page": _page(request, qs, cap=selectors.PINYIN_WINDOW if pinyin else None, fetch=fetch), "f": f,
           "unit": unit,
           "tags": SpecialGroup.choices,
           "statuses": ResidentStatus.choices, "can_change": permissions.can_change_people(request.user),
           "can_export": permissions.can_export_people(request.user)}
    template = "people/_resident_rows.html" if request.htmx else "people/resident_list.html"
    return render(request, template, ctx)


def _export_response(request, kind, qs, filters):
    fmt = request.GET.get("format", "csv")
    data, title = people_export(actor=request.user, kind=kind, queryset=qs, fmt=fmt, filters=filters,
                                full=request.GET.get("full") == "1", ip_address=client_ip(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return file_response(data, f"{title}-{stamp}.{fmt}", CSV if fmt == "csv" else XLSX)


@scope_safe
@login_required
def resident_export(request):
    unit, path = _org_filter(request)
    f = _resident_filters(request)
    qs = selectors.resident_list(user=request.user, q=f["q"], org_path=path, tag=f["tag"], status=f["status"],
                                 address=f["address"], purpose="export")
    return _export_response(request, "residents", qs, f)


@scope_safe
@login_required
def household_export(request):
    unit, path = _org_filter(request)
    f = {k: request.GET.get(k, "").strip() for k in ("q", "status", "org")}
    qs = selectors.household_list(user=request.user, q=f["q"], org_path=path, status=f["status"], purpose="export")
    return _export_response(request, "households", qs, f)


@scope_safe
@login_required
def party_member_export(request):
    unit, path = _org_filter(request)
    f = {k: request.GET.get(k, "").strip() for k in ("q", "status", "org")}
    qs = selectors.party_member_list(user=request.user, q=f["q"], org_path=path, status=f["status"], purpose="export")
    return _export_response(request, "party_members", qs, f)


@scope_safe
@login_required
def resident_detail(request, pk):
    resident = selectors.resident_get_for_user(request.user, pk)
    return render(request, "people/resident_detail.html", {
        "r": resident, "panels": panels_render("person", request, resident),
        "can_change": permissions.can_change_path(request.user, resident.org_path),
        "can_reveal": permissions.can_see_personal_data(request.user, resident.org_path),
    })


@scope_safe
@login_required
@require_POST
def resident_reveal(request, pk):
    resident = selectors.resident_get_for_user(request.user, pk)
    data = services.resident_personal_data_view(actor=request.user, resident=resident, ip_address=client_ip(request))
    return render(request, "people/_resident_pii.html", {"r": resident, "data": data, "revealed": True})


def _resident_form_data(form):
    data = dict(form.cleaned_data)
    data["tags"] = list(data.get("tags") or [])
    data["gender"] = data.get("gender") or None
    return data


@scope_safe
@login_required
def resident_create(request):
    household = None
    if request.GET.get("household"):
        household = selectors.household_get_for_user(request.user, request.GET["household"], purpose="change")
    form = ResidentForm(request.POST or None, user=request.user, with_unit=household is None,
                        initial={"actual_address": household.address if household else ""})
    if request.method == "POST" and form.is_valid():
        data = _resident_form_data(form)
        unit = data.pop("org_unit", None)
        try:
            resident = services.resident_create(actor=request.user, household=household, org_unit=unit, **data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记居民 %(n)s") % {"n": resident.name})
            for w in resident.warnings:
                messages.warning(request, w)
            return redirect("people:resident_detail", pk=resident.pk)
    title = _("登记居民") if household is None else _("为住户 %(n)s 添加成员") % {"n": household.number}
    return render(request, "people/form.html", {"form": form, "title": title, "back": household})


@scope_safe
@login_required
def resident_edit(request, pk):
    resident = selectors.resident_get_for_user(request.user, pk, purpose="change")
    initial = {k: getattr(resident, k) for k in services.RESIDENT_FIELDS}
    initial["tags"] = [t.tag for t in resident.tags.all()]
    form = ResidentForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(actor=request.user, resident=resident, **_resident_form_data(form))
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("people:resident_detail", pk=resident.pk)
    return render(request, "people/form.html", {"form": form, "title": _("修改居民 %(n)s") % {"n": resident.name},
                                                "back": resident})


# ----------------------------------------------------------------------------- party members

@scope_safe
@login_required
def party_member_list(request):
    unit, path = _org_filter(request)
    q = request.GET.get("q", "").strip()
    qs = selectors.party_member_list(user=request.user, q=q, org_path=path, status=request.GET.get("status", ""))
    return render(request, "people/party_member_list.html", {
        "page": _page(request, qs), "q": q, "unit": unit, "can_change": permissions.can_change_people(request.user),
        "can_export": permissions.can_export_people(request.user)})


@scope_safe
@login_required
def party_member_detail(request, pk):
    member = selectors.party_member_get_for_user(request.user, pk)
    return render(request, "people/party_member_detail.html", {
        "m": member, "can_change": permissions.can_change_path(request.user, member.org_path)})


def _households_by_number(user, text):
    numbers = [n for n in re.split(r"[\s,，、;；]+", text or "") if n]
    households = list(selectors.household_list(user=user, purpose="change").filter(number__in=numbers))
    missing = set(numbers) - {h.number for h in households}
    if missing:
        raise JicengError(_("未找到这些户编号，或不在您的管辖范围内：%(n)s") % {"n": "、".join(sorted(missing))},
                          field="household_numbers")
    return households


@scope_safe
@login_required
def party_member_edit(request, pk):
    member = selectors.party_member_get_for_user(request.user, pk)
    if not permissions.can_change_path(request.user, member.org_path):
        raise NotFoundError()
    initial = {"branch": member.branch_id, "status": member.status, "join_date": member.join_date,
               "party_post": member.party_post,
               "household_numbers": " ".join(h.number for h in member.linked_households.all())}
    form = PartyMemberEditForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.party_member_update(
                actor=request.user, member=member, branch=d["branch"], status=d["status"], join_date=d["join_date"],
                party_post=d["party_post"], linked_households=_households_by_number(request.user, d["household_numbers"]))
        except JicengError as exc:
            apply_error(form, exc, {"linked_households": "household_numbers"})
        else:
            messages.success(request, _("已保存"))
            return redirect("people:party_member_detail", pk=member.pk)
    return render(request, "people/form.html", {"form": form, "title": _("修改党员 %(n)s") % {"n": member.resident.name},
                                                "back": member})


@scope_safe
@login_required
def party_member_create(request):
    form = PartyMemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            matches = list(selectors.resident_list(user=request.user, purpose="change")
                           .filter(id_number=d["id_number"].strip().upper()))
            if not matches:
                raise JicengError(_("未在您的管辖范围内找到该身份证号的居民，请先登记居民"), field="id_number")
            households = _households_by_number(request.user, d["household_numbers"])
            member = services.party_member_create(actor=request.user, resident=matches[0], branch=d["branch"],
                                                  join_date=d["join_date"], status=d["status"],
                                                  party_post=d["party_post"], linked_households=households)
        except JicengError as exc:
            apply_error(form, exc, {"resident": "id_number", "linked_households": "household_numbers"})
        else:
            messages.success(request, _("已登记党员 %(n)s") % {"n": member.resident.name})
            return redirect("people:party_member_detail", pk=member.pk)
    return render(request, "people/form.html", {"form": form, "title": _("登记党员")})


# ----------------------------------------------------------------------------- partner units

@scope_safe
@login_required
def partner_list(request):
    q = request.GET.get("q", "").strip()
    return render(request, "people/partner_list.html", {
        "page": _page(request, selectors.partner_unit_list(user=request.user, q=q)), "q": q,
        "can_change": permissions.can_change_people(request.user)})


@scope_safe
@login_required
def partner_detail(request, pk):
    return render(request, "people/partner_detail.html", {"p": selectors.partner_unit_get_for_user(request.user, pk)})


@scope_safe
@login_required
def partner_create(request):
    form = PartnerUnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["communities"] = list(d["communities"])
        try:
            unit = services.partner_unit_create(actor=request.user, **d)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记共建单位 %(n)s") % {"n": unit.name})
            return redirect("people:partner_detail", pk=unit.pk)
    return render(request, "people/form.html", {"form": form, "title": _("登记共建单位")})


# ----------------------------------------------------------------------------- cadres and volunteers

@scope_safe
@login_required
def cadre_list(request):
    unit, path = _org_filter(request)
    return render(request, "people/cadre_list.html", {
        "page": _page(request, selectors.cadre_list(user=request.user, org_path=path)), "unit": unit})


@scope_safe
@login_required
def volunteer_list(request):
    unit, path = _org_filter(request)
    return render(request, "people/volunteer_list.html", {
        "page": _page(request, selectors.volunteer_list(user=request.user, org_path=path)), "unit": unit})
