"""Monitoring pages. Thin: parse, call one service or selector, render."""
from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.models import User
from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED, scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_roots_for_user, org_unit_get_for_user
from jiceng.web.actions import run_action
from jiceng.web.downloads import xlsx_response
from jiceng.web.forms import apply_error
from jiceng.web.pagination import CappedPaginator

from . import department_lists, figures as figures_mod, permissions, selectors, services
from .forms import CATEGORY_CHOICES, DeclarationForm, DepartmentListForm, MeasureForm, ProfileForm, VisitForm
from .models import (
    RULE_THRESHOLDS, CaseStatus, Category, Channel, EconomicProfile, IncomeLine, MemberRecord, MonitoringCase,
    Procedure, RiskRule, RuleCode, SignalStatus, Stage,
)
from .rules import guarantees
from .services.profiles import EMPLOYMENT_FIELDS, MEMBER_FIELDS, SCHOOLING_FIELDS, living_members


def _need_view(user):
    if not permissions.can_view_any(user):
        raise NotFoundError()


@scope_safe
@login_required
def worklist(request):
    """我的工作台: signals to verify, visits due, approvals waiting."""
    user = request.user
    if not permissions.can_view_any(user):
        if getattr(user, "resident_id", None):
            return redirect("monitoring:declare_mine")
        raise NotFoundError()
    return render(request, "monitoring/worklist.html", selectors.worklist(user=user))


def _dates(request):
    today = timezone.localdate()
    try:
        end = dt.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
        start = dt.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else dt.date(end.year, 1, 1)
    except ValueError:
        start, end = dt.date(today.year, 1, 1), today
    if start > end:
        start, end = end, start
    return start, end


def _unit(request):
    user = request.user
    if request.GET.get("org"):
        unit = org_unit_get_for_user(user, request.GET["org"], purpose="monitoring_view")
    else:
        roots = list(org_roots_for_user(user, purpose="monitoring_view"))
        if not roots:
            raise NotFoundError()
        unit = roots[0]
    return unit


@scope_safe
@login_required
def household_list(request):
    """Households in scope with their risk state; or the households behind one figure (?metric=)."""
    user = request.user
    _need_view(user)
    unit = _unit(request)
    metric = request.GET.get("metric", "")
    start, end = _dates(request)
    qs = selectors.household_list(user=user, q=request.GET.get("q", ""), org_path=unit.path,
                                  at_risk=request.GET.get("at_risk") == "1")
    title = _("监测户与风险户") if request.GET.get("at_risk") == "1" else _("农户经济档案")
    if metric:
        try:
            ids = figures_mod.households_for_metric(metric, unit.path, start, end)
        except KeyError:
            raise NotFoundError() from None
        qs = qs.filter(pk__in=ids)
        title = figures_mod.METRIC_LABELS.get(metric.partition(":")[0], metric)
        if metric.partition(":")[2]:
            title += " · " + Category(metric.partition(":")[2]).label
    cases = {}
    if request.GET.get("format") == "xlsx":
        return _households_xlsx(user, unit, qs, title)
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    for c in MonitoringCase.objects.unscoped(AUTHORISED).filter(household_id__in=[h.pk for h in page]).order_by("created_at"):
        cases[c.household_id] = c
    for h in page:
        h.case = cases.get(h.pk)
    return render(request, "monitoring/households.html", {
        "page": page, "unit": unit, "title": title, "metric": metric, "start": start, "end": end,
        "q": request.GET.get("q", ""), "at_risk": request.GET.get("at_risk") == "1",
    })


