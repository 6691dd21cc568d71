"""Cadre-record pages (干部队伍): reserves, postings, promotions and job-shadowing; trainings; contact points; loans
and plaques; inspections and circulars. Thin: parse, call one service or selector, render."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.people.models import Cadre
from jiceng.web.actions import run_action

from . import permissions, services
from .forms import (
    PointsRulesForm, ContactForm, InspectionForm, LoanForm, PlaqueForm, PostingForm, RankForm, ReserveForm, ShadowingForm, TrainingForm,
    UpgradeForm,
)
from .models import (
    ContactPoint, Inspection, InspectionFinding, LoanedStaff, Plaque, PlaqueStatus, Posting, RankChange, ReserveCadre,
    EducationUpgrade, Shadowing, Training, TrainingAttendance,
)
from .services.teams import TEAM_UNIT_KINDS
from .views import _form_post, _need_view

VIEW, MANAGE = "leadership_view", "leadership_manage"


def _cadres(user):
    return list(Cadre.objects.accessible_to(user, purpose=MANAGE).select_related("org_unit").order_by("org_path", "name")[:800])


def _units(user, kinds=TEAM_UNIT_KINDS):
    qs = OrgUnit.objects.accessible_to(user, purpose=MANAGE)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs.order_by("path")[:800])


def _pick(rows, pk, field):
    found = next((r for r in rows if r.pk == pk), None)
    if pk and found is None:
        raise JicengError(_("选择的记录不在您的管理范围内"), field=field)
    return found


def _get(model, user, pk):
    row = model.objects.accessible_to(user, purpose=VIEW).filter(pk=pk).first()
    if row is None:
        raise NotFoundError()
    return row


# --------------------------------------------------------------------------- 干部队伍

@scope_safe
@login_required
def cadres(request):
    user = request.user
    _need_view(user)
    manage = permissions.can_manage_any(user)
    cadres_, units = (_cadres(user), _units(user)) if manage else ([], [])
    which = request.POST.get("form")
    forms = {
        "reserve": ReserveForm(request.POST if which == "reserve" else None, cadres=cadres_, units=units),
        "posting": PostingForm(request.POST if which == "posting" else None, cadres=cadres_, units=units),
        "rank": RankForm(request.POST if which == "rank" else None, cadres=cadres_),
        "shadowing": ShadowingForm(request.POST if which == "shadowing" else None, cadres=cadres_),
        "upgrade": UpgradeForm(request.POST if which == "upgrade" else None, cadres=cadres_),
    }
    if request.method == "POST":
        if not manage:
            raise PermissionDeniedError()
        c = lambda d, f="cadre": _pick(cadres_, d.get(f), f)  # noqa: E731
        calls = {
            "reserve": lambda d: services.reserve_add(
                actor=user, cadre=c(d), org_unit=_pick(units, d["org_unit"], "org_unit"),
                mentor_leader=c(d, "mentor_leader"), mentor_secretary=c(d, "mentor_secretary"), since=d["since"]),
            "posting": lambda d: services.posting_start(
                actor=user, cadre=c(d), kind=d["kind"], org_unit=_pick(units, d["org_unit"], "org_unit"),
                starts_on=d["starts_on"], sent_by=d["sent_by"]),
            "rank": lambda d: services.rank_change_record(actor=user, cadre=c(d), kind=d["kind"], on=d["on"],
                                                          to_post=d["to_post"], note=d["note"]),
            "shadowing": lambda d: services.shadowing_record(
                actor=user, cadre=c(d), host=d["host"], place=d["place"], starts_on=d["starts_on"],
                ends_on=d["ends_on"], outcome=d["outcome"]),
            "upgrade": lambda d: services.upgrade_enrol(
                actor=user, cadre=c(d), programme=d["programme"], from_education=d["from_education"],
                target_education=d["target_education"], enrolled_on=d["enrolled_on"]),
        }
        if which in calls:
            response = _form_post(request, forms[which], calls[which], then="leadership:cadres", done=_("已登记"))
            if response:
                return response
    return render(request, "leadership/cadres.html", {
        "active": "cadres", "manage": manage, "forms": forms, "cadre_choices": cadres_,
        "reserves": ReserveCadre.objects.accessible_to(user, purpose=VIEW).select_related(
            "cadre", "org_unit", "mentor_leader", "mentor_secretary")[:300],
        "postings": Posting.objects.accessible_to(user, purpose=VIEW).select_related(
            "cadre", "org_unit", "replaces__cadre").prefetch_related("reviews")[:300],
        "ranks": RankChange.objects.accessible_to(user, purpose=VIEW).select_related("cadre")[:100],
        "shadowings": Shadowing.objects.accessible_to(user, purpose=VIEW).select_related("cadre")[:100],
        "upgrades": EducationUpgrade.objects.accessible_to(user, purpose=VIEW).select_related("cadre")[:300],
    })


@require_POST
@scope_safe
@login_required
def cadre_action(request, kind, pk):
    user = request.user
    p = request.POST
    if kind == "reserve":
        r = _get(ReserveCadre, user, pk)
        handler = lambda: services.reserve_close(actor=user, reserve=r, status=p.get("status", ""),  # noqa: E731
                                                 outcome=p.get("outcome", "")) and _("已出库")
    elif kind == "review":
        post = _get(Posting, user, pk)
        handler = lambda: services.posting_review(actor=user, posting=post, period=p.get("period", ""),  # noqa: E731
                                                  rating=p.get("rating", ""), note=p.get("note", "")) and _("考核已登记")
    elif kind == "replace":
        post = _get(Posting, user, pk)

        def handler():
            new = Cadre.objects.accessible_to(user, purpose=MANAGE).filter(pk=p.get("new_cadre") or 0).first()
            services.posting_replace(actor=user, posting=post, new_cadre=new, on=p.get("on"), reason=p.get("reason", ""))
            return _("已撤换")
    elif kind == "upgrade":
        up = _get(EducationUpgrade, user, pk)
        handler = lambda: services.upgrade_finish(actor=user, upgrade=up, outcome=p.get("outcome", ""),  # noqa: E731
                                                  on=p.get("on")) and _("已登记")
    else:
        handler = None
    return run_action(request, handler, then="leadership:cadres")


# --------------------------------------------------------------------------- trainings

@scope_safe
@login_required
def trainings(request):
    user = request.user
    _need_view(user)
    manage = permissions.can_manage_any(user)
    cadres_ = _cadres(user) if manage else []
    units = _units(user, kinds=None) if manage else []
    form = TrainingForm(request.POST or None, cadres=cadres_, units=units)
    if request.method == "POST":
        if not manage:
            raise PermissionDeniedError()
        response = _form_post(request, form, lambda d: services.training_create(
            actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"), title=d["title"], starts_on=d["starts_on"],
            ends_on=d["ends_on"], hours=d["hours"], points_attended=d["points_attended"],
            points_absent=d["points_absent"], cadres=[_pick(cadres_, i, "cadres") for i in d["cadres"]]),
            then="leadership:trainings", done=_("培训已登记"))
        if response:
            return response
    return render(request, "leadership/trainings.html", {
        "active": "trainings", "form": form if manage else None,
        "rows": Training.objects.accessible_to(user, purpose=VIEW).select_related("org_unit")[:200]})


@scope_safe
@login_required
def training(request, pk):
    user = request.user
    _need_view(user)
    t = _get(Training, user, pk)
    rows = TrainingAttendance.objects.within(t.org_path).filter(training=t).select_related("cadre", "cadre__org_unit")
    if request.method == "POST":
        attended = [int(i) for i in request.POST.getlist("attended") if i.isdigit()]
        certs = {int(k[5:]): v for k, v in request.POST.items() if k.startswith("cert-") and k[5:].isdigit() and v}
        return run_action(request, lambda: services.training_close(actor=user, training=t, attended_ids=attended,
                                                                   certificates=certs) and _("培训已结业，积分已记入"),
                          then=("leadership:training", t.pk))
    return render(request, "leadership/training.html", {
        "active": "trainings", "t": t, "rows": rows, "manage": permissions.can_manage(user, t.org_path)})


# --------------------------------------------------------------------------- contact points

@scope_safe
@login_required
def contacts(request):
    user = request.user
    _need_view(user)
    manage = permissions.can_manage_any(user)
    cadres_ = _cadres(user) if manage else []
    units = _units(user, kinds=None) if manage else []
    form = ContactForm(request.POST or None, cadres=cadres_, units=units, initial={"since": timezone.localdate()})
    if request.method == "POST":
        if not manage:
            raise PermissionDeniedError()
        response = _form_post(request, form, lambda d: services.contact_assign(
            actor=user, cadre=_pick(cadres_, d["cadre"], "cadre"), org_unit=_pick(units, d["org_unit"], "org_unit"),
            since=d["since"], every_days=d["every_days"]), then="leadership:contacts", done=_("联系点已确定"))
        if response:
            return response
    rows = services.contacts_with_due(ContactPoint.objects.accessible_to(user, purpose=VIEW))
    return render(request, "leadership/contacts.html", {
        "active": "contacts", "rows": rows, "form": form if manage else None, "today": timezone.localdate(),
        "overdue": sum(1 for r in rows if r.overdue)})


@require_POST
@scope_safe
@login_required
def contact_visit(request, pk):
    user = request.user
    c = _get(ContactPoint, user, pk)
    return run_action(request, lambda: services.contact_visit(actor=user, contact=c, on=request.POST.get("on"),
                                                              note=request.POST.get("note", "")) and _("走访已登记"),
                      then="leadership:contacts")


# --------------------------------------------------------------------------- loans and plaques

@scope_safe
@login_required
def loans_plaques(request):
    user = request.user
    _need_view(user)
    manage = permissions.can_manage_any(user)
    cadres_, units = (_cadres(user), _units(user)) if manage else ([], [])
    which = request.POST.get("form")
    loan_form = LoanForm(request.POST if which == "loan" else None, cadres=cadres_, units=units)
    plaque_form = PlaqueForm(request.POST if which == "plaque" else None, units=units)
    if request.method == "POST":
        if not manage:
            raise PermissionDeniedError()
        response = None
        if which == "loan":
            response = _form_post(request, loan_form, lambda d: services.loan_record(
                actor=user, cadre=_pick(cadres_, d["cadre"], "cadre"), org_unit=_pick(units, d["org_unit"], "org_unit"),
                to_office=d["to_office"], reason=d["reason"], left_on=d["left_on"]),
                then="leadership:loans_plaques", done=_("借调已登记"))
        elif which == "plaque":
            response = _form_post(request, plaque_form, lambda d: services.plaque_record(
                actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"), title=d["title"], issuer=d["issuer"],
                admitted=d["admitted"], admission_note=d["admission_note"]),
                then="leadership:loans_plaques", done=_("挂牌已登记"))
        if response:
            return response
    plaques = list(Plaque.objects.accessible_to(user, purpose=VIEW).select_related("org_unit"))
    by_unit: dict = {}
    for p in plaques:
        by_unit.setdefault(p.org_unit, []).append(p)
    return render(request, "leadership/loans_plaques.html", {
        "active": "loans_plaques", "manage": manage, "loan_form": loan_form, "plaque_form": plaque_form,
        "loans": LoanedStaff.objects.accessible_to(user, purpose=VIEW).select_related("cadre", "org_unit")[:300],
        "by_unit": sorted(by_unit.items(), key=lambda kv: kv[0].path), "today": timezone.localdate()})


@require_POST
@scope_safe
@login_required
def loan_return(request, pk):
    user = request.user
    loan = _get(LoanedStaff, user, pk)
    return run_action(request, lambda: services.loan_return(actor=user, loan=loan,
                                                            returned_on=request.POST.get("returned_on")) and _("已返岗"),
                      then="leadership:loans_plaques")


@require_POST
@scope_safe
@login_required
def plaque_check(request, unit_id):
    user = request.user
    unit = OrgUnit.objects.accessible_to(user, purpose=VIEW).filter(pk=unit_id).first()
    if unit is None:
        raise NotFoundError()
    remove = [int(i) for i in request.POST.getlist("remove") if i.isdigit()]

    def handler():
        r = services.plaque_check(actor=user, org_unit=unit, on=request.POST.get("on"), remove_ids=remove)
        return _("检查 %(c)s 块，清理 %(r)s 块") % {"c": r["checked"], "r": r["removed"]}
    return run_action(request, handler, then="leadership:loans_plaques")


# --------------------------------------------------------------------------- inspections and circulars

@scope_safe
@login_required
def inspections(request):
    user = request.user
    _need_view(user)
    manage = permissions.can_manage_any(user)
    units = _units(user, kinds=None) if manage else []
    form = InspectionForm(request.POST if request.POST.get("form") == "inspection" else None, units=units,
                          initial={"on": timezone.localdate()})
    qs = Inspection.objects.accessible_to(user, purpose=VIEW)
    if request.method == "POST" and request.POST.get("form") == "inspection":
        if not manage:
            raise PermissionDeniedError()
        response = _form_post(request, form, lambda d: services.inspection_record(
            actor=user, org_unit=_pick(units, d["org_unit"], "org_unit"), topic=d["topic"], on=d["on"],
            inspectors=d["inspectors"], findings=form.finding_rows()), then="leadership:inspections",
            done=_("督导已登记"))
        if response:
            return response
    findings = InspectionFinding.objects.accessible_to(user, purpose=VIEW)
    return render(request, "leadership/inspections.html", {
        "active": "inspections", "manage": manage, "form": form if manage else None,
        "rows": qs.select_related("org_unit").prefetch_related("findings__circulars")[:100],
        "overdue": services.overdue_findings(findings).filter(circulars__isnull=True).select_related(
            "inspection__org_unit"),
        "uncirculated": services.inspections_without_circulars(qs).count(),
        "circular_units": units[:1], "today": timezone.localdate()})


@require_POST
@scope_safe
@login_required
def inspection_action(request):
    user = request.user
    p = request.POST
    if p.get("action") == "fix":
        f = _get(InspectionFinding, user, p.get("finding") or 0)
        handler = lambda: services.finding_fix(actor=user, finding=f, fixed_on=p.get("fixed_on"),  # noqa: E731
                                               note=p.get("note", "")) and _("整改已登记")
    elif p.get("action") == "circular":
        def handler():
            unit = OrgUnit.objects.accessible_to(user, purpose=MANAGE).filter(pk=p.get("org_unit") or 0).first()
            ids = [int(i) for i in p.getlist("findings") if i.isdigit()]
            found = list(InspectionFinding.objects.accessible_to(user, purpose=VIEW).filter(pk__in=ids))
            services.circular_issue(actor=user, org_unit=unit, number=p.get("number", ""), issued_on=p.get("issued_on"),
                                    text=p.get("text", ""), findings=found)
            return _("通报已发布")
    else:
        handler = None
    return run_action(request, handler, then="leadership:inspections")


# --------------------------------------------------------------------------- xlsx exports

def _export_rows(user, what: str):
    """``(sheet title, header, rows)`` of one export, read through the user's scope."""
    from .models import Nomination, PushDownRefusal, TeamMember

    if what == "teams":
        rows = TeamMember.objects.accessible_to(user, purpose=VIEW).select_related("term__org_unit").order_by(
            "org_path", "-term__elected_on", "id")[:50000]
        return _("两委班子"), [_("村（社区）"), _("届次"), _("换届日期"), _("姓名"), _("职务"), _("当选时年龄"), _("学历"),
                              _("党员"), _("补选日期"), _("离任日期"), _("离任原因")], [
            [m.term.org_unit.name, m.term.number, str(m.term.elected_on), m.name, m.posts, m.age_at_election,
             str(m.get_education_display()), _("是") if m.is_party_member else _("否"), str(m.joined_on or ""),
             str(m.left_on or ""), m.left_reason] for m in rows]
    if what == "honours":
        rows = Nomination.objects.accessible_to(user, purpose=VIEW).select_related("selection").order_by(
            "-selection__year", "selection_id", "id")[:50000]
        return _("评选表彰"), [_("年度"), _("评选"), _("推荐对象"), _("主要事迹"), _("状态")], [
            [n.selection.year, n.selection.title, n.nominee_name, n.deeds, str(n.get_status_display())] for n in rows]
    if what == "refusals":
        rows = PushDownRefusal.objects.accessible_to(user, purpose=VIEW).select_related("item", "org_unit")[:50000]
        return _("负面清单拦截"), [_("时间"), _("事项编号"), _("事项名称"), _("下派到"), _("下派内容"), _("来源")], [
            [timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M"), r.item.code, r.item.name, r.org_unit.name, r.subject,
             r.source_type] for r in rows]
    if what == "postings":
        rows = Posting.objects.accessible_to(user, purpose=VIEW).select_related("cadre", "org_unit")[:50000]
        return _("派驻干部"), [_("姓名"), _("类别"), _("派驻单位"), _("派出单位"), _("派驻日期"), _("结束日期"), _("结束原因")], [
            [p.cadre.name, str(p.get_kind_display()), p.org_unit.name, p.sent_by, str(p.starts_on), str(p.ends_on or ""),
             p.end_reason] for p in rows]
    if what == "inspections":
        rows = InspectionFinding.objects.accessible_to(user, purpose=VIEW).select_related(
            "inspection__org_unit").prefetch_related("circulars")[:50000]
        return _("督导问题"), [_("督导对象"), _("督导事项"), _("督导日期"), _("问题"), _("整改期限"), _("整改完成"), _("通报文号")], [
            [f.inspection.org_unit.name, f.inspection.topic, str(f.inspection.on), f.text, str(f.deadline),
             str(f.fixed_on or ""), "、".join(c.number for c in f.circulars.all())] for f in rows]
    return None


