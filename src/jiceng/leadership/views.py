"""Leadership and burden-cutting pages (班子队伍与基层减负). Thin: parse, call one service or selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED, scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.people.models import Cadre, Resident
from jiceng.web.actions import run_action
from jiceng.web.forms import apply_error

from . import permissions, selectors, services
from .forms import (
    ApprovalForm, CommendationForm, DraftForm, ItemForm, LeaveForm, MemberForm, NominationForm, PledgeForm,
    SelectionForm, TermForm,
)
from .models import (
    DutyItem, DutyListStatus, Nomination, Pledge, SelectionObjection, SelectionStatus, TeamMember,
)
from .services.teams import TEAM_UNIT_KINDS


def _need_view(user):
    if not permissions.can_view_any(user):
        raise NotFoundError()


def _unit(user, pk, purpose="leadership_view") -> OrgUnit:
    unit = OrgUnit.objects.accessible_to(user, purpose=purpose).filter(pk=pk).first()
    if unit is None:
        raise NotFoundError()
    return unit


def _form_post(request, form, call, *, then, done):
    """Validate a form, call one service with its cleaned data; errors go next to the fields."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(*then) if isinstance(then, tuple) else redirect(then)
    return None


# --------------------------------------------------------------------------- home

@scope_safe
@login_required
def home(request):
    """班子队伍: teams by unit, selections running, the lists in force, and the year's figures."""
    user = request.user
    _need_view(user)
    from jiceng.core.modules import Period, registry
    from jiceng.orgs.selectors import org_roots_for_user

    year = _year(request)
    root = org_roots_for_user(user, purpose="leadership_view").first()
    figures = []
    if root is not None:
        period = Period.year(year)
        from jiceng.core.modules import resolve

        for code, f in registry.figures().items():
            if code.startswith("leadership."):
                figures.append((code, f, resolve(f.value)(root, period)))
    return render(request, "leadership/home.html", {
        "active": "home", "root": root, "year": year, "figures": figures,
        "selections": selectors.selection_list(user)[:6],
        "in_force": selectors.duty_lists(user, status=DutyListStatus.IN_FORCE),
        "refusals": selectors.refusals(user)[:5],
    })


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@scope_safe
@login_required
def figure(request, code):
    """One figure for the user's unit (or a unit below it) and a year, and exactly the records it counts."""
    from jiceng.core.modules import Period, registry, resolve
    from jiceng.orgs.selectors import org_roots_for_user

    user = request.user
    _need_view(user)
    f = registry.figures().get(f"leadership.{code}")
    if f is None:
        raise NotFoundError()
    unit = org_roots_for_user(user, purpose="leadership_view").first()
    if request.GET.get("unit"):
        unit = _unit(user, request.GET["unit"])
    if unit is None:
        raise NotFoundError()
    year = _year(request)
    period = Period.year(year)
    value = resolve(f.value)(unit, period)
    records = list(resolve(f.records)(unit, period)[:500])
    names = dict(OrgUnit.objects.filter(path__in={r.org_path for r in records}).values_list("path", "name"))
    return render(request, "leadership/figure.html", {
        "active": "home", "figure": f, "code": code, "unit": unit, "year": year, "value": value,
        "rows": [(names.get(r.org_path, ""), r) for r in records], "shown": len(records)})


# --------------------------------------------------------------------------- teams

@scope_safe
@login_required
def teams(request):
    user = request.user
    _need_view(user)
    return render(request, "leadership/teams.html", {"active": "teams", "units": selectors.units_with_teams(user)})