def _households_xlsx(user, unit, qs, title):
    import xlsxwriter

    from jiceng.audit.services import audit_log

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("监测户")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["户编号", "户主", "所在单元", "住址", "待核实信号", "监测状态", "监测类别", "纳入日期",
                        "风险消除日期", "帮扶责任人"], bold)
    rows = list(qs[:20000])
    latest = {}
    for c in MonitoringCase.objects.unscoped(AUTHORISED).filter(household_id__in=[h.pk for h in rows]).select_related("responsible").order_by("created_at"):
        latest[c.household_id] = c
    from jiceng.people.idnumber import mask_name

    for i, h in enumerate(rows, start=1):
        c = latest.get(h.pk)
        ws.write_row(i, 0, [h.number, mask_name(h.head.name) if h.head else "", h.org_unit.name, h.address,
                            h.open_signals, c.get_status_display() if c else "", c.get_category_display() if c else "",
                            c.enrolled_on.isoformat() if c and c.enrolled_on else "",
                            c.eliminated_on.isoformat() if c and c.eliminated_on else "",
                            str(c.responsible) if c and c.responsible else ""])
    ws.set_column(0, 0, 26)
    ws.set_column(2, 3, 22)
    wb.close()
    audit_log(actor=user, action="monitoring.households.exported", obj=unit, after={"rows": len(rows), "title": title})
    return xlsx_response(buf.getvalue(), f"monitoring-households-{unit.code}.xlsx")


@scope_safe
@login_required
def household_detail(request, pk):
    """一户一档: the 3+1 checklist, profiles by year, signals, cases and their steps, measures, visits.
    Every view of this page is recorded in the audit trail."""
    user = request.user
    h = selectors.household_get_for_user(user, pk)
    services.profile_viewed(actor=user, household=h)
    profiles = list(selectors.profiles_of(h))
    year = request.GET.get("year")
    current = next((p for p in profiles if str(p.year) == year), profiles[0] if profiles else None)
    checklist = None
    if current is not None:
        checklist = guarantees(services.profile_facts(current, list(current.members.all())), today=timezone.localdate())
    cases = list(MonitoringCase.objects.unscoped(AUTHORISED).filter(household=h).select_related("responsible")
                 .prefetch_related("steps__actor", "measures", "scheduled_visits").order_by("-created_at"))
    active = next((c for c in cases if c.status in (CaseStatus.IDENTIFYING, CaseStatus.MONITORED,
                                                   CaseStatus.ELIMINATING)), None)
    conditions = services.elimination_conditions(active) if active and active.status == CaseStatus.MONITORED else None
    line = None
    if current is not None:
        line = services.income_line_for(services.settings_for(services.site_of(h.org_path)), current.year)
    can_act = active is not None and active.stage not in (Stage.POSTING, Stage.DONE) and \
        permissions.can_act_on_stage(user, active.stage, h.org_path)
    staff = []
    if active is not None and (permissions.can_act_on_stage(user, Stage.VILLAGE_REVIEW, h.org_path)
                               or permissions.can_act_on_stage(user, Stage.TOWNSHIP_REVIEW, h.org_path)):
        staff = _workers_over(h.org_path)
    return render(request, "monitoring/household.html", {
        "h": h, "profiles": profiles, "current": current, "checklist": checklist, "line": line,
        "signals": h.risk_signals.select_related("closed_by").order_by("-raised_at")[:50],
        "cases": cases, "active": active, "conditions": conditions, "can_act": can_act,
        "can_record": permissions.can_record(user, h.org_path), "staff": staff,
        "visits": h.monitoring_visits.select_related("visitor").order_by("-visited_on", "-id")[:20],
        "categories": CATEGORY_CHOICES, "measure_form": MeasureForm(initial={"started_on": timezone.localdate()}),
        "today": timezone.localdate(), "members": living_members(h), "rural": _is_rural(h),
    })


def _is_rural(h) -> bool:
    """A household in a village (or its villager group) is a 农户; a city flat is not."""
    from jiceng.orgs.models import OrgUnitKind

    rural = {OrgUnitKind.VILLAGE, OrgUnitKind.VILLAGER_GROUP}
    return h.org_unit.kind in rural or h.org_unit.ancestors().filter(kind__in=rural).exists()


