"""The import engine: every row is checked and everything is written in one transaction. One bad
row rejects the file (nothing is written) and the user gets every error at once.

Most kinds read the whole sheet, check it, then write. Residents (a street's roll is a million
rows) stream: a batch of rows is checked and written inside the transaction, and the first error
stops the writing while the checking goes on; the transaction is then rolled back.

``base`` holds what every importer shares; ``org_units``, ``households`` and ``residents`` one kind
each (the registry's other kinds are in ``imports.more_importers``); this module the kinds by name
and ``import_file``."""
from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.orgs.models import OrgUnit

from ..spec import SPECS
from .base import Cancelled, ImportResult, Importer, RowError
from .households import HouseholdImporter
from .org_units import OrgUnitImporter
from .residents import RELATIONSHIP_WORDS, ResidentImporter

__all__ = [
    "IMPORTERS", "RELATIONSHIP_WORDS", "Cancelled", "HouseholdImporter", "ImportResult", "Importer",
    "OrgUnitImporter", "ResidentImporter", "RowError", "import_file", "import_root_choices", "importable_kinds", "may_import_kind",
]

IMPORTERS = {"org_units": OrgUnitImporter, "households": HouseholdImporter, "residents": ResidentImporter}


def _register_more():
    from ..more_importers import CadreImporter, PartnerUnitImporter, PartyMemberImporter

    IMPORTERS.update(party_members=PartyMemberImporter, cadres=CadreImporter, partner_units=PartnerUnitImporter)


def importer_for(kind: str):
    """The ``Importer`` class of a kind: the engine's own, or one another module registers (``ImportKind.engine``)."""
    if kind in IMPORTERS:
        return IMPORTERS[kind]
    from jiceng.core.modules import registry, resolve

    registered = registry.import_kinds().get(kind)
    if registered is not None and registered.engine is not None:
        return resolve(registered.engine)
    return None


def may_import_kind(actor, kind: str, root: OrgUnit | None = None) -> bool:
    """Whether the actor may import a kind (under ``root`` when given): each kind's importer decides, so a
    module's kind follows that module's own purposes (a roster follows who manages teams)."""
    if len(IMPORTERS) < len(SPECS):
        _register_more()
    importer_class = importer_for(kind)
    if importer_class is None or not importer_class.may_import(actor):
        return False
    return root is None or importer_class.may_import_under(actor, root)


def importable_kinds(actor) -> dict:
    """The kinds (code → spec) the actor may import, in the order of the upload page."""
    from ..spec import kind_specs

    return {code: spec for code, spec in kind_specs().items() if may_import_kind(actor, code)}


def import_root_choices(actor):
    """The units the actor may name as a file's root: those in the scope of any kind they may import."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for purpose in sorted({importer_for(code).scope_purpose for code in importable_kinds(actor)}):
        q |= Q(pk__in=OrgUnit.objects.accessible_to(actor, purpose=purpose).values("pk"))
    return OrgUnit.objects.filter(q, is_active=True)


def import_file(*, actor, kind: str, filename: str, data: bytes, root: OrgUnit | None = None, dry_run: bool = False,
                simplify: bool = False, progress=None, should_cancel=None) -> ImportResult:
    """Import one file of ``kind``: all rows or none."""
    from ..readers import read_sheet

    if len(IMPORTERS) < len(SPECS):
        _register_more()
    importer_class = importer_for(kind)
    if importer_class is None:
        raise JicengError(_("未知的导入类型：%(k)s") % {"k": kind}, field="kind")
    if not importer_class.may_import(actor):
        raise PermissionDeniedError(_("您的角色不能导入数据"))
    if root is not None and not importer_class.may_import_under(actor, root):
        raise JicengError(_("“%(u)s”不在您的管辖范围内") % {"u": root.name}, field="org")
    sheet = read_sheet(filename, data)
    importer = importer_class(actor=actor, sheet=sheet, root=root, simplify=simplify, progress=progress,
                               should_cancel=should_cancel)
    importer.result.sha256 = hashlib.sha256(data).hexdigest()
    return importer.run(dry_run=dry_run)
