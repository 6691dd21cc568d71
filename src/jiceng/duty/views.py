"""Duty-desk pages. Thin: parse, call one service or selector, render."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.masking import mask_phone
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.people.models import Cadre, CadreKind
from jiceng.web.actions import run_action
from jiceng.web.downloads import table_xlsx as _xlsx, xlsx_response
from jiceng.web.forms import apply_error
from jiceng.web.pagination import CappedPaginator

from . import permissions, selectors, services
from .forms import DeskForm, RulesForm, ShiftForm, VisitorForm
from .models import ShiftStatus, VisitorKind
from .services.desks import DESK_UNIT_KINDS, RULE_FIELDS


def _need_view(user):
    if not permissions.can_view_any(user):
        raise NotFoundError()


def _period(request, default_days: int = 30) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        end = dt.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
        start = dt.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else end - dt.timedelta(
            days=default_days - 1)
    except ValueError:
        start, end = today - dt.timedelta(days=default_days - 1), today
    return (start, end) if start <= end else (end, start)


def _export(user, what: str, title: str, header, rows, filename: str, filters: dict):
    from django.db import transaction

    from jiceng.audit.services import audit_log

    with transaction.atomic():
        audit_log(actor=user, action="duty.exported", object_type=f"duty.{what}", object_repr=f"{title} {len(rows)}",
                  after={"rows": len(rows), "filters": filters})
    return xlsx_response(_xlsx(title, header, rows), filename)


def _t(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# --------------------------------------------------------------------------- home and desks

@scope_safe
@login_required
def home(request):
    """坐班值班: today's figures and the desks in scope."""
    user = request.user
    _need_view(user)
    desks = list(selectors.desk_list(user)[:500])
    if request.GET.get("format") == "xlsx":
        rows = [[d.org_unit.name, d.name, d.phone, d.address, d.days, "是" if d.is_active else "否"] for d in desks]
        return _export(user, "desks", "值班台", ["村（社区）", "值班台", "值班电话", "地点", "坐班日", "启用"], rows,
                       "值班台.xlsx", {})
    return render(request, "duty/home.html", {"desks": desks, "counts": selectors.today_counts(user),
                                              "can_manage": permissions.can_manage_any(user),
                                              "cadre": permissions.cadre_of(user)})


def home_panel(request, obj=None):
    """The home page's panel: today at the desks in scope."""
    if not permissions.can_view_any(request.user):
        return None
    return {"duty_counts": selectors.today_counts(request.user)}


@scope_safe
@login_required
def desk_new(request):
    user = request.user
    if not permissions.can_manage_any(user):
        raise PermissionDeniedError()
    units = list(OrgUnit.objects.accessible_to(user, purpose="duty_manage").filter(kind__in=DESK_UNIT_KINDS)
                 .order_by("path")[:500])
    form = DeskForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            desk = services.desk_create(actor=user, org_unit=next((u for u in units if u.pk == d["org_unit"]), None),
                                        name=d["name"], phone=d["phone"], address=d["address"], lat=d["lat"],
                                        lng=d["lng"], days="".join(d["days"]))
            messages.success(request, _("值班台已建立，请排班并打印二维码"))
            return redirect("duty:desk", desk.pk)
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "duty/desk_new.html", {"form": form})


def _week(request) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET["week"]) if request.GET.get("week") else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


@scope_safe
@login_required
def desk_detail(request, pk):
    """A desk: the week's roster, adding a shift, recent visitors."""
    user = request.user
    desk = selectors.desk_get_for_user(user, pk)
    can_manage = permissions.can_manage(user, desk.org_path)
    form, cadres = None, []
    if can_manage:
        cadres = list(Cadre.objects.within(desk.org_path).select_related("org_unit")
                      .exclude(kind=CadreKind.GRID_WORKER).order_by("id")[:300])
        form = ShiftForm(request.POST or None, cadres=cadres, initial={"start": "08:30", "end": "17:30"})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDeniedError()
        if form.is_valid():
            d = form.cleaned_data
            tz = timezone.get_current_timezone()
            try:
                services.shift_create(actor=user, desk=desk, cadre=next((c for c in cadres if c.pk == d["cadre"]), None),
                                      starts_at=dt.datetime.combine(d["day"], d["start"], tzinfo=tz),
                                      ends_at=dt.datetime.combine(d["day"], d["end"], tzinfo=tz))
                messages.success(request, _("已排班"))
                return redirect(f"{reverse('duty:desk', args=[desk.pk])}?week={d['day'].isoformat()}")
            except JicengError as exc:
                apply_error(form, exc, {"starts_at": "start", "ends_at": "end"})
    monday = _week(request)
    shifts = list(selectors.shift_list(user, desk_id=desk.pk, start=monday, end=monday + dt.timedelta(days=6)))
    days = [(monday + dt.timedelta(days=i), [s for s in shifts if timezone.localtime(s.starts_at).date() ==
                                             monday + dt.timedelta(days=i)]) for i in range(7)]
    visitors = list(selectors.visitor_list(user, desk_id=desk.pk)[:10])
    return render(request, "duty/desk.html", {
        "desk": desk, "days": days, "form": form, "can_manage": can_manage, "monday": monday,
        "prev_week": monday - dt.timedelta(days=7), "next_week": monday + dt.timedelta(days=7),
        "visitors": visitors, "show_phone": can_manage, "can_record": permissions.can_record(user, desk.org_path)})


