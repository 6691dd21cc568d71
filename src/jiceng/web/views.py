"""Home page per role, and the large-print switch."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from jiceng.accounts import permissions
from jiceng.accounts.models import Role
from jiceng.audit.selectors import audit_entry_list
from jiceng.accounts.scope import roles_of
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.orgs.selectors import org_roots_for_user
from jiceng.people import selectors as people
from jiceng.people.models import SpecialGroup


@scope_safe
@login_required
def home(request):
    user = request.user
    roles = roles_of(user)
    if roles == {Role.SHOP_CLERK}:
        return redirect("points:shop_list")
    if roles == {Role.COUNTY_APPROVER}:
        return redirect("monitoring:worklist")
    if roles == {Role.RESIDENT}:
        household = None
        members = []
        if user.resident_id:
            household = people.household_get_for_user(user, user.resident.household_id) if user.resident.household_id else None
            members = list(household.members.all()) if household else []
        return render(request, "web/home_resident.html", {"household": household, "members": members})
    counts = people.people_counts(user=user)
    tag_rows = [(SpecialGroup(tag).label, tag, n) for tag, n in counts["tags"].items()]
    roots = list(org_roots_for_user(user))
    breakdown = people.unit_breakdown(user=user, unit=roots[0]) if len(roots) == 1 else []
    recent_audit = []
    if permissions.can_view_audit(user):
        recent_audit = list(audit_entry_list(user=user)[:8])
    return render(request, "web/home.html", {
        "counts": counts, "tag_rows": tag_rows, "roots": roots, "breakdown": breakdown,
        "unit_count": OrgUnit.objects.accessible_to(user).count(),
        "top_unit": roots[0] if len(roots) == 1 else None, "recent_audit": recent_audit,
        "can_change": permissions.can_change_people(user),
        "partners": people.partner_unit_list(user=user)[:6] if roles & {Role.PARTNER_HANDLER, Role.DEPARTMENT_HANDLER} else [],
        "assignments": user.role_assignments.select_related("org_unit"),
    })


@scope_safe
def health(request):
    """Liveness for load balancers and benchmarks: no session, no database."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


@scope_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the site's icon. The
    static URL is resolved per request (in production it is the hashed name from the manifest)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


@scope_safe
def toggle_large_print(request):
    nxt = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = redirect(nxt)
    on = request.COOKIES.get("large_print") == "1"
    response.set_cookie("large_print", "0" if on else "1", max_age=365 * 24 * 3600, samesite="Lax")
    return response
