"""The register of certificate requests (证明事项) per village and community: the requests and their answers,
the ones the negative list refused, a form to register one and the village's answer. Thin: parse, call one
service or selector, render."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit
from jiceng.people.idnumber import normalise
from jiceng.people.models import Resident
from jiceng.web.actions import run_action

from . import permissions, selectors, services
from .forms import CertificateRequestForm
from .models import CertificateAnswer
from .services.teams import TEAM_UNIT_KINDS
from .views import _form_post, _need_view

NOMINATE = "leadership_nominate"


def resident_by_id_number(user, unit, id_number: str):
    """The resident of ``unit`` with this ID number that the user may record for, or a field error."""
    if not (id_number or "").strip():
        return None
    found = (Resident.objects.accessible_to(user, purpose=NOMINATE)
             .filter(org_path__startswith=unit.path, id_number=normalise(id_number)).first())
    if found is None:
        raise JicengError(_("%(u)s的人口登记里没有这个身份证号") % {"u": unit.name}, field="resident_id_number")
    return found


@scope_safe
@login_required
def certificates(request):
    user = request.user
    _need_view(user)
    unit = None
    if request.GET.get("unit"):
        unit = OrgUnit.objects.accessible_to(user, purpose="leadership_view").filter(pk=request.GET["unit"]).first()
        if unit is None:
            raise NotFoundError()
    units = list(OrgUnit.objects.accessible_to(user, purpose=NOMINATE).filter(kind__in=TEAM_UNIT_KINDS)
                 .order_by("path")[:800])
    form = CertificateRequestForm(request.POST or None, units=units,
                                  initial={"requested_on": timezone.localdate(), "org_unit": unit.pk if unit else None})
    if request.method == "POST":
        if not units:
            raise PermissionDeniedError()

        def record(d):
            to = next((u for u in units if u.pk == d["org_unit"]), None)
            if to is None:
                raise JicengError(_("选择的村（社区）不在您的范围内"), field="org_unit")
            return services.certificate_request_record(
                actor=user, org_unit=to, requester=d["requester"], title=d["title"], reason=d["reason"],
                requested_on=d["requested_on"], resident=resident_by_id_number(user, to, d["resident_id_number"]))
        response = _form_post(request, form, record, then="leadership:certificates", done=_("证明事项已登记"))
        if response:
            return response
    rows = list(selectors.certificate_requests(user, unit=unit)[:500])
    for r in rows:
        r.resident_shown = selectors.resident_shown(user, r.resident)
        r.may_answer = r.answer == CertificateAnswer.PENDING and permissions.can_nominate(user, r.org_path)
    return render(request, "leadership/certificates.html", {
        "active": "certificates", "unit": unit, "rows": rows, "form": form if units else None,
        "refusals": selectors.certificate_refusals(user, unit=unit)[:200], "today": timezone.localdate(),
        "pending": sum(1 for r in rows if r.answer == CertificateAnswer.PENDING),
        "unit_choices": OrgUnit.objects.accessible_to(user, purpose="leadership_view").filter(
            kind__in=TEAM_UNIT_KINDS).order_by("path")[:800]})


@require_POST
@scope_safe
@login_required
def certificate_answer(request, pk):
    user = request.user
    req = selectors.certificate_request_get(user, pk)
    if req is None:
        raise NotFoundError()
    p = request.POST
    issued = p.get("answer") == CertificateAnswer.ISSUED
    handler = None
    if p.get("answer") in (CertificateAnswer.ISSUED, CertificateAnswer.REFUSED):
        def handler():
            services.certificate_request_answer(actor=user, request=req, issued=issued, note=p.get("note", ""),
                                                on=p.get("on") or None)
            return _("已出具") if issued else _("已答复不予出具")
    return run_action(request, handler, then="leadership:certificates")
