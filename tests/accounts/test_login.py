from django.contrib.auth.hashers import identify_hasher

from jiceng.accounts.models import LoginFailure
from tests.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2(make_user, district):
    user = make_user("grid_worker", district.grid_a1)
    assert identify_hasher(user.password).algorithm == "argon2"


def test_login_is_throttled_after_repeated_failures(make_user, district, client, settings):
    user = make_user("grid_worker", district.grid_a1)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        r = client.post("/login/", {"username": user.username, "password": "wrong-password"})
        assert "用户名或密码不正确" in r.content.decode()
    r = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert "登录失败次数过多" in r.content.decode()
    assert "_auth_user_id" not in client.session
    r = client.post("/api/auth/token", {"username": user.username, "password": PASSWORD},
                    content_type="application/json")
    assert r.status_code == 429 and r.json()["code"] == "login_locked"


def test_successful_login_clears_failures(make_user, district, client):
    user = make_user("grid_worker", district.grid_a1)
    client.post("/login/", {"username": user.username, "password": "wrong-password"})
    assert LoginFailure.objects.count() == 1
    r = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302
    assert LoginFailure.objects.filter(username=user.username).count() == 0


def test_production_mode_refuses_the_demo_password(make_user, district, client, settings):
    user = make_user("grid_worker", district.grid_a1)
    user.set_password("jiceng-demo")
    user.save()
    settings.PRODUCTION = True
    r = client.post("/login/", {"username": user.username, "password": "jiceng-demo"})
    assert "演示密码" in r.content.decode()
    settings.PRODUCTION = False
    r = client.post("/login/", {"username": user.username, "password": "jiceng-demo"})
    assert r.status_code == 302


def test_api_rejects_missing_and_bad_tokens(client, db):
    r = client.get("/api/residents")
    assert r.status_code == 401 and "detail" in r.json()
    r = client.get("/api/residents", HTTP_AUTHORIZATION="Bearer nope")
    assert r.status_code == 401


def test_openapi_and_docs_are_served_without_cdn(client, db):
    spec = client.get("/api/openapi.json").json()
    assert "/api/auth/token" in spec["paths"] and "/api/residents" in spec["paths"]
    docs = client.get("/api/docs").content.decode()
    assert "cdn" not in docs.lower()
