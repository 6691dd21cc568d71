"""The API's sign-in: a bearer token for a user name and password, and the auth every other operation uses."""
from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field

from jiceng.core.api import ErrorOut, InputSchema, Text

from .services import TOKEN_LIFETIME, api_token_create, api_token_user, login_attempt


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["auth"])


class TokenIn(InputSchema):
    username: Text = Field(max_length=150)
    password: Text


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in: int


@router.post("/auth/token", auth=None, response={200: TokenOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut},
             summary="用用户名和密码换取访问令牌")
def auth_token(request, payload: TokenIn):
    user = login_attempt(request=request, username=payload.username, password=payload.password)
    return {"token": api_token_create(user=user), "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds())}