def _workers_over(path: str):
    from jiceng.accounts.models import Role, RoleAssignment
    from jiceng.orgs.models import path_and_ancestors

    ids = RoleAssignment.objects.filter(
        role__in=[Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_ADMIN],
        org_unit__path__in=path_and_ancestors(path)).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("username")[:100])


@scope_safe
@login_required
def profile_edit(request, pk, year):
    user = request.user
    h = selectors.household_get_for_user(user, pk)
    if not permissions.can_record(user, h.org_path):
        raise PermissionDeniedError()
    year = int(year)
    if not (2000 <= year <= timezone.localdate().year):
        raise NotFoundError()
    if request.method == "GET":
        services.profile_viewed(actor=user, household=h, what="profile_edit")
    profile = EconomicProfile.objects.unscoped(AUTHORISED).filter(household=h, year=year).first()
    if profile is None:  # start from last year's figures, if any
        base = EconomicProfile.objects.unscoped(AUTHORISED).filter(household=h, year__lt=year).order_by("-year").first()
    else:
        base = profile
    members = living_members(h)
    records = {m.resident_id: m for m in base.members.all()} if base else {}
    initial = {f: getattr(base, f) for f in ProfileForm.base_fields} if base else {
        "member_count": max(1, len(members)), "housing_grade": "A", "safe_water": True}
    form = ProfileForm(request.POST or None, initial=initial)
    rows = []
    for r in members:
        rec = records.get(r.pk) or MemberRecord(resident=r)
        if base is None:
            services.profiles._defaults_for(rec, r, year, timezone.localdate())
        rows.append((r, rec))
    if request.method == "POST" and form.is_valid():
        p = request.POST
        member_data = {}
        for r in members:
            d = {f: p.get(f"m{r.pk}-{f}", "") for f in (*EMPLOYMENT_FIELDS, *SCHOOLING_FIELDS, "labour_capacity",
                                                        "labour_loss")}
            for b in ("enrolled", "medical_insured", "is_main_labour"):
                d[b] = p.get(f"m{r.pk}-{b}") == "on"
            member_data[r.pk] = d
        try:
            services.profile_save(actor=user, household=h, year=year, values=dict(form.cleaned_data),
                                  members=member_data)
            messages.success(request, _("%(y)s年经济档案已保存，风险规则已重新检查") % {"y": year})
            return redirect(f"/monitoring/households/{h.pk}/?year={year}")
        except JicengError as exc:
            apply_error(form, exc)
    from .models import Employment, LabourCapacity, LabourLoss, SchoolStage

    return render(request, "monitoring/profile_edit.html", {
        "h": h, "year": year, "form": form, "rows": rows, "employment": Employment.choices,
        "stages": SchoolStage.choices, "capacities": LabourCapacity.choices, "losses": LabourLoss.choices,
        "is_new": profile is None, "member_fields": MEMBER_FIELDS,
    })


@scope_safe
@login_required
def visit_new(request, pk):
    """干部排查 / 帮扶走访, on the phone."""
    user = request.user
    h = selectors.household_get_for_user(user, pk)
    if not permissions.can_record(user, h.org_path):
        raise PermissionDeniedError()
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        risks = form.risk_list()
        try:
            visit = services.visit_record(actor=user, household=h, kind=d["kind"], visited_on=d["visited_on"],
                                          findings=d["findings"], risks=risks)
            n = visit.signals.count()
            messages.success(request, _("走访已记录") + (_("，发现 %(n)d 条风险，已生成核实任务") % {"n": n} if n else ""))
            return redirect("monitoring:household", h.pk)
        except JicengError as exc:
            apply_error(form, exc, {"amount": "amount"})
    return render(request, "monitoring/visit_new.html", {"h": h, "form": form})


