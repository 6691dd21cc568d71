"""What the points pages share: paging, the refusal, the unit a page opens at."""
from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.core.errors import NotFoundError, PermissionDeniedError
from jiceng.orgs.models import OrgUnit, path_and_ancestors
from jiceng.web.pagination import CappedPaginator

from .. import selectors


PAGE_SIZE = 20


def paginate(request, qs, *, param: str = "page", per_page: int = PAGE_SIZE):
    return CappedPaginator(qs, per_page).get_page(request.GET.get(param))


def require(ok: bool):
    if not ok:
        raise PermissionDeniedError()


def home_unit(user):
    """The unit a page opens at: the user's own (first) unit, or their household's for a resident."""
    from jiceng.orgs.selectors import org_roots_for_user

    if getattr(user, "resident_id", None) and user.resident.household_id:
        return user.resident.household.org_unit
    roots = list(org_roots_for_user(user))
    return roots[0] if len(roots) == 1 else None


def community_of(unit):
    """The community or village a unit belongs to (its public notice page), else the unit itself."""
    from jiceng.orgs.models import OrgUnitKind

    found = (OrgUnit.objects.filter(path__in=path_and_ancestors(unit.path), kind__in=[OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE])
             .order_by("-path").first())
    return found or unit


def programme_or_404(user):
    programme = selectors.programme_for_user(user)
    if programme is None:
        raise NotFoundError(_("您所在的单元尚未实行积分制"))
    return programme
