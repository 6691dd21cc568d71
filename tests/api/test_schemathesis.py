"""Property-based API test: schemathesis generates requests from our own OpenAPI schema and runs every
check it offers against the WSGI app in-process (no server), as a street administrator with a token.

POST /api/auth/token is left out: failed logins are throttled, so fuzzing it would lock the account.
"""
from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from jiceng.wsgi import application
from tests.conftest import PASSWORD

# Deterministic: a fixed seed, derandomised Hypothesis, no example database carried between runs.
CONFIG = schemathesis.Config.from_dict({
    "seed": 20240601,
    "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
})

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG).exclude(
    method="POST", path="/api/auth/token")


@pytest.fixture
def street_admin_token(district, make_user, make_household, admin):
    """A small world (households inside and outside a community, a party member) and a street admin's token."""
    from jiceng.people.services import party_member_create

    inside = make_household(district.building_a1, head_name="甲户主", phone="13811112222")
    other = make_household(district.grid_b1, head_name="乙户主", head_gender="F", phone="13933334444")
    party_member_create(actor=admin, resident=inside.head, branch=district.grid_a1, join_date=dt.date(2001, 7, 1),
                        linked_households=[inside, other])
    user = make_user("street_admin", district.street)
    r = Client().post("/api/auth/token", {"username": user.username, "password": PASSWORD},
                      content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["token"]


@schema.parametrize()
# The world is built once per operation; examples accumulate in it (and roll back after the operation).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case, street_admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {street_admin_token}"})