def _declare(request, h, *, on_behalf):
    """The declaration form; (form, True) once submitted."""
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.self_declaration_submit(actor=request.user, household=h, kind=d["kind"], detail=d["detail"],
                                             amount=d["amount"] or None)
            messages.success(request, _("申报已提交，村（社区）干部会在规定时间内上门核实"))
            return form, True
        except JicengError as exc:
            apply_error(form, exc)
    return form, False


@scope_safe
@login_required
def declare_for(request, pk):
    """A worker entering a household's declaration for them."""
    h = selectors.household_get_for_user(request.user, pk)
    if not permissions.can_record(request.user, h.org_path):
        raise PermissionDeniedError()
    form, done = _declare(request, h, on_behalf=True)
    if done:
        return redirect("monitoring:household", h.pk)
    return render(request, "monitoring/declare.html", {"h": h, "form": form, "on_behalf": True})


@scope_safe
@login_required
def declare_mine(request):
    """农户自主申报: the resident's own page (large print friendly)."""
    user = request.user
    if not getattr(user, "resident_id", None) or not user.resident.household_id:
        raise NotFoundError(_("您的账号还没有关联住户，请联系社区工作人员"))
    h = user.resident.household
    form, done = _declare(request, h, on_behalf=False)
    if done:
        return redirect("monitoring:declare_mine")
    mine = h.risk_signals.filter(channel=Channel.SELF).order_by("-raised_at")[:10]
    return render(request, "monitoring/declare.html", {"h": h, "form": form, "on_behalf": False, "mine": mine})


@scope_safe
@login_required
def signal_list(request):
    user = request.user
    _need_view(user)
    unit = _unit(request)
    status = request.GET.get("status", "open")
    qs = selectors.signal_list(user=user, status=status if status != "all" else "", channel=request.GET.get("channel", ""),
                               org_path=unit.path, overdue=request.GET.get("overdue") == "1")
    if request.GET.get("from"):
        start, end = _dates(request)
        lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
        qs = qs.filter(raised_at__gte=lo, raised_at__lt=hi)
    return render(request, "monitoring/signals.html", {
        "page": CappedPaginator(qs, 30).get_page(request.GET.get("page")), "unit": unit, "status": status,
        "statuses": SignalStatus.choices, "channels": Channel.choices, "channel": request.GET.get("channel", ""),
    })


@scope_safe
@login_required
@require_POST
def signal_act(request, pk, action):
    user = request.user
    sig = selectors.signal_get_for_user(user, pk)
    p = request.POST

    def confirm():
        services.signal_confirm(actor=user, signal=sig, note=p.get("note", ""))
        return _("已核实属实，进入识别流程（入户核实）")

    def dismiss():
        services.signal_dismiss(actor=user, signal=sig, reason=p.get("reason", ""))
        return _("已核实排除")

    return run_action(request, {"confirm": confirm, "dismiss": dismiss}.get(action),
                      then=("monitoring:household", sig.household_id))


@scope_safe
@login_required
@require_POST
def case_act(request, pk, action):
    user = request.user
    case = selectors.case_get_for_user(user, pk)
    p = request.POST

    def step():
        services.case_step(actor=user, case=case, approved=p.get("decision", "approve") == "approve",
                           note=p.get("note", ""), consent=p.get("consent") == "on",
                           category=p.get("category", ""), acted_on=p.get("acted_on") or None)
        return _("已办理")

    def eliminate():
        services.elimination_start(actor=user, case=case, note=p.get("note", ""), acted_on=p.get("acted_on") or None)
        return _("风险消除条件已核实，进入村级民主评议")

    def responsible():
        target = User.objects.filter(pk=p.get("user")).first() if (p.get("user") or "").isdigit() else None
        services.responsible_assign(actor=user, case=case, user=target)
        return _("帮扶责任人已确定")

    def measure_result():
        measure = case.measures.filter(pk=p.get("measure") if (p.get("measure") or "").isdigit() else None).first()
        if measure is None:
            raise NotFoundError()
        services.measure_update(actor=user, measure=measure, result=p.get("result", ""))
        return _("帮扶成效已保存")

    def measure():
        form = MeasureForm(p)
        if not form.is_valid():
            raise JicengError(next(iter(form.errors.values()))[0])
        d = form.cleaned_data
        services.measure_add(actor=user, case=case, kind=d["kind"], description=d["description"],
                             started_on=d["started_on"], amount=d["amount"], result=d["result"])
        return _("帮扶措施已登记")

    actions = {"step": step, "eliminate": eliminate, "responsible": responsible, "measure_result": measure_result,
               "measure": measure}
    return run_action(request, actions.get(action), then=("monitoring:household", case.household_id))


