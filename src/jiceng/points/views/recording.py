"""A household's points, recording (one household or an event), review, the evidence photo, reversal."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.audit.models import AuditEntry
from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Household, HouseholdStatus
from jiceng.web.actions import run_action
from jiceng.web.forms import apply_error

from .. import permissions, selectors, services
from ..forms import BatchReviewForm, EventForm, EvidenceForm, ObjectionResolveForm, RecordForm, ReviewForm
from ..models import CardStatus, DeclarationStatus, PointsCard
from .common import paginate, require


EVENT_MAX = 300
HISTORY_PAGE = 10  # records and ledger entries per page on a household's page (a phone screen or two)  # households listed for ticking at one unit; a bigger unit is narrowed to a grid first


# ----------------------------------------------------------------------------- household, recording

@scope_safe
@login_required
def household_points(request, pk):
    user = request.user
    household = selectors.household_get_for_points(user, pk)
    summary = selectors.household_summary(household)
    return render(request, "points/household.html", {
        "household": household, "s": summary,
        "entries": paginate(request, selectors.ledger_for_household(household, limit=None), param="epage",
                            per_page=HISTORY_PAGE),
        "declarations": paginate(request, selectors.declaration_list(user=user, household_id=household.pk),
                                 param="dpage", per_page=HISTORY_PAGE),
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
    households = list(Household.objects.within(unit.path).filter(status=HouseholdStatus.ACTIVE)
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
    """The review queue; ticking several records approves or rejects them at once with one note."""
    user = request.user
    require(permissions.can_review_any(user))
    form = BatchReviewForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = services.declarations_review_batch(actor=user, declaration_ids=d["ids"],
                                                            decision=d["decision"], note=d["note"])
            except JicengError as exc:
                for text in dict.fromkeys(str(m) for msgs in exc.errors.values() for m in msgs):
                    messages.error(request, text)
            else:
                if result["done"]:
                    done = (_("已批量通过 %(n)s 条，开始公示") if d["decision"] == "approve"
                            else _("已批量驳回 %(n)s 条")) % {"n": len(result["done"])}
                    messages.success(request, done)
                for _pk, _decl, reason in result["refused"]:
                    messages.error(request, reason)
                return redirect("points:review_list")
        else:
            for text in dict.fromkeys(str(m) for msgs in form.errors.values() for m in msgs):
                messages.error(request, text)
    return render(request, "points/review_list.html", {"page": paginate(request, selectors.review_queue(user=user)),
                                                       "form": form})


@scope_safe
@login_required
def declaration_detail(request, pk):
    user = request.user
    decl = selectors.declaration_get_for_user(user, pk)
    can_review = decl.status == DeclarationStatus.SUBMITTED and permissions.can_review_points(user, decl.org_path)
    action = request.POST.get("action", "review")
    if request.method == "POST" and action in ("resolve", "evidence"):
        return _declaration_fix(request, decl, action)
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
    can_add_evidence = decl.status == DeclarationStatus.SUBMITTED and (
        can_review or permissions.can_record_points(user, decl.org_path))
    return render(request, "points/declaration.html", {
        "d": decl, "form": form, "timeline": list(timeline)[:30], "objections": decl.objections.order_by("created_at"),
        "blockers": [m for msgs in services.approval_blockers(decl).errors.values() for m in msgs] if can_review else [],
        "open_objections": can_review and decl.objections.filter(resolved_at__isnull=True).exists(),
        "resolve_form": ObjectionResolveForm(), "evidence_form": EvidenceForm() if can_add_evidence else None,
    })


def _declaration_fix(request, decl, action):
    """Resolve the open objections, or add the missing evidence photo, before approval."""
    user = request.user
    if action == "resolve":
        form = ObjectionResolveForm(request.POST)
        handler = (lambda: (services.objection_resolve(actor=user, declaration=decl, note=form.cleaned_data["note"]),
                            _("异议已处理，可以继续审核"))[1])
    else:
        form = EvidenceForm(request.POST, request.FILES)
        handler = (lambda: (services.declaration_add_evidence(actor=user, declaration=decl,
                                                              photo=form.cleaned_data["photo"]),
                            _("已补充佐证照片"))[1])
    if not form.is_valid():
        for text in dict.fromkeys(str(m) for msgs in form.errors.values() for m in msgs):
            messages.error(request, text)
        return redirect("points:declaration", decl.pk)
    return run_action(request, handler, then=("points:declaration", decl.pk))


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

    def reverse_entry():
        services.ledger_reverse(actor=user, entry=entry, reason=request.POST.get("reason", ""))
        return _("已冲正流水 #%(seq)s") % {"seq": seq}

    return run_action(request, reverse_entry, then=("points:household", household.pk))


@scope_safe
@login_required
def declaration_photo(request, pk):
    """An evidence photo, served only to those who may see the declaration (no public media URL)."""
    from django.http import FileResponse

    decl = selectors.declaration_get_for_user(request.user, pk)
    if not decl.photo:
        raise NotFoundError()
    return FileResponse(decl.photo.open("rb"), content_type="image/png" if decl.photo.name.endswith(".png") else "image/jpeg")
