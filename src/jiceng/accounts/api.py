"""The API's sign-in: a bearer token for a user name and password, and the auth every other operation uses."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from pydantic import Field

from jiceng.core.api import ErrorOut, InputSchema, Text

from .services import TOKEN_LIFETIME, api_token_create, api_token_user, client_ip, login_attempt


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["auth"])


class TokenRateThrottle(SimpleRateThrottle):
    """``API_TOKEN_RATE`` requests for a token per client address (``client_ip``: behind our proxy, the
    address it vouches for), counted in the cache; over it, 429 with ``Retry-After``."""

    scope = "auth_token"

    def __init__(self):
        super().__init__(rate=settings.API_TOKEN_RATE)

    def allow_request(self, request) -> bool:
        self.rate = settings.API_TOKEN_RATE      # read per request: the setting may change without a restart
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "-"}


class TokenIn(InputSchema):
    username: Text = Field(max_length=150)
    password: Text


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in: int


@router.post("/auth/token", auth=None,
             response={200: TokenOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             throttle=[TokenRateThrottle()], summary="用用户名和密码换取访问令牌")
def auth_token(request, payload: TokenIn):
    """Locked like the sign-in page (too many failures for the account or from the address: 429
    ``login_locked``), and limited to ``API_TOKEN_RATE`` requests per address (429 ``rate_limited``);
    both answers carry ``Retry-After``."""
    user = login_attempt(request=request, username=payload.username, password=payload.password)
    return {"token": api_token_create(user=user), "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds())}