@scope_safe
@login_required
def team(request, unit_id):
    """One village's or community's teams by term: members, the comparison with the last term, pledges,
    adjustments; forms for the township."""
    user = request.user
    _need_view(user)
    unit = _unit(user, unit_id)
    if unit.kind not in TEAM_UNIT_KINDS:
        raise NotFoundError()
    can_manage = permissions.can_manage(user, unit.path)
    terms = list(selectors.terms_of(user, unit))
    term = terms[0] if terms else None
    if request.GET.get("term"):
        term = next((t for t in terms if str(t.pk) == request.GET["term"]), term)
    residents = (Resident.objects.accessible_to(user, purpose="leadership_view").filter(org_path__startswith=unit.path)
                 .order_by("name")[:500]) if can_manage else []
    term_form = TermForm(request.POST if request.POST.get("form") == "term" else None,
                         initial={"number": (terms[0].number + 1) if terms else 1})
    member_form = MemberForm(request.POST if request.POST.get("form") == "member" else None, residents=residents)
    pledge_form = PledgeForm(request.POST if request.POST.get("form") == "pledge" else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDeniedError()
        which = request.POST.get("form")
        then = ("leadership:team", unit.pk)
        response = None
        if which == "term":
            response = _form_post(request, term_form, lambda d: services.term_create(
                actor=user, org_unit=unit, number=d["number"], elected_on=d["elected_on"], ends_on=d["ends_on"],
                note=d["note"]), then=then, done=_("届次已登记"))
        elif which == "member" and term is not None:
            def add(d):
                resident = Resident.objects.accessible_to(user, purpose="leadership_view").filter(
                    pk=d["resident"]).first()
                services.member_add(actor=user, term=term, resident=resident, party_post=d["party_post"],
                                    committee_post=d["committee_post"], education=d["education"],
                                    joined_on=d["joined_on"], reason=d["reason"])
            response = _form_post(request, member_form, add, then=f"{request.path}?term={term.pk}",
                                  done=_("班子成员已登记"))
        elif which == "pledge" and term is not None:
            response = _form_post(request, pledge_form, lambda d: services.pledge_add(
                actor=user, term=term, text=d["text"], due_on=d["due_on"]), then=f"{request.path}?term={term.pk}",
                done=_("承诺已登记"))
        if response is not None:
            return response
    comparison = services.term_comparison(term) if term else None
    members = list(selectors.members_of(term)) if term else []
    return render(request, "leadership/team.html", {
        "active": "teams", "unit": unit, "terms": terms, "term": term, "members": members, "comparison": comparison,
        "pledges": term.pledges.all() if term else [], "adjustments": term.adjustments.select_related("member") if term else [],
        "can_manage": can_manage, "term_form": term_form, "member_form": member_form, "pledge_form": pledge_form,
        "leave_form": LeaveForm(),
    })


@require_POST
@scope_safe
@login_required
def member_action(request, pk):
    user = request.user
    member = TeamMember.objects.accessible_to(user, purpose="leadership_view").filter(pk=pk).select_related(
        "term").first()
    if member is None:
        raise NotFoundError()
    action = request.POST.get("action")
    then = f"/leadership/teams/{member.term.org_unit_id}/?term={member.term_id}"
    handlers = {
        "leave": lambda: services.member_leave(actor=user, member=member, on=request.POST.get("on"),
                                               reason=request.POST.get("reason", "")) and _("已登记离任"),
        "managed_up": lambda: services.managed_up_start(
            actor=user, member=member, direction=request.POST.get("direction", ""), reason=request.POST.get("reason", ""),
            starts_on=request.POST.get("starts_on"), review_on=request.POST.get("review_on")) and _("已纳入提级管理"),
    }
    return run_action(request, handlers.get(action), then=then)


@require_POST
@scope_safe
@login_required
def pledge_action(request, pk):
    user = request.user
    pledge = Pledge.objects.accessible_to(user, purpose="leadership_view").filter(pk=pk).select_related("term").first()
    if pledge is None:
        raise NotFoundError()
    kept = request.POST.get("action") == "kept"
    return run_action(request, lambda: services.pledge_check(actor=user, pledge=pledge, kept=kept,
                                                             note=request.POST.get("note", "")),
                      then=f"/leadership/teams/{pledge.term.org_unit_id}/?term={pledge.term_id}", done=_("已核实"))


# --------------------------------------------------------------------------- selections

@scope_safe
@login_required
def selections(request):
    user = request.user
    _need_view(user)
    from jiceng.orgs.selectors import org_roots_for_user

    root = org_roots_for_user(user, purpose="leadership_manage").first()
    form = SelectionForm(request.POST or None, initial={"year": timezone.localdate().year, "publicity_days": 5})
    if request.method == "POST":
        if root is None:
            raise PermissionDeniedError()
        holder = {}

        def create(d):
            holder["s"] = services.selection_create(actor=user, org_unit=root, title=d["title"], kind=d["kind"],
                                                    year=d["year"], quota=d["quota"],
                                                    publicity_days=d["publicity_days"])
        if _form_post(request, form, create, then="leadership:selections", done=_("评选已发起")):
            return redirect("leadership:selection", holder["s"].pk)
    return render(request, "leadership/selections.html", {
        "active": "selections", "selections": selectors.selection_list(user), "form": form if root else None})


def _nominees(user, selection):
    if selection.honours_units:
        return list(OrgUnit.objects.accessible_to(user, purpose="leadership_nominate")
                    .filter(path__startswith=selection.org_path, kind__in=selectors.UNIT_KINDS_NOMINATED)
                    .order_by("path")[:500])
    return list(Resident.objects.accessible_to(user, purpose="leadership_nominate")
                .filter(org_path__startswith=selection.org_path).order_by("name")[:500])


@scope_safe
@login_required
def selection(request, pk):
    """One selection: its nominees and where each stands, nominate, review, publicity, objections, award."""
    user = request.user
    _need_view(user)
    sel = selectors.selection_get(user, pk)
    if sel is None:
        raise NotFoundError()
    can_manage = permissions.can_manage(user, sel.org_path)
    nominees = _nominees(user, sel) if sel.status == SelectionStatus.NOMINATING else []
    form = NominationForm(request.POST if request.POST.get("form") == "nominate" else None, nominees=nominees)
    if request.method == "POST" and request.POST.get("form") == "nominate":
        def add(d):
            chosen = next((n for n in nominees if n.pk == d["nominee"]), None)
            if chosen is None:
                raise JicengError(_("请选择推荐对象"), field="nominee")
            services.nominate(actor=user, selection=sel, deeds=d["deeds"],
                              unit=chosen if sel.honours_units else None,
                              resident=None if sel.honours_units else chosen)
        response = _form_post(request, form, add, then=("leadership:selection", sel.pk), done=_("已推荐"))
        if response:
            return response
    return render(request, "leadership/selection.html", {
        "active": "selections", "sel": sel, "nominations": selectors.nominations_of(sel), "can_manage": can_manage,
        "form": form if nominees else None, "now": timezone.now(),
        "can_award": sel.status == SelectionStatus.PUBLICITY and sel.publicity_ends_at and timezone.now() >= sel.publicity_ends_at,
    })


@require_POST
@scope_safe
@login_required
def selection_action(request, pk):
    user = request.user
    sel = selectors.selection_get(user, pk)
    if sel is None:
        raise NotFoundError()
    action = request.POST.get("action")

    def nomination():
        n = Nomination.objects.within(sel.org_path).filter(selection=sel, pk=request.POST.get("nomination")).first()
        if n is None:
            raise NotFoundError()
        return n

    def objection():
        o = SelectionObjection.objects.within(sel.org_path).filter(nomination__selection=sel,
                                                                   pk=request.POST.get("objection")).first()
        if o is None:
            raise NotFoundError()
        return o

    handlers = {
        "approve": lambda: services.nomination_review(actor=user, nomination=nomination(), approve=True,
                                                      note=request.POST.get("note", "")) and _("审核通过"),
        "reject": lambda: services.nomination_review(actor=user, nomination=nomination(), approve=False,
                                                     note=request.POST.get("note", "")) and _("已标记未通过"),
        "publicise": lambda: services.publicity_start(actor=user, selection=sel) and _("已在公开栏公示"),
        "uphold": lambda: services.objection_resolve(actor=user, objection=objection(), upheld=True,
                                                     resolution=request.POST.get("resolution", "")) and _("异议成立，已撤销该推荐对象"),
        "dismiss": lambda: services.objection_resolve(actor=user, objection=objection(), upheld=False,
                                                      resolution=request.POST.get("resolution", "")) and _("异议不成立"),
        "award": lambda: services.selection_award(actor=user, selection=sel) and _("已表彰"),
    }
    return run_action(request, handlers.get(action), then=("leadership:selection", sel.pk))


@scope_safe
@login_required
def commendations(request):
    user = request.user
    _need_view(user)
    units = list(OrgUnit.objects.accessible_to(user, purpose="leadership_nominate").order_by("path")[:500])
    cadres = list(Cadre.objects.accessible_to(user, purpose="leadership_nominate").select_related("org_unit")
                  .order_by("org_path", "name")[:800]) if units else []
    form = CommendationForm(request.POST or None, units=units, cadres=cadres,
                            initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        def add(d):
            unit = next((u for u in units if u.pk == d["org_unit"]), None)
            if unit is None:
                raise JicengError(_("请选择受表扬单位"), field="org_unit")
            cadre = next((c for c in cadres if c.pk == d["cadre"]), None)
            if d["cadre"] and cadre is None:
                raise JicengError(_("选择的干部不在您的范围内"), field="cadre")
            services.commendation_record(actor=user, org_unit=unit, kind=d["kind"], giver=d["giver"], text=d["text"],
                                         errand=d["errand"], received_on=d["received_on"], cadre=cadre)
        response = _form_post(request, form, add, then="leadership:commendations", done=_("已登记"))
        if response:
            return response
    return render(request, "leadership/commendations.html", {
        "active": "commendations", "rows": selectors.commendation_list(user)[:200], "form": form if units else None})


# --------------------------------------------------------------------------- the four lists

@scope_safe
@login_required
def duties(request):
    user = request.user
    _need_view(user)
    levels = list(selectors.list_levels(user))
    form = DraftForm(request.POST or None, units=levels)
    if request.method == "POST":
        holder = {}

        def draft(d):
            unit = next((u for u in levels if u.pk == d["org_unit"]), None)
            if unit is None:
                raise PermissionDeniedError()
            holder["d"] = services.duty_list_draft(actor=user, org_unit=unit, kind=d["kind"],
                                                   change_note=d["change_note"])
        if _form_post(request, form, draft, then="leadership:duties", done=_("草稿已建立")):
            return redirect("leadership:duty_list", holder["d"].pk)
    return render(request, "leadership/duties.html", {
        "active": "duties", "lists": selectors.duty_lists(user), "form": form if levels else None})


@scope_safe
@login_required
def duty_list(request, pk):
    user = request.user
    _need_view(user)
    dl = selectors.duty_list_get(user, pk)
    if dl is None:
        raise NotFoundError()
    can_manage = permissions.can_manage(user, dl.org_path)
    form = ItemForm(request.POST or None)
    if request.method == "POST":
        response = _form_post(request, form, lambda d: services.duty_item_save(
            actor=user, duty_list=dl, code=d["code"], name=d["name"], basis=d["basis"], keywords=d["keywords"]),
            then=("leadership:duty_list", dl.pk), done=_("事项已加入草稿"))
        if response:
            return response
    return render(request, "leadership/duty_list.html", {
        "active": "duties", "dl": dl, "items": dl.items.all(), "can_manage": can_manage,
        "form": form if can_manage and dl.status == DutyListStatus.DRAFT else None})


@require_POST
@scope_safe
@login_required
def duty_list_action(request, pk):
    user = request.user
    dl = selectors.duty_list_get(user, pk)
    if dl is None:
        raise NotFoundError()
    action = request.POST.get("action")

    def remove():
        item = DutyItem.objects.within(dl.org_path).filter(duty_list=dl, pk=request.POST.get("item")).first()
        if item is None:
            raise NotFoundError()
        services.duty_item_remove(actor=user, item=item)
        return _("事项已删除")

    handlers = {"approve": lambda: services.duty_list_approve(actor=user, duty_list=dl) and _("清单已审定施行"),
                "remove": remove}
    return run_action(request, handlers.get(action), then=("leadership:duty_list", dl.pk))


@scope_safe
@login_required
def push_downs(request):
    """准入审批 and 拦截记录: approvals that let a negative-list duty go down, and the refusals."""
    user = request.user
    _need_view(user)
    items = list(selectors.negative_items_for(user))
    units = list(OrgUnit.objects.accessible_to(user, purpose="leadership_manage")
                 .filter(kind__in=TEAM_UNIT_KINDS).order_by("path")[:500]) if items else []
    form = ApprovalForm(request.POST or None, items=items, units=units)
    if request.method == "POST":
        def approve(d):
            item = next((i for i in items if i.pk == d["item"]), None)
            unit = next((u for u in units if u.pk == d["org_unit"]), None)
            if item is None or unit is None:
                raise JicengError(_("请选择事项和下派单位"), field="item")
            services.push_down_approve(actor=user, item=item, org_unit=unit, subject=d["subject"], reason=d["reason"],
                                       valid_until=d["valid_until"])
        response = _form_post(request, form, approve, then="leadership:push_downs", done=_("准入审批已登记"))
        if response:
            return response
    return render(request, "leadership/push_downs.html", {
        "active": "push_downs", "approvals": selectors.approvals(user)[:100], "refusals": selectors.refusals(user)[:200],
        "form": form if items else None})


# --------------------------------------------------------------------------- public board and panels

@scope_safe
def public_honours(request, code):
    """评选公示与表彰 on a village's or community's notice board (no login): the nominees in publicity, with
    an objection form, and the honours awarded."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError()
    if request.method == "POST":
        try:
            services.objection_file(nomination_id=int(request.POST.get("nomination") or 0),
                                    text=request.POST.get("text", ""), contact=request.POST.get("contact", ""))
        except (JicengError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("提交失败")))
        else:
            messages.success(request, _("异议已收到，组织单位将核实后答复"))
        return redirect("public_honours", code)
    rows = []
    for sel in selectors.public_selections(unit):
        noms = (Nomination.objects.unscoped(AUTHORISED).filter(selection=sel, status__in=(
            ["approved"] if sel.status == SelectionStatus.PUBLICITY else ["awarded"])).order_by("id"))
        rows.append((sel, list(noms)))
    return render(request, "leadership/public_honours.html", {"unit": unit, "rows": rows, "now": timezone.now()})


def org_unit_panel(request, unit):
    """On a unit's page: its honours and commendations, and for a village or community its current team."""
    if unit is None or not permissions.can_view(request.user, unit.path):
        return None
    awards, thanks = selectors.honours_of_unit(unit)
    term = None
    if unit.kind in TEAM_UNIT_KINDS:
        term = selectors.terms_of(request.user, unit).first()
    if not awards and not thanks and term is None:
        return None
    return {"unit": unit, "awards": awards, "thanks": thanks, "term": term,
            "members": list(selectors.members_of(term).filter(left_on__isnull=True)) if term else []}