@scope_safe
@login_required
def desk_qr(request, pk):
    """Today's QR code of a desk, to print or show on a screen at the desk (managers only)."""
    import segno

    user = request.user
    desk = selectors.desk_get_for_user(user, pk)
    if not permissions.can_manage(user, desk.org_path):
        raise NotFoundError()
    today = timezone.localdate()
    code = services.day_code(desk, today)
    url = request.build_absolute_uri(f"{reverse('duty:checkin')}?desk={desk.pk}&code={code}")
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return render(request, "duty/desk_qr.html", {"desk": desk, "code": code, "today": today, "svg": svg, "url": url})


# --------------------------------------------------------------------------- roster

@scope_safe
@login_required
def shifts(request):
    """值班表: every shift in scope over a period, with its check-in; xlsx."""
    user = request.user
    _need_view(user)
    start, end = _period(request, 14)
    status = request.GET.get("status", "")
    qs = selectors.shift_list(user, start=start, end=end, status=status)
    if request.GET.get("format") == "xlsx":
        rows = [[s.desk.org_unit.name, s.desk.name, s.cadre.name, _t(s.starts_at), _t(s.ends_at),
                 s.get_status_display(), _t(s.checked_in_at), _t(s.checked_out_at), "是" if s.late else "",
                 "" if s.points is None else s.points] for s in qs[:20000]]
        return _export(user, "shifts", "值班表", ["村（社区）", "值班台", "值班人", "开始", "结束", "状态", "签到",
                                                 "签退", "迟到", "积分"], rows, "值班表.xlsx",
                       {"from": str(start), "to": str(end), "status": status})
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "duty/shifts.html", {"page": page, "start": start, "end": end, "status": status,
                                                "statuses": ShiftStatus.choices,
                                                "can_manage": permissions.can_manage_any(user)})


@require_POST
@scope_safe
@login_required
def shift_delete(request, pk):
    shift = selectors.shift_get_for_user(request.user, pk)
    return run_action(request, lambda: services.shift_delete(actor=request.user, shift=shift),
                      then=("duty:desk", shift.desk_id), done=_("班次已删除"))


@scope_safe
@login_required
def mine(request):
    """我的值班 (on the phone): the login's shifts from today on, and the last ones."""
    user = request.user
    cadre = permissions.cadre_of(user)
    today = selectors.day_bounds(timezone.localdate(), timezone.localdate())[0]
    upcoming = list(selectors.my_shifts(user, since=today)[:60])
    past = list(selectors.my_shifts(user).filter(ends_at__lt=today).order_by("-starts_at")[:20])
    return render(request, "duty/mine.html", {"cadre": cadre, "upcoming": upcoming, "past": past})


# --------------------------------------------------------------------------- check-in

@scope_safe
@login_required
def checkin(request):
    """扫码签到: the page the desk's QR code opens on the phone; big buttons to check in or out. The phone's
    location, when it gives one, goes with the form."""
    user = request.user
    desk = selectors.desk_get_for_user(user, request.GET.get("desk") or request.POST.get("desk"))
    code = request.POST.get("code") or request.GET.get("code", "")
    error = None
    if request.method == "POST":
        action = services.check_out if request.POST.get("action") == "out" else services.check_in
        try:
            shift = action(actor=user, desk=desk, code=code, lat=request.POST.get("lat") or None,
                           lng=request.POST.get("lng") or None)
            if shift.status == ShiftStatus.ON_DUTY:
                messages.success(request, _("签到成功%(l)s：%(d)s %(t)s") % {
                    "l": _("（迟到）") if shift.late else "", "d": desk.name, "t": _t(shift.checked_in_at)})
            else:
                messages.success(request, _("签退成功：%(d)s %(t)s") % {"d": desk.name, "t": _t(shift.checked_out_at)})
            return redirect("duty:mine")
        except JicengError as exc:
            error = exc
    mine_here = selectors.my_shifts(user, since=timezone.now()).filter(
        desk=desk, status__in=(ShiftStatus.SCHEDULED, ShiftStatus.ON_DUTY)).first()
    return render(request, "duty/checkin.html", {
        "desk": desk, "code": code, "error": error, "shift": mine_here, "cadre": permissions.cadre_of(user),
        "on_duty": mine_here is not None and mine_here.status == ShiftStatus.ON_DUTY}, status=400 if error else 200)


# --------------------------------------------------------------------------- visitors

