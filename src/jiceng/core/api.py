"""The JSON API's shared parts: one error format, input types, and the API object the composition root fills
with each module's router (jiceng/composition.py)."""
from __future__ import annotations

import math
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
import datetime as _dt

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, WithJsonSchema

from jiceng.core.errors import JicengError


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
# A date in the query string, written YYYY-MM-DD (pydantic's lax date would take 0 as 1970-01-01); read it with
# ``query_date``.
DateText = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]




def _date_as_text(value):
    """A body's date is written as text (YYYY-MM-DD); pydantic's lax date would take the number 0 as 1970-01-01."""
    if isinstance(value, (str, _dt.date)):
        return value
    raise ValueError("日期应写作 YYYY-MM-DD")


# A date in a request body, written YYYY-MM-DD (never a number).
Day = Annotated[_dt.date, BeforeValidator(_date_as_text)]


def query_date(value: str | None, field: str):
    """A ``DateText`` query parameter as a date; a day that does not exist (2026-02-30) is a clear error."""
    import datetime as dt

    from .errors import JicengError

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise JicengError(f"日期“{value}”不存在", field=field) from None


def _without_default(schema: dict) -> None:
    schema.pop("default", None)


def Omittable(**kwargs) -> Any:  # noqa: N802 (used like pydantic's Field)
    """A field of a PATCH body that may be left out, but when sent must hold a value of its type:
    `name: Text = Omittable()` refuses `"name": null` with 422 instead of writing NULL to a NOT NULL column.
    (Declare a field `T | None = None` only where null means something, such as "no head of household".)"""
    return Field(None, json_schema_extra=_without_default, **kwargs)


def api_create(*, auth) -> NinjaAPI:
    """The platform's API object with its one error format; the composition root adds each module's router."""
    api = NinjaAPI(
        title="jiceng API",
        version="1",
        description="基层治理平台接口：组织体系、住户、居民、党员与各业务模块。所有接口按调用者的角色范围过滤。",
        auth=auth,
        urls_namespace="api",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    for exc_class, handler in ((JicengError, on_domain_error), (NinjaValidationError, on_validation_error),
                               (AuthenticationError, on_auth_error), (RequestDataTooBig, on_too_big),
                               (Throttled, on_throttled), (HttpError, on_http_error)):
        api.add_exception_handler(exc_class, partial(handler, api))
    return api


def _error(api, request, status: int, detail: str, *, code: str, field: str | None = None, errors=None):
    return api.create_response(request, {"detail": detail, "code": code, "field": field, "errors": errors or {}},
                               status=status)


def on_domain_error(api, request, exc: JicengError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def on_throttled(api, request, exc: Throttled):
    """An operation's rate limit (``throttle=``); django-ninja adds ``Retry-After`` itself."""
    wait = max(1, math.ceil(exc.wait or 1))
    return _error(api, request, 429, _("请求过于频繁，请 %(s)d 秒后再试") % {"s": wait}, code="rate_limited")


def on_validation_error(api, request, exc: NinjaValidationError):
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
    return _error(api, request, 422, f"{field}: {messages[0]}", code="invalid", field=field, errors=errors)


def on_auth_error(api, request, exc):
    return _error(api, request, 401, _("需要有效的访问令牌（Authorization: Bearer …）"), code="unauthorized")


def on_too_big(api, request, exc):
    return _error(api, request, 413, _("请求内容过大（上限 1 MB）"), code="too_large", field="body")


def on_http_error(api, request, exc: HttpError):
    return _error(api, request, exc.status_code, str(exc), code="error")
