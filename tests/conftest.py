from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pytest
from stdnum.cn import ric

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from that thread are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the English catalogue once per run, as `make install` does."""
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compilepo", verbosity=0)
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(autouse=True)
def default_language():
    """Each test ends in the default language: a request that switched to English leaves it active in the
    thread, and the tests without a database run last (pytest-django), after any such request."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: rate-limit counters (POST /api/auth/token) do not carry over."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_id(area: str = "530124", birth: dt.date = dt.date(1980, 5, 1), gender: str = "M", seq: int = 12) -> str:
    """A valid 18-digit ID number for the birth date and gender."""
    s = seq * 2 + (1 if gender == "M" else 0)
    body = f"{area}{birth:%Y%m%d}{s % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def bad_check_digit(number: str) -> str:
    last = number[-1]
    wrong = "0" if last != "0" else "1"
    return number[:-1] + wrong


@dataclass
class District:
    street: object
    comm_a: object
    grid_a1: object
    building_a1: object
    grid_a2: object
    comm_b: object
    grid_b1: object


@pytest.fixture
def district(db):
    from jiceng.orgs.models import OrgUnit, OrgUnitKind, PartyOrgKind

    def add(parent, kind, name, code, party=""):
        n = (parent.next_child if parent else OrgUnit.objects.filter(parent__isnull=True).count() + 1)
        path = (parent.path if parent else "") + f"{n:05d}."
        if parent:
            OrgUnit.objects.filter(pk=parent.pk).update(next_child=n + 1)
            parent.next_child = n + 1
        return OrgUnit.objects.create(parent=parent, path=path, depth=(parent.depth + 1) if parent else 0, kind=kind,
                                      name=name, code=code, party_org_kind=party,
                                      party_org_name=f"{name}党组织" if party else "")

    street = add(None, OrgUnitKind.STREET, "测试街道", "530124001000", PartyOrgKind.WORKING_COMMITTEE)
    comm_a = add(street, OrgUnitKind.COMMUNITY, "甲社区", "530124001001", PartyOrgKind.COMMITTEE)
    grid_a1 = add(comm_a, OrgUnitKind.GRID, "甲一网格", "530124001001-G01", PartyOrgKind.BRANCH)
    building_a1 = add(grid_a1, OrgUnitKind.BUILDING, "1栋", "530124001001-G01-B01")
    grid_a2 = add(comm_a, OrgUnitKind.GRID, "甲二网格", "530124001001-G02", PartyOrgKind.BRANCH)
    comm_b = add(street, OrgUnitKind.COMMUNITY, "乙社区", "530124001002", PartyOrgKind.COMMITTEE)
    grid_b1 = add(comm_b, OrgUnitKind.GRID, "乙一网格", "530124001002-G01", PartyOrgKind.BRANCH)
    return District(street, comm_a, grid_a1, building_a1, grid_a2, comm_b, grid_b1)


@pytest.fixture
def admin(db):
    from jiceng.accounts.services import user_create

    return user_create(actor=None, username="root-admin", password=PASSWORD, is_superuser=True)


@pytest.fixture
def make_user(db):
    from jiceng.accounts.services import user_create

    counter = {"n": 0}

    def make(role: str, unit, *, resident=None, username: str | None = None):
        counter["n"] += 1
        return user_create(actor=None, username=username or f"{role}-{counter['n']}", password=PASSWORD,
                           roles=[(role, unit)], resident=resident)

    return make


@pytest.fixture
def api_login(db):
    """Log users in to the JSON API: ``api_login(user)`` is a test client that sends the bearer token
    the user got from ``POST /api/auth/token`` with every request."""
    from django.test import Client

    def login(user) -> Client:
        client = Client()
        r = client.post("/api/auth/token", {"username": user.username, "password": PASSWORD},
                        content_type="application/json")
        assert r.status_code == 200, r.content
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {r.json()['token']}"
        return client

    return login


@pytest.fixture
def make_household(db, admin):
    from jiceng.people.services import household_create, resident_create

    counter = {"n": 0}

    def make(unit, *, head_name="张三", head_gender="M", head_birth=dt.date(1975, 3, 9), phone="13812345678",
             address=None):
        counter["n"] += 1
        n = counter["n"]
        h = household_create(actor=admin, org_unit=unit, address=address or f"{unit.name}{n}号")
        resident_create(actor=admin, household=h, name=head_name, relationship="head",
                        id_number=make_id(birth=head_birth, gender=head_gender, seq=n), phone=phone)
        h.refresh_from_db()
        return h

    return make


@pytest.fixture
def vendor_is_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; this test runs in the PostgreSQL pass of `make test`")


def in_threads(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released together; each outcome is what ``work`` returned, or
    the refusal's code (or the exception's class name). Every thread closes its connection."""
    import threading

    from django.db import connections

    outcomes: list = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            outcome = work(i)
        except Exception as exc:  # noqa: BLE001 - the refusal's code is what the tests count
            outcome = getattr(exc, "code", type(exc).__name__)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
