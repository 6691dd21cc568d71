"""Who enters the import pages: staff who read the registry, and whoever may import some kind (each kind's
importer decides: a township leader imports the rosters of the teams they manage)."""
from __future__ import annotations

from jiceng.accounts.permissions import enters_registry


def may_enter(request) -> bool:
    if enters_registry(request):
        return True
    from .engine import importable_kinds

    return bool(importable_kinds(request.user))
