"""The JSON API: bearer-token auth, one error format, routers from each app."""
from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from jiceng.accounts.services import api_token_create, api_token_user, login_attempt
from jiceng.core.errors import JicengError


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class ErrorOut(Schema):
    detail: str
    code: str = "invalid"
    field: str | None = None
    errors: dict[str, list[str]] = {}


api = NinjaAPI(
    title="jiceng API",
    version="1",
    description="基层治理平台接口：组织体系、住户、居民、党员。所有接口按调用者的角色范围过滤。",
    auth=BearerAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request, status: int, detail: str, *, code: str, field: str | None = None, errors=None):
    return api.create_response(request, {"detail": detail, "code": code, "field": field, "errors": errors or {}},
                               status=status)


@api.exception_handler(JicengError)
def on_domain_error(request, exc: JicengError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(x) for x in item.get("loc", []) if x not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or "body"
        msg = item.get("msg", "")
        kind = item.get("type", "")
        if kind == "missing":
            msg = _("缺少必填字段")
        elif kind == "json_invalid":
            msg = _("请求内容不是有效的 JSON")
        errors.setdefault(field, []).append(msg)
    field, messages = next(iter(errors.items())) if errors else ("body", [_("请求内容无效")])
    return _error(request, 422, f"{field}: {messages[0]}", code="invalid", field=field, errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, _("需要有效的访问令牌（Authorization: Bearer …）"), code="unauthorized")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, _("请求内容过大（上限 1 MB）"), code="too_large", field="body")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, str(exc), code="error")


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in: int


@api.post("/auth/token", auth=None, response={200: TokenOut, 400: ErrorOut, 422: ErrorOut},
          tags=["auth"], summary="用用户名和密码换取访问令牌")
def auth_token(request, payload: TokenIn):
    from jiceng.accounts.services import TOKEN_LIFETIME

    user = login_attempt(request=request, username=payload.username, password=payload.password)
    return {"token": api_token_create(user=user), "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds())}


def register_routers():
    from jiceng.orgs.api import router as orgs_router
    from jiceng.people.api import router as people_router

    api.add_router("/orgs", orgs_router)
    api.add_router("/", people_router)


register_routers()