@scope_safe
@login_required
def visitors(request):
    """来访登记: visitors in scope over a period; phones masked unless the user manages the desk; xlsx."""
    user = request.user
    _need_view(user)
    start, end = _period(request)
    kind = request.GET.get("kind", "")
    qs = selectors.visitor_list(user, kind=kind, start=start, end=end)

    def phone(v):
        return v.phone if permissions.can_manage(user, v.org_path) else mask_phone(v.phone)

    if request.GET.get("format") == "xlsx":
        rows = [[_t(v.at), v.desk.org_unit.name, v.desk.name, v.name, phone(v), v.get_kind_display(), v.purpose,
                 v.outcome, v.report_id or "", v.dispute_id or ""] for v in qs[:20000]]
        return _export(user, "visitors", "来访登记", ["时间", "村（社区）", "值班台", "来访人", "联系电话", "类型",
                                                     "事由", "结果", "诉求编号", "纠纷编号"], rows, "来访登记.xlsx",
                       {"from": str(start), "to": str(end), "kind": kind})
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    for v in page:
        v.shown_phone = phone(v)
    return render(request, "duty/visitors.html", {"page": page, "start": start, "end": end, "kind": kind,
                                                  "kinds": VisitorKind.choices})


@scope_safe
@login_required
def visitor_new(request, pk):
    """Record a visitor at a desk (on the phone): a matter goes to the reports queue, a dispute to mediation."""
    from jiceng.reports.models import DisputeKind, DisputeOutcome
    from jiceng.reports.selectors import categories_of

    user = request.user
    desk = selectors.desk_get_for_user(user, pk)
    if not permissions.can_record(user, desk.org_path):
        raise PermissionDeniedError()
    categories = [c for c in categories_of(services.site_of(desk.org_path)) if c.is_active]
    form = VisitorForm(request.POST or None, categories=categories, dispute_kinds=DisputeKind.choices,
                       dispute_outcomes=DisputeOutcome.choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.visitor_record(actor=user, desk=desk, name=d["name"], phone=d["phone"], purpose=d["purpose"],
                                    kind=d["kind"], outcome=d["outcome"], category_id=d["category"],
                                    dispute_kind=d["dispute_kind"], parties=d["parties"],
                                    dispute_outcome=d["dispute_outcome"] or "mediating", agreement=d["agreement"])
            messages.success(request, _("来访已登记"))
            return redirect("duty:desk", desk.pk)
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "duty/visitor_new.html", {"desk": desk, "form": form})


# --------------------------------------------------------------------------- attendance and rules

@scope_safe
@login_required
def attendance(request):
    """考勤统计: shifts, kept, late, missed per person or per village/community over a period; xlsx."""
    user = request.user
    _need_view(user)
    start, end = _period(request)
    by = "unit" if request.GET.get("by") == "unit" else "person"
    rows = selectors.attendance(user, start=start, end=end, by=by)
    if request.GET.get("format") == "xlsx":
        data = [[r["name"], r["unit"], r["shifts"], r["kept"], r["late"], r["missed"],
                 "" if r["rate"] is None else f"{r['rate']}%"] for r in rows]
        return _export(user, "attendance", "考勤统计", ["姓名或单位", "所属单位", "班次", "到岗", "迟到", "缺勤",
                                                       "到岗率"], data, f"考勤统计-{start}-{end}.xlsx",
                       {"from": str(start), "to": str(end), "by": by})
    return render(request, "duty/attendance.html", {"rows": rows, "start": start, "end": end, "by": by})


@scope_safe
@login_required
def rules(request):
    from jiceng.orgs.selectors import org_roots_for_user

    user = request.user
    root = org_roots_for_user(user, purpose="duty_manage").first()
    if root is None:
        raise PermissionDeniedError()
    site = services.site_of(root.path)
    can_edit = permissions.can_manage(user, site.path)  # the street's or township's; a community reads them
    current = services.rules_for(site)
    form = RulesForm(request.POST or None, initial={n: getattr(current, n) for n in RULE_FIELDS})
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not can_edit:
        raise PermissionDeniedError(_("值班规则由街道（乡镇）设置"))
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_update(actor=user, site=site, **form.cleaned_data)
            messages.success(request, _("值班规则已保存"))
            return redirect("duty:rules")
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "duty/rules.html", {"form": form, "site": site, "can_edit": can_edit})


# --------------------------------------------------------------------------- the public roster

@scope_safe
def public_roster(request, code):
    """值班表 on the village's or community's notice board (no login): who is on duty this week and next, mobile
    numbers masked, the desk's line in full."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError()
    today = timezone.localdate()
    desks, shift_rows, monday = selectors.public_roster(unit, today=today)
    weeks = []
    for w in range(2):
        start = monday + dt.timedelta(days=7 * w)
        weeks.append((start, [(start + dt.timedelta(days=i),
                               [s for s in shift_rows if timezone.localtime(s.starts_at).date() ==
                                start + dt.timedelta(days=i)]) for i in range(7)]))
    for s in shift_rows:
        s.public_phone = mask_phone(s.cadre.phone)
    return render(request, "duty/public_roster.html", {"unit": unit, "desks": desks, "weeks": weeks, "today": today})
