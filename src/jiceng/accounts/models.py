"""Users, their roles (each bound to an org unit), API tokens and login failures."""
from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STREET_ADMIN = "street_admin", _("街道管理员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    BRANCH_SECRETARY = "branch_secretary", _("党支部书记")
    DEPARTMENT_HANDLER = "department_handler", _("部门办理人")
    PARTNER_HANDLER = "partner_handler", _("共建单位联络人")
    AUDITOR = "auditor", _("审计员（只读）")
    RESIDENT = "resident", _("居民")


def role_choices() -> list[tuple[str, str]]:
    """Every registered role: the platform's (accounts/module.py) and those modules define (a shop clerk…)."""
    from jiceng.core.modules import registry

    return [(r.code, r.label) for r in registry.roles()]


def role_codes() -> frozenset[str]:
    return frozenset(code for code, _label in role_choices())


def role_label(code: str) -> str:
    return str(dict(role_choices()).get(code, code))


class User(AbstractUser):
    """An account (账号). Staff roles come from ``RoleAssignment``; a resident account is linked to
    the resident it belongs to."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    resident = models.OneToOneField("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="account")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """A role held by a user over one org unit and its subtree (角色授权)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=role_choices)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="role_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role", "org_unit"], name="role_assignment_unique")]
        verbose_name = _("角色授权")

    def __str__(self) -> str:
        return f"{self.user} · {role_label(self.role)} · {self.org_unit}"


class ApiToken(models.Model):
    """A bearer token for the API (接口令牌). Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginFailure(models.Model):
    """One failed login (登录失败), counted per username and per address for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.CharField(max_length=45, db_index=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
