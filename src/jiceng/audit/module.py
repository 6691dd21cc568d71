"""What the audit trail registers (module contract, rule 20)."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.modules import MenuEntry, Module, Panel, UrlMount


_AUDIT_LABELS = {
    "demo.built": _("生成演示数据"),
}

module = Module(
    label="audit",
    name=_("审计日志"),
    urls=[UrlMount("audit/", "jiceng.audit.urls", allowed="jiceng.accounts.permissions:enters_audit")],
    menu=[MenuEntry(_("审计日志"), "audit:list", "jiceng.accounts.permissions:can_view_audit", order=900)],
    panels=[Panel("home", "audit/_home_recent.html", "jiceng.audit.selectors:home_recent", order=20)],
    audit_labels=_AUDIT_LABELS,
)
