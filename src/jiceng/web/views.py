"""Home page per role, and the large-print switch."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from jiceng.accounts import permissions
from jiceng.accounts.scope import roles_of
from jiceng.core.modules import panels_render, registry
from jiceng.core.scope import scope_safe


def _landing(user) -> str:
    """The page a user whose every role names the same landing page goes to (a shop clerk: the shops)."""
    homes = {r.code: r.home for r in registry.roles()}
    targets = {homes.get(role, "") for role in roles_of(user)}
    return targets.pop() if len(targets) == 1 else ""


@scope_safe
@login_required
def home(request):
    """The desk: each module's panels for the user (a resident sees their household and what they can do)."""
    user = request.user
    target = _landing(user)
    if target:
        return redirect(target)
    panels = panels_render("home", request)
    if permissions.is_resident_only(user):
        return render(request, "web/home_resident.html", {"panels": panels})
    return render(request, "web/home.html", {
        "panels": panels, "assignments": user.role_assignments.select_related("org_unit"),
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


@scope_safe
def notice_board(request, code):
    """A village's or community's notice board (公开栏), no login: what each module publishes for it."""
    from django.http import Http404
    from django.urls import reverse

    from jiceng.orgs.models import OrgUnit

    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404
    notices = [(n.label, reverse(n.url_name, args=[unit.code])) for n in registry.notices()]
    return render(request, "web/notice_board.html", {"unit": unit, "notices": notices})
