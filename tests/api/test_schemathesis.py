"""Property-based API test: schemathesis generates requests from our own OpenAPI schema and runs every
check it offers against the WSGI app in-process (no server), as a street administrator with a token.

POST /api/auth/token is left out: failed logins are throttled, so fuzzing it would lock the account.
"""
from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from jiceng.wsgi import application
from tests.conftest import PASSWORD

CONFIG = schemathesis.Config.from_dict({
    # Deterministic: a fixed seed, derandomised Hypothesis, no example database carried between runs.
    "seed": 20240601,
    "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
    "checks": {
        # Every built-in check runs. Only this one is adjusted: a request can match the schema and still be
        # refused by a business rule the schema cannot express (an ID number's check digit, a phone number's
        # format, a duplicate registration). The domain layer answers those with 400 and a message naming the
        # field; 422 (the request does not match the schema) stays a failure for schema-valid data.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]},
    },
})

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG).exclude(
    method="POST", path="/api/auth/token")

# The current test's world: the street administrator's token and the ids of what it holds. Each operation
# is its own test, with a fresh database.
_world: dict = {}
# Coverage-phase cases are built when pytest collects the test, before any database exists: they carry this
# placeholder, which the test swaps for the real token just before the call.
PENDING = "pending-street-admin-token"


@schema.auth(refresh_interval=None, retry_on=[])
class StreetAdminToken:
    """`Authorization: Bearer …` on every generated call, except the ones schemathesis sends without it (or
    with a broken one) on purpose, to check that the API refuses them."""

    def get(self, case, context):
        return _world.get("token", PENDING)

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# Parameters and body fields that name an object, and the kind of object.
ID_FIELDS = {
    "unit_id": "units", "parent_id": "units", "org_unit_id": "units", "branch_id": "units", "source_ids": "units",
    "household_id": "households", "linked_household_ids": "households",
    "resident_id": "residents", "head_id": "residents", "member_id": "members",
}


def _to_world(value, ids: list[int]):
    """A positive id below 2**63 names the world's (id mod (N+1))-th row of its kind (N rows), unless that is
    the 0th; every other value (0, negatives, every (N+1)-th id, anything past 64 bits) is sent as generated."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63 and value % (len(ids) + 1):
        return ids[value % (len(ids) + 1) - 1]
    return value


def point_ids_at_world(case) -> None:
    """Generated ids seldom name a row. Map most of them onto the world's rows, so that requests get past the
    404 to the code behind it, whatever the database numbers its rows from (PostgreSQL's sequences are not
    rolled back between tests)."""
    for container in (case.path_parameters, case.query, case.body):
        if not isinstance(container, dict):
            continue
        for name, kind in ID_FIELDS.items():
            if name not in container:
                continue
            value, ids = container[name], _world[kind]
            container[name] = [_to_world(v, ids) for v in value] if isinstance(value, list) else _to_world(value, ids)


@pytest.fixture
def world(district, make_user, make_household, admin):
    """A small street: three households (two in community A, one in B), a party member serving two of them,
    and a street administrator with a token."""
    from jiceng.orgs.models import OrgUnit
    from jiceng.people.models import Household, PartyMember, Resident
    from jiceng.people.services import party_member_create

    first = make_household(district.building_a1, head_name="甲户主", phone="13811112222")
    second = make_household(district.grid_a2, head_name="邻居户主", head_gender="F", phone="13755556666",
                            head_birth=dt.date(1988, 11, 2))
    make_household(district.grid_b1, head_name="乙户主", phone="13933334444", head_birth=dt.date(1960, 1, 30))
    party_member_create(actor=admin, resident=first.head, branch=district.grid_a1, join_date=dt.date(2001, 7, 1),
                        linked_households=[first, second])
    user = make_user("street_admin", district.street)
    r = Client().post("/api/auth/token", {"username": user.username, "password": PASSWORD},
                      content_type="application/json")
    assert r.status_code == 200, r.content

    def ids(model):
        return list(model.objects.order_by("pk").values_list("pk", flat=True))

    _world.update(token=r.json()["token"], units=ids(OrgUnit), households=ids(Household),
                  residents=ids(Resident), members=ids(PartyMember))
    # Call the WSGI app as Django's test client does: without closing the database connection when a request
    # starts and ends, which would end the test's transaction (and, on PostgreSQL, the connection itself).
    # (The test client reconnects these signals after each request, so this comes after the login above.)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield _world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    _world.clear()


@schema.parametrize()
# The world is built once per operation; the examples share it (and it is rolled back after the operation).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case, world):
    if case.headers and case.headers.get("Authorization") == f"Bearer {PENDING}":
        case.headers["Authorization"] = f"Bearer {world['token']}"
    point_ids_at_world(case)
    case.call_and_validate()


def test_second_household_registered_in_a_community_gets_its_own_number(district, make_household, make_user):
    """Found by the test above: POST /api/households twice to a unit whose child unit already has a household."""
    make_household(district.grid_b1)  # number 530124001002-G01-0001
    user = make_user("street_admin", district.street)
    client = Client(raise_request_exception=False)
    token = client.post("/api/auth/token", {"username": user.username, "password": PASSWORD},
                        content_type="application/json").json()["token"]
    numbers = []
    for n in (1, 2):
        r = client.post("/api/households", {"org_unit_id": district.comm_b.pk, "address": f"乙社区{n}号"},
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert r.status_code == 201, r.content[:200]
        numbers.append(r.json()["number"])
    assert numbers == ["530124001002-0001", "530124001002-0002"]