@scope_safe
@login_required
def case_list(request):
    user = request.user
    _need_view(user)
    unit = _unit(request)
    status = request.GET.get("status", "monitored")
    qs = selectors.case_list(user=user, status=status, category=request.GET.get("category", ""), org_path=unit.path,
                             stage=request.GET.get("stage", ""))
    return render(request, "monitoring/cases.html", {
        "page": CappedPaginator(qs, 30).get_page(request.GET.get("page")), "unit": unit, "status": status,
        "statuses": [("active", _("全部在办")), ("monitored", _("监测帮扶中")), *CaseStatus.choices],
        "categories": Category.choices, "category": request.GET.get("category", ""),
    })


@scope_safe
@login_required
def figures_page(request):
    """监测帮扶统计 for a unit and period; every figure links to its households; xlsx export."""
    user = request.user
    _need_view(user)
    unit = _unit(request)
    start, end = _dates(request)
    data = figures_mod.figures(unit.path, start, end)
    if request.GET.get("format") == "xlsx":
        return _figures_xlsx(user, unit, start, end, data)
    children = OrgUnit.objects.filter(parent=unit).order_by("sort_order", "path")[:40]
    return render(request, "monitoring/figures.html", {"unit": unit, "start": start, "end": end, "data": data,
                                                       "children": children})


def _figures_xlsx(user, unit, start, end, data):
    import xlsxwriter

    from jiceng.audit.services import audit_log

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("监测帮扶统计")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, [f"{unit.name} 防返贫监测帮扶统计 {start.isoformat()} 至 {end.isoformat()}"], bold)
    ws.write_row(2, 0, ["指标", "户数", "人数"], bold)
    rows = [("新识别纳入监测对象", data["enrolled"]), ("标注风险消除", data["eliminated"]),
            ("期末监测对象", data["monitored"]), ("正在识别", data["identifying"])]
    rows += [(f"期末监测对象·{c['label']}", c) for c in data["by_category"]]
    r = 3
    for label, v in rows:
        ws.write_row(r, 0, [label, v["households"], v["people"]])
        r += 1
    r += 1
    for label, v in (("应走访（次）", data["visits_due"]), ("已走访（次）", data["visits_done"]),
                     ("走访逾期（次）", data["visits_overdue"]), ("更新就学信息（人）", data["schooling"]),
                     ("更新就业信息（人）", data["employment"]), ("风险信号（条）", data["signals"])):
        ws.write_row(r, 0, [label, v])
        r += 1
    for _c, label, n in data["by_channel"]:
        ws.write_row(r, 0, [f"风险信号·{label}", n])
        r += 1
    ws.set_column(0, 0, 30)
    wb.close()
    audit_log(actor=user, action="monitoring.figures.exported", obj=unit, after={"from": start, "to": end})
    return xlsx_response(buf.getvalue(), f"monitoring-figures-{unit.code}.xlsx")


