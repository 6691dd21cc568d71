"""Readable names for audit action codes (审计操作名称): each module declares the codes it writes."""
from jiceng.core.modules import registry


def action_label(code: str) -> str:
    return registry.audit_label(code)
