"""Accounts: creating users and roles, login throttling, API tokens."""
from __future__ import annotations

import math
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
from jiceng.core.errors import JicengError, TooManyAttemptsError

from .models import ApiToken, LoginFailure, Role, RoleAssignment, User, role_codes
from .network import client_ip  # noqa: F401  (other modules take the client's address from here)

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


def _locked_for(failures, limit: int, now) -> int:
    """Seconds until ``failures`` (those in the window) fall below ``limit``; 0 if they already are."""
    if limit <= 0:
        return 0
    times = list(failures.order_by("-created_at").values_list("created_at", flat=True)[limit - 1:limit])
    if not times:
        return 0
    until = times[0] + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return max(0, math.ceil((until - now).total_seconds()))


def login_lock_status(*, username: str, ip_address: str, now=None) -> tuple[str, int]:
    """Whether sign-in is locked (登录锁定): ``("account", seconds)`` after ``LOGIN_FAILURE_LIMIT`` failures
    for the user name within the window, whatever addresses they came from; ``("address", seconds)``
    after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures from the client's address across user names;
    ``("", 0)`` when neither. The user name is counted as typed, whether or not such an account exists."""
    now = now or timezone.now()
    recent = LoginFailure.objects.filter(created_at__gte=now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS))
    seconds = _locked_for(recent.filter(username=username.lower()), settings.LOGIN_FAILURE_LIMIT, now)
    if seconds:
        return "account", seconds
    if ip_address:
        seconds = _locked_for(recent.filter(ip_address=ip_address), settings.LOGIN_ADDRESS_FAILURE_LIMIT, now)
        if seconds:
            return "address", seconds
    return "", 0


def login_is_locked(*, username: str, ip_address: str) -> bool:
    return bool(login_lock_status(username=username, ip_address=ip_address)[0])


def _record_failure(username: str, ip: str) -> None:
    LoginFailure.objects.create(username=username.lower(), ip_address=ip)
    # Purge on the fly: this user name's rows that no longer count (the job sweeps the rest).
    LoginFailure.objects.filter(
        username=username.lower(),
        created_at__lt=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_RETENTION_SECONDS)).delete()


def login_attempt(*, request, username: str, password: str) -> User:
    """Authenticate, refusing while the account or the client's address is locked; record failures.

    The address is the client's (``client_ip``: behind our reverse proxy, the address it vouches for).
    Every refusal reads the same whether or not the account exists."""
    ip = client_ip(request) if request is not None else ""
    username = (username or "").strip()
    kind, seconds = login_lock_status(username=username, ip_address=ip)
    if kind:
        minutes = max(1, math.ceil(seconds / 60))
        if kind == "account":
            message = _("该账号登录失败次数过多，已暂时锁定，请 %(m)d 分钟后再试") % {"m": minutes}
        else:
            message = _("您所在的网络地址登录失败次数过多，已暂时锁定，请 %(m)d 分钟后再试") % {"m": minutes}
        raise TooManyAttemptsError(message, field="username", code="login_locked", retry_after=seconds)
    if settings.PRODUCTION and password == settings.DEMO_PASSWORD:
        _record_failure(username, ip)
        raise JicengError(_("生产环境不允许使用演示密码登录，请修改密码"), field="password", code="demo_password")
    user = authenticate(request, username=username, password=password)
    if user is None:
        _record_failure(username, ip)
        raise JicengError(_("用户名或密码不正确"), field="password", code="login_failed")
    LoginFailure.objects.filter(username=username.lower()).delete()
    return user


def login_failures_purge(*, now=None) -> int:
    """Scheduler: delete failed-login rows older than ``LOGIN_FAILURE_RETENTION_SECONDS`` (never fewer
    than the counting window, so no lock is cut short); returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.LOGIN_FAILURE_RETENTION_SECONDS)
    deleted, _by_model = LoginFailure.objects.filter(created_at__lt=cutoff).delete()
    return deleted


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
