"""Report pages. Thin: parse, call one service or selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit, OrgUnitKind, path_and_ancestors
from jiceng.orgs.selectors import org_roots_for_user, org_unit_get_for_user
from jiceng.people.models import PartnerUnit
from jiceng.web.actions import run_action
from jiceng.web.downloads import xlsx_response
from jiceng.web.forms import apply_error
from jiceng.web.pagination import CappedPaginator

from . import permissions, selectors, services
from .forms import AcceptForm, ReportForm
from .models import Channel, Rating, ReportCategory, ReportStatus

PLACE_KINDS = [OrgUnitKind.GRID, OrgUnitKind.BUILDING, OrgUnitKind.COMPOUND, OrgUnitKind.VILLAGER_GROUP,
               OrgUnitKind.UNIT_FLOOR, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE]


def _places(user):
    """Where the user may say a problem is: their household's area (residents) or their units."""
    if getattr(user, "resident_id", None) and user.resident.household_id:
        home = user.resident.household.org_unit
        comm_path = home.path[: 2 * 6]
        return list(OrgUnit.objects.filter(path__startswith=comm_path, kind__in=PLACE_KINDS).order_by("path")[:200]), home
    roots = list(org_roots_for_user(user))
    units = []
    for r in roots:
        units.extend(OrgUnit.objects.filter(path__startswith=r.path, kind__in=PLACE_KINDS).order_by("path")[:300])
    return units, roots[0] if roots else None


@scope_safe
@login_required
def report_new(request):
    """One form for residents and woodpeckers (their phone), grid workers on patrol and the desk."""
    user = request.user
    is_staff = permissions.is_desk(user) or permissions.is_handler(user)
    units, home = _places(user)
    if not units:
        raise NotFoundError(_("您的账号还没有关联住户或单元，请联系社区工作人员"))
    site = services.site_of(units[0])
    categories = ReportCategory.objects.filter(site=site, is_active=True)
    form = ReportForm(request.POST or None, request.FILES or None, categories=categories, units=units,
                      on_behalf=is_staff, patrol=is_staff and not permissions.is_desk(user),
                      initial={"org_unit": home.pk if home else None})
    earlier = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        earlier = None if d.get("confirm_duplicate") else selectors.same_text_recently(
            user=user, description=d["description"], reporter_name=d.get("reporter_name", ""))
        if earlier is not None:
            # The same text a few minutes ago: say so, and file it only when asked again.
            form.data = form.data.copy()
            form.data["confirm_duplicate"] = "on"
            return render(request, "reports/new.html", {"form": form, "is_staff": is_staff, "earlier": earlier})
        unit = next((u for u in units if str(u.pk) == str(d["org_unit"])), None)
        if is_staff:
            channel = Channel.DESK if permissions.is_desk(user) else Channel.GRID
        else:
            from jiceng.people.models import Volunteer

            woodpecker = (Volunteer.objects.unscoped("the user's own volunteer record")
                          .filter(resident_id=user.resident_id, is_woodpecker=True).exists())
            channel = Channel.WOODPECKER if woodpecker else Channel.RESIDENT
        try:
            r = services.report_submit(
                actor=user, channel=channel, category_id=d["category"].pk, description=d["description"], org_unit=unit,
                address=d["address"], lat=d.get("lat") if d["share_location"] else None,
                long=d.get("long") if d["share_location"] else None, photos=request.FILES.getlist("photos"),
                share_location=d["share_location"], anonymous=d["anonymous"],
                reporter_name=d.get("reporter_name", ""), reporter_phone=d.get("reporter_phone", ""))
            messages.success(request, _("已提交（编号 #%(id)s），受理后会通知您") % {"id": r.pk})
            return redirect("reports:detail", r.pk)
        except JicengError as exc:
            apply_error(form, exc)
    return render(request, "reports/new.html", {"form": form, "is_staff": is_staff})


@scope_safe
@login_required
def report_list(request):
    user = request.user
    if not (permissions.is_desk(user) or permissions.is_handler(user)):
        return redirect("reports:mine")
    status = request.GET.get("status", "")
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else None
    qs = selectors.report_list(user=user, status=status, overdue=request.GET.get("overdue") == "1",
                               category_id=request.GET.get("category") or None, org_path=unit.path if unit else "")
    start, end = _period(request)
    if request.GET.get("from"):
        qs = qs.filter(created_at__gte=start, created_at__lt=end, merged_into__isnull=True)
    from .figures import apply_filters

    qs = apply_filters(qs, request.GET)
    return render(request, "reports/list.html", {
        "page": CappedPaginator(qs, 20).get_page(request.GET.get("page")), "status": status,
        "statuses": ReportStatus.choices, "queue": selectors.desk_queue(user=user)[:50] if permissions.is_desk(user) else [],
        "tasks": selectors.my_tasks(user=user)[:50], "inbox": selectors.inbox(user=user, limit=8, reports_only=True),
        "can_setup": permissions.can_open_setup(user), "can_disputes": permissions.is_desk(user),
    })


@scope_safe
@login_required
def my_reports(request):
    return render(request, "reports/mine.html", {"reports": selectors.my_reports(user=request.user)[:50],
                                                 "inbox": selectors.inbox(user=request.user)})