@scope_safe
@login_required
def department_list_upload(request):
    user = request.user
    units = [u for u in org_roots_for_user(user, purpose="monitoring_view") if permissions.can_import_list(user, u.path)]
    if not units:
        raise NotFoundError()
    form = DepartmentListForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        root = next(u for u in units if str(u.pk) == d["root"])
        upload = d["file"]
        try:
            if upload.size > department_lists.MAX_BYTES:
                raise JicengError(_("文件不能超过10MB"), field="file")
            dl = department_lists.department_list_check(actor=user, department=d["department"], filename=upload.name,
                                                        data=upload.read(), root=root)
            return redirect("monitoring:department_list", dl.pk)
        except JicengError as exc:
            apply_error(form, exc)
    from .models import DepartmentList

    recent = DepartmentList.objects.filter(actor=user).order_by("-created_at")[:20]
    return render(request, "monitoring/department_lists.html", {"form": form, "recent": recent})


@scope_safe
@login_required
def department_list_detail(request, pk):
    user = request.user
    dl = selectors.department_list_get_for_user(user, pk)
    if request.method == "POST":
        def apply():
            applied = department_lists.department_list_apply(actor=user, department_list=dl)
            if applied.status == "applied":
                return _("已导入 %(n)d 条预警，均已生成核实任务") % {"n": applied.result.get("created", 0)}
            return None

        return run_action(request, apply, then=("monitoring:department_list", dl.pk))
    return render(request, "monitoring/department_list.html", {"dl": dl, "errors": dl.result.get("errors", [])[:500]})


@scope_safe
@login_required
def department_list_errors(request, pk):
    dl = selectors.department_list_get_for_user(request.user, pk)
    return xlsx_response(department_lists.department_list_errors_xlsx(dl), f"department-list-{dl.pk}-errors.xlsx")


@scope_safe
@login_required
def department_list_template(request):
    if not permissions.can_view_any(request.user):
        raise NotFoundError()
    return xlsx_response(department_lists.department_list_template(), "department-warning-template.xlsx")


@scope_safe
@login_required
def settings_page(request):
    """监测标准与风险规则: the income line per year and province, each rule on/off and its threshold."""
    user = request.user
    sites = [u for u in org_roots_for_user(user, purpose="monitoring_view") if permissions.can_manage(user, u.path)]
    if not sites:
        # One rule with the other modules' settings pages: a user inside the module without the right is told so.
        raise PermissionDeniedError()
    site = services.site_of(sites[0].path)
    s = services.settings_for(site)
    if request.method == "POST":
        p = request.POST
        try:
            what = p.get("what")
            if what == "line":
                services.income_line_set(actor=user, site=site, year=int(p.get("year") or 0),
                                         province_code=p.get("province_code", ""), amount=p.get("amount", ""),
                                         note=p.get("note", ""))
            elif what == "rules":
                services.rules_update(actor=user, site=site, rules={
                    code: (p.get(f"{code}-enabled") == "on", p.get(f"{code}-threshold") or None)
                    for code in RuleCode.values})
            elif what == "settings":
                values = {}
                for f in ("province_code", "posting_days", "observation_months", "visit_interval_days",
                          "visit_reminder_days", "verification_days"):
                    v = p.get(f, "")
                    values[f] = v if f == "province_code" else int(v or 0)
                services.settings_update(actor=user, site=site, **values)
            messages.success(request, _("已保存"))
            return redirect("monitoring:settings")
        except (JicengError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("请填写整数")))
    rules = {r.code: r for r in RiskRule.objects.filter(site=site)}
    rule_rows = []
    for code, label in RuleCode.choices:
        r = rules.get(code)
        t = RULE_THRESHOLDS.get(code)
        rule_rows.append({"code": code, "label": label, "enabled": r.enabled if r else True,
                          "threshold": (r.threshold if r and r.threshold is not None else (t[1] if t else None)),
                          "threshold_label": t[0] if t else None})
    return render(request, "monitoring/settings.html", {
        "site": site, "s": s, "lines": IncomeLine.objects.all()[:40], "rules": rule_rows,
        "can_set_lines": services.config.can_set_income_lines(user),
        "this_year": timezone.localdate().year, "procedures": Procedure.choices,
    })
