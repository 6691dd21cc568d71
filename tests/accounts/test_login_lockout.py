"""Sign-in lockout behind a reverse proxy: the client's address, per-account and per-address counts,
the API token endpoint's lock and rate limit, and the purge of old failure rows."""
import datetime as dt

from django.test import RequestFactory
from django.utils import timezone

from jiceng.accounts.models import LoginFailure
from jiceng.accounts.network import client_ip
from jiceng.accounts.services import login_failures_purge
from tests.conftest import PASSWORD

PROXY = "10.0.0.1"


def request_from(remote_addr, forwarded_for=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


def test_forwarded_for_is_believed_only_from_a_configured_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    # An untrusted peer's header is ignored, whatever it says.
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.1", "198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from("2001:db8::5", "198.51.100.7")) == "198.51.100.7"
    # Read from the right, through our own proxies; what a client wrote at the left is not believed.
    assert client_ip(request_from("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.1", "not-an-address")) == "10.0.0.1"
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"


def login(client, username, password, *, client_addr, via_proxy=True):
    extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_addr} if via_proxy else {"REMOTE_ADDR": client_addr}
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_one_persons_failures_behind_the_proxy_lock_neither_another_account_nor_the_district(
        make_user, district, client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = settings.LOGIN_FAILURE_LIMIT * 2
    mine = make_user("grid_worker", district.grid_a1)
    other = make_user("grid_worker", district.grid_a2)
    # One person mistypes their own password, then tries other names, until their own address is locked.
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, mine.username, "wrong-password", client_addr="198.51.100.7")
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - settings.LOGIN_FAILURE_LIMIT):
        login(client, f"guess{i}", "wrong-password", client_addr="198.51.100.7")
    r = login(client, f"guess-{mine.pk}", "wrong-password", client_addr="198.51.100.7")
    assert "您所在的网络地址登录失败次数过多" in r.content.decode()
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    # Someone else at the same proxy signs in to their own account.
    r = login(client, other.username, PASSWORD, client_addr="198.51.100.8")
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(other.pk)


def test_an_account_is_locked_after_n_failures_from_different_addresses(make_user, district, client, settings):
    user = make_user("grid_worker", district.grid_a1)
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        r = login(client, user.username, "wrong-password", client_addr=f"198.51.100.{i + 1}", via_proxy=False)
        assert "用户名或密码不正确" in r.content.decode()
    r = login(client, user.username, PASSWORD, client_addr="198.51.100.200", via_proxy=False)
    page = r.content.decode()
    minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
    assert f"该账号登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试" in page
    assert "_auth_user_id" not in client.session
    # The same answer for a user name that has no account: nothing to learn about which exist.
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "no-such-user", "wrong-password", client_addr=f"192.0.2.{i + 1}", via_proxy=False)
    r = login(client, "no-such-user", "whatever-password", client_addr="192.0.2.200", via_proxy=False)
    assert f"该账号登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试" in r.content.decode()


def token(client, username, password, *, client_addr):
    return client.post("/api/auth/token", {"username": username, "password": password},
                       content_type="application/json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_addr)


def test_api_token_is_locked_after_n_failures_with_retry_after(make_user, district, client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.API_TOKEN_RATE = "100/m"
    user = make_user("grid_worker", district.grid_a1)
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        r = token(client, user.username, "wrong-password", client_addr=f"198.51.100.{i + 1}")
        assert r.status_code == 400 and r.json()["code"] == "login_failed"
    r = token(client, user.username, PASSWORD, client_addr="198.51.100.100")
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == "login_locked" and "该账号登录失败次数过多" in body["detail"]
    assert 0 < int(r["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    # Another account through the same proxy gets its token.
    other = make_user("grid_worker", district.grid_a2)
    assert token(client, other.username, PASSWORD, client_addr="198.51.100.101").status_code == 200


def test_api_token_is_rate_limited_per_client_address(make_user, district, client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.API_TOKEN_RATE = "3/m"
    user = make_user("grid_worker", district.grid_a1)
    for _ in range(3):
        assert token(client, user.username, PASSWORD, client_addr="198.51.100.7").status_code == 200
    r = token(client, user.username, PASSWORD, client_addr="198.51.100.7")
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited" and "请求过于频繁" in r.json()["detail"]
    assert 0 < int(r["Retry-After"]) <= 60
    # Limited per client, not per proxy.
    assert token(client, user.username, PASSWORD, client_addr="198.51.100.8").status_code == 200


def test_untrusted_forwarded_for_does_not_escape_the_rate_limit(make_user, district, client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.API_TOKEN_RATE = "2/m"
    user = make_user("grid_worker", district.grid_a1)
    codes = [client.post("/api/auth/token", {"username": user.username, "password": PASSWORD},
                         content_type="application/json", REMOTE_ADDR="203.0.113.9",
                         HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_purge_deletes_only_rows_older_than_the_retention(db, settings):
    now = timezone.now()
    keep = LoginFailure.objects.create(username="a", ip_address="198.51.100.1")
    old = LoginFailure.objects.create(username="b", ip_address="198.51.100.2")
    edge = LoginFailure.objects.create(username="c", ip_address="198.51.100.3")
    retention = dt.timedelta(seconds=settings.LOGIN_FAILURE_RETENTION_SECONDS)
    LoginFailure.objects.filter(pk=old.pk).update(created_at=now - retention - dt.timedelta(minutes=1))
    LoginFailure.objects.filter(pk=edge.pk).update(created_at=now - retention + dt.timedelta(minutes=1))
    assert login_failures_purge(now=now) == 1
    assert set(LoginFailure.objects.values_list("pk", flat=True)) == {keep.pk, edge.pk}
    assert login_failures_purge(now=now) == 0


def test_the_purge_is_a_registered_scheduled_job():
    from jiceng.core.modules import registry

    jobs = {j.code: j for j in registry.jobs()}
    assert jobs["accounts.purge_login_failures"].run == "jiceng.accounts.services:login_failures_purge"