def _units_for_assignment(report):
    site = report.site
    return list(OrgUnit.objects.filter(path__startswith=site.path, kind__in=[
        OrgUnitKind.GRID, OrgUnitKind.VILLAGER_GROUP, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE,
        OrgUnitKind.DEPARTMENT]).order_by("path")[:300])


@scope_safe
@login_required
def report_detail(request, pk):
    user = request.user
    r = services.report_get(user, pk)
    can_accept = permissions.can_accept(user, r)
    can_handle = permissions.can_handle(user, r)
    accept_form = None
    if can_accept and r.status == ReportStatus.SUBMITTED:
        accept_form = AcceptForm(categories=ReportCategory.objects.filter(site=r.site, is_active=True),
                                 initial={"category": r.suggested_category_id or r.category_id})
    from .models import ReportEvent

    events = ReportEvent.objects.filter(report=r).order_by("at", "id")
    if not (can_accept or can_handle):
        events = events.filter(public=True)
    events = list(events)
    for e in events:
        e.status_label = ReportStatus(e.to_status).label if e.to_status in ReportStatus.values else ""
    return render(request, "reports/detail.html", {
        "r": r, "events": events, "can_accept": can_accept, "can_handle": can_handle, "accept_form": accept_form,
        "duplicates": services.duplicates_of(r) if can_accept and r.status == ReportStatus.SUBMITTED else [],
        "units": _units_for_assignment(r) if (can_accept or can_handle) else [],
        "partners": PartnerUnit.objects.filter(pairings__org_unit__path__in=path_and_ancestors(r.org_path)).distinct() if (can_accept or can_handle) else [],
        "is_reporter": r.reporter_id == user.pk, "ratings": Rating.choices,
        "photos_before": r.photos.filter(stage="before"), "photos_after": r.photos.filter(stage="after"),
    })


@scope_safe
@login_required
@require_POST
def report_act(request, pk, action):
    """Every state change of a report from its page."""
    user = request.user
    r = services.report_get(user, pk)
    p = request.POST

    def merge():
        target = services.report_get(user, p.get("target"))
        services.report_reject(actor=user, report=r, reason=p.get("reason", ""), duplicate_of=target)

    def assign():
        unit = OrgUnit.objects.filter(pk=p.get("unit")).first() if p.get("unit") else None
        partner = PartnerUnit.objects.filter(pk=p.get("partner")).first() if p.get("partner") else None
        co_units = list(OrgUnit.objects.filter(pk__in=p.getlist("co_units")))
        services.report_assign(actor=user, report=r, unit=unit, partner=partner, co_units=co_units,
                               reason=p.get("reason", ""))

    actions = {
        "accept": lambda: services.report_accept(actor=user, report=r, category_id=p.get("category") or None),
        "reject": lambda: services.report_reject(actor=user, report=r, reason=p.get("reason", "")),
        "merge": merge,
        "assign": assign,
        "hand_back": lambda: services.report_hand_back(actor=user, report=r, reason=p.get("reason", "")),
        "start": lambda: services.report_start(actor=user, report=r, note=p.get("note", "")),
        "resolve": lambda: services.report_resolve(actor=user, report=r, result=p.get("result", ""),
                                                   photos=request.FILES.getlist("photos")),
        "rate": lambda: services.report_rate(actor=user, report=r, rating=p.get("rating", ""), note=p.get("note", "")),
    }
    return run_action(request, actions.get(action), then=("reports:detail", r.pk), done=_("已办理"))


@scope_safe
@login_required
def report_photo(request, pk, photo_id):
    from django.http import FileResponse

    r = services.report_get(request.user, pk)
    photo = r.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFoundError()
    return FileResponse(photo.image.open("rb"), content_type="image/png" if photo.image.name.endswith(".png") else "image/jpeg")


