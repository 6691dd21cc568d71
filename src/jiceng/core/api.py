"""The JSON API: bearer-token auth, one error format, routers from each app."""
from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

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


class InputSchema(BaseModel):
    """A request body, which must be a JSON object (anything else gets 422).

    Not django-ninja's `Schema`: that one reads attributes from any object (it also serialises models), so it
    takes `[1, 2]` or `"x"` for a body with every field left out, and a PATCH would succeed doing nothing.
    """


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error responses of an operation behind the bearer token, for ``response={...}``.

    Every such operation can answer 401 (no or bad token) and 422 (a parameter or the body does not
    match the schema); ``codes`` adds the others it can give (400, 403, 404, 413).
    """
    return {code: ErrorOut for code in sorted({401, 422, *codes})}


# Input types.
# Primary keys are positive 64-bit integers. A number outside that range names no row, and must not reach the
# database: SQLite and PostgreSQL both fail on integers past 64 bits, and Django guards only some lookups.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An optional id in the query string (`?org_unit_id=12`, or left out). A query string cannot carry JSON null, so
# the schema says "integer" rather than "integer or null". Use it as `x: OptionalId = Query(None)`: with a plain
# `= None` default django-ninja adds the null back.
OptionalId = Annotated[int | None, Field(ge=1, le=MAX_ID),
                       WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID})]
# Any string from a request. PostgreSQL refuses NUL characters in text (SQLite stores them), so none may hold one.
# Where a value is stored as is, give its column's length (`name: Text = Field(max_length=100)`): a longer value
# then gets 422 on every database instead of a 500 on PostgreSQL ("value too long").
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


def _without_default(schema: dict) -> None:
    schema.pop("default", None)


def Omittable(**kwargs) -> Any:  # noqa: N802 (used like pydantic's Field)
    """A field of a PATCH body that may be left out, but when sent must hold a value of its type:
    `name: Text = Omittable()` refuses `"name": null` with 422 instead of writing NULL to a NOT NULL column.
    (Declare a field `T | None = None` only where null means something, such as "no head of household".)"""
    return Field(None, json_schema_extra=_without_default, **kwargs)


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


class TokenIn(InputSchema):
    username: Text = Field(max_length=150)
    password: Text


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in: int


@api.post("/auth/token", auth=None, response={200: TokenOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut},
          tags=["auth"], summary="用用户名和密码换取访问令牌")
def auth_token(request, payload: TokenIn):
    from jiceng.accounts.services import TOKEN_LIFETIME

    user = login_attempt(request=request, username=payload.username, password=payload.password)
    return {"token": api_token_create(user=user), "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds())}


def register_routers():
    from jiceng.monitoring.api import router as monitoring_router
    from jiceng.orgs.api import router as orgs_router
    from jiceng.people.api import router as people_router
    from jiceng.points.api import router as points_router
    from jiceng.reports.api import router as reports_router

    api.add_router("/orgs", orgs_router)
    api.add_router("/", people_router)
    api.add_router("/", points_router)
    api.add_router("/", reports_router)
    api.add_router("/", monitoring_router)


register_routers()
