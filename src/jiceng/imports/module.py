"""What the import engine registers: the registry's spreadsheet kinds and the nightly purge (rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import ImportKind, Job, MenuEntry, Module, UrlMount

from .spec import SPECS, spec_for



def _import_action_label(code: str):
    """``imports.<kind>.imported``: one file of that kind imported."""
    parts = code.split(".")
    if len(parts) == 3 and parts[0] == "imports" and parts[2] == "imported":
        spec = spec_for(parts[1])
        if spec is not None:
            return _("导入%(kind)s") % {"kind": spec.label}
    return None


module = Module(
    label="imports",
    name=_("导入台账"),
    urls=[UrlMount("imports/", "jiceng.imports.urls", allowed="jiceng.imports.permissions:may_enter")],
    menu=[MenuEntry(_("导入台账"), "imports:upload", "jiceng.accounts.permissions:can_use_registry", group="more")],
    import_kinds=[ImportKind(code, spec.label, "jiceng.imports.engine:import_file") for code, spec in SPECS.items()],
    jobs=[Job("imports.purge_uploads", {"minute": "40", "hour": "3"}, "jiceng.imports.services:import_jobs_purge_due",
              _("每晚删除不再需要的上传文件（含个人信息）"))],
    audit_label=_import_action_label,
)
