"""Accounts: creating users and roles, login throttling, API tokens."""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError

from .models import ApiToken, LoginFailure, Role, RoleAssignment, User, role_codes

TOKEN_LIFETIME = timedelta(days=30)


def user_create(*, actor, username: str, password: str, display_name: str = "", is_superuser: bool = False,
                roles: list[tuple[str, object]] = (), check_password: bool = True, resident=None) -> User:
    if not username:
        raise JicengError(_("请填写用户名"), field="username")
    if User.objects.filter(username=username).exists():
        raise JicengError(_("用户名“%(u)s”已存在") % {"u": username}, field="username")
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise JicengError(" ".join(exc.messages), field="password") from None
    for role, _unit in roles:
        if role not in role_codes():
            raise JicengError(_("未知角色：%(r)s") % {"r": role}, field="roles")
    with transaction.atomic():
        user = User(username=username, display_name=display_name, is_superuser=is_superuser,
                    is_staff=is_superuser, resident=resident)
        user.set_password(password)
        user.save()
        for role, unit in roles:
            RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
        audit_log(actor=actor, action="accounts.user.created", obj=user,
                  org_path=roles[0][1].path if roles else "",
                  after={"username": username, "is_superuser": is_superuser,
                         "roles": [[r, u.code] for r, u in roles]})
    return user


def login_is_locked(*, username: str, ip_address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    if recent.filter(username=username.lower()).count() >= limit:
        return True
    # An address gets more room (several people share an office network).
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 4


def login_attempt(*, request, username: str, password: str) -> User:
    """Authenticate, refusing while the username or address is locked; record failures."""
    ip = client_ip(request) if request is not None else ""
    username = (username or "").strip()
    if login_is_locked(username=username, ip_address=ip):
        raise JicengError(_("登录失败次数过多，请 %(m)d 分钟后再试") % {"m": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
                          field="username", code="login_locked")
    if settings.PRODUCTION and password == settings.DEMO_PASSWORD:
        LoginFailure.objects.create(username=username.lower(), ip_address=ip)
        raise JicengError(_("生产环境不允许使用演示密码登录，请修改密码"), field="password", code="demo_password")
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username.lower(), ip_address=ip)
        raise JicengError(_("用户名或密码不正确"), field="password", code="login_failed")
    LoginFailure.objects.filter(username=username.lower()).delete()
    return user


def client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def api_token_create(*, user: User) -> str:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), prefix=key[:8],
                            expires_at=timezone.now() + TOKEN_LIFETIME)
    return key


def api_token_user(key: str) -> User | None:
    if not key:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=ApiToken.hash_key(key), revoked=False, expires_at__gt=timezone.now()).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