@scope_safe
@login_required
def export(request, what):
    """One register as .xlsx (what the user may see), the export audit-logged."""
    from django.db import transaction

    from jiceng.audit.services import audit_log
    from jiceng.web.downloads import table_xlsx, xlsx_response

    user = request.user
    _need_view(user)
    found = _export_rows(user, what)
    if found is None:
        raise NotFoundError()
    title, header, rows = found
    with transaction.atomic():
        audit_log(actor=user, action="leadership.exported", object_type="leadership", object_repr=f"{title} {len(rows)}",
                  after={"what": what, "rows": len(rows)})
    return xlsx_response(table_xlsx(title, header, rows), f"{title}.xlsx")


# --------------------------------------------------------------------------- points rules

@scope_safe
@login_required
def rules(request):
    """The site's points for cadre records (干部队伍积分规则): read by whoever sees the module, changed by the
    site's manager."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from jiceng.orgs.selectors import org_roots_for_user
    from jiceng.web.forms import apply_error

    from .services.rules import RULE_FIELDS, rules_for, site_of

    user = request.user
    _need_view(user)
    root = org_roots_for_user(user, purpose=VIEW).first()
    if root is None:
        raise NotFoundError()
    site = site_of(root.path)
    manage = permissions.can_manage(user, site.path)
    current = rules_for(site)
    form = PointsRulesForm(request.POST or None, initial={n: getattr(current, n) for n in RULE_FIELDS})
    if request.method == "POST":
        if not manage:
            raise PermissionDeniedError()
        if form.is_valid():
            try:
                services.points_rules_update(actor=user, site=site, **form.cleaned_data)
            except JicengError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("积分规则已保存，此后登记的记录按新规则记分"))
                return redirect("leadership:rules")
    return render(request, "leadership/rules.html", {
        "active": "rules", "site": site, "form": form, "manage": manage, "current": current,
        "rows": [(form[n].label, getattr(current, n)) for n in RULE_FIELDS]})
