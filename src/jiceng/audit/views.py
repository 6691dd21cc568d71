from django.contrib.auth.decorators import login_required
from jiceng.web.pagination import CappedPaginator
from django.shortcuts import render

from jiceng.core.scope import scope_safe

from .selectors import audit_entry_list


@scope_safe
@login_required
def entry_list(request):
    f = {k: request.GET.get(k, "").strip() for k in ("action", "actor", "object_type", "object_id")}
    qs = audit_entry_list(user=request.user, **f)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "f": f})