@scope_safe
def public_board(request, code):
    """The public board (no login): recent reports with category, status, age and reply; no names."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError()
    from .privacy import mask_personal

    rows = []
    now = timezone.now()
    for r in selectors.public_board(unit):
        # The description, the reply and the refusal reason are free text: phones, ID numbers and names in them
        # are masked; the reporter's own fields are never shown.
        names = [n for n in (r.reporter_name,) if n]
        r.public_summary = mask_personal(r.description, names=names)
        r.public_result = mask_personal(r.result, names=names) if r.result else ""
        r.public_reject_reason = mask_personal(r.reject_reason, names=names) if r.reject_reason else ""
        rows.append((r, selectors.days_ago(r.created_at, now=now)))
    return render(request, "reports/public_board.html", {
        "unit": unit, "rows": rows, "summary": selectors.public_board_summary(unit, now=now)})


def _period(request):
    """[from, to) from ?from=YYYY-MM-DD&to=YYYY-MM-DD; default: the last 30 days."""
    import datetime as dt

    today = timezone.localdate()
    try:
        d_to = dt.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
        d_from = dt.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else d_to - dt.timedelta(days=29)
    except ValueError:
        d_to, d_from = today, today - dt.timedelta(days=29)
    if d_from > d_to:
        d_from, d_to = d_to, d_from
    start = timezone.make_aware(dt.datetime.combine(d_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(d_to + dt.timedelta(days=1), dt.time.min))
    return start, end


@scope_safe
@login_required
def figures_page(request):
    """诉求办理统计: any unit in scope, any period; each number links to its reports; xlsx export."""
    from .figures import FILTERS, figures

    user = request.user
    roots = list(org_roots_for_user(user))
    unit = org_unit_get_for_user(user, request.GET["org"]) if request.GET.get("org") else (roots[0] if roots else None)
    if unit is None:
        raise NotFoundError()
    start, end = _period(request)
    data = figures(unit.path, start, end)
    if request.GET.get("format") == "xlsx":
        return _figures_xlsx(request, unit, start, end, data)
    base = {"org": unit.pk, "from": start.date().isoformat(),
            "to": (end - timezone.timedelta(days=1)).date().isoformat()}
    return render(request, "reports/figures.html", {
        "unit": unit, "data": data, "start": start, "end": end, "base": base, "filters": FILTERS,
        "children": OrgUnit.objects.filter(parent=unit).order_by("path"),
        "last_day": (end - timezone.timedelta(days=1)),
    })


def _figures_xlsx(request, unit, start, end, data):
    import io

    import xlsxwriter

    from jiceng.audit.services import audit_log

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    pct = wb.add_format({"num_format": "0.0%"})
    head = ["范围", "收到", "受理", "不予受理", "办结", "按时办结", "超期", "评价", "满意（含基本满意）", "办结率", "按时率", "满意率"]
    keys = ["received", "accepted", "rejected", "done", "on_time", "overdue", "rated", "satisfied"]
    for title, rows in (("总体", [("本期", data["now"]), ("上期", data["prev"])]),
                        ("按类别", [(r["category__name"], r) for r in data["by_category"]]),
                        ("按办理单位", [(r["handler_partner__name"] or r["handler_unit__name"], r) for r in data["by_handler"]])):
        ws = wb.add_worksheet(title)
        ws.write_row(0, 0, head)
        for i, (label, row) in enumerate(rows, start=1):
            ws.write(i, 0, str(label))
            ws.write_row(i, 1, [row[k] for k in keys])
            for j, k in enumerate(["closure_rate", "on_time_rate", "satisfaction_rate"]):
                if row[k] is not None:
                    ws.write_number(i, 9 + j, row[k], pct)
    wb.close()
    audit_log(actor=request.user, action="reports.figures.exported", obj=unit, org_path=unit.path,
              after={"from": start.isoformat(), "to": end.isoformat()})
    return xlsx_response(buf.getvalue(), f"report-figures-{unit.code or unit.pk}.xlsx")


@scope_safe
@login_required
def disputes(request):
    """矛盾纠纷调处: the list in scope and a form to record one."""
    from .forms import DisputeForm
    from .models import Dispute

    user = request.user
    if not permissions.is_desk(user):
        raise PermissionDeniedError()
    units, home = _places(user)
    form = DisputeForm(request.POST or None, units=units, initial={"occurred_on": timezone.localdate(),
                                                                   "org_unit": home.pk if home else None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next(u for u in units if str(u.pk) == d["org_unit"])
        try:
            services.dispute_record(actor=user, org_unit=unit, kind=d["kind"], parties=d["parties"],
                                    description=d["description"], mediator=d["mediator"], occurred_on=d["occurred_on"],
                                    outcome=d["outcome"], agreement=d["agreement"])
            messages.success(request, _("已登记"))
            return redirect("reports:disputes")
        except JicengError as exc:
            apply_error(form, exc)
    rows = Dispute.objects.accessible_to(user).select_related("org_unit")[:100]
    return render(request, "reports/disputes.html", {"form": form, "rows": rows})


@scope_safe
@login_required
def errands(request):
    """红色代办: errands party members ran for residents."""
    from jiceng.people.models import Household, PartyMember

    from .forms import ErrandForm
    from .models import Errand

    user = request.user
    if not (permissions.is_desk(user) or permissions.is_handler(user)):
        raise PermissionDeniedError()
    members = PartyMember.objects.accessible_to(user).select_related("resident").order_by("resident__name")[:500]
    form = ErrandForm(request.POST or None, members=members, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = Household.objects.accessible_to(user).filter(number=d["household_number"].strip()).first()
        member = PartyMember.objects.accessible_to(user).filter(pk=d["party_member"]).first()
        try:
            if household is None:
                raise JicengError(_("户编号 %(n)s 不存在或不在您的范围内") % {"n": d["household_number"]},
                                  field="household_number")
            services.errand_record(actor=user, household=household, what=d["what"], party_member=member,
                                   requested_on=d["requested_on"], done_on=d["done_on"], note=d["note"])
            messages.success(request, _("已登记"))
            return redirect("reports:errands")
        except JicengError as exc:
            apply_error(form, exc)
    rows = Errand.objects.accessible_to(user).select_related("household", "household__head", "party_member__resident")[:100]
    return render(request, "reports/errands.html", {"form": form, "rows": rows})
