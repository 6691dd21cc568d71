"""A scoped model's queryset, read while a request is served, needs a scope: a forgotten one fails loudly
(core/scope.py), never a silent full table."""
import pytest
from django.test import Client

from jiceng.core.scope import UnscopedQueryError, scope_required
from jiceng.people.models import Household, Resident
from tests.conftest import PASSWORD


@pytest.fixture
def two(district, make_household):
    return make_household(district.building_a1, head_name="王一"), make_household(district.grid_b1, head_name="李二")


def test_a_read_without_a_scope_while_serving_raises_naming_the_model_and_the_line(two):
    with scope_required():
        for read in (lambda: list(Household.objects.all()), lambda: Household.objects.count(),
                     lambda: Household.objects.exists(), lambda: Household.objects.filter(pk=two[0].pk).first(),
                     lambda: Household.objects.update(note="x"), lambda: list(Household.objects.iterator()),
                     lambda: Household.objects.aggregate(n=__import__("django.db.models").db.models.Count("id"))):
            with pytest.raises(UnscopedQueryError) as err:
                read()
            assert "people.Household" in str(err.value) and "test_scope_guard.py" in str(err.value)
    assert Household.objects.filter(note="x").count() == 0


def test_a_scope_a_subtree_a_parent_or_a_stated_reason_lets_the_read_run(two, district, make_user):
    inside, outside = two
    user = make_user("grid_worker", district.grid_a1)
    with scope_required():
        assert list(Household.objects.accessible_to(user)) == [inside]
        assert list(Household.objects.within(district.comm_b.path)) == [outside]
        assert [r.name for r in inside.members.all()] == ["王一"]
        assert Household.objects.unscoped("a test that counts every household").count() == 2
        assert Resident.objects.accessible_to(user).filter(household=inside).count() == 1


def test_a_reason_must_be_given_and_outside_a_request_the_system_reads_freely(two):
    with pytest.raises(ValueError):
        Household.objects.unscoped("  ")
    with pytest.raises(ValueError):
        Household.objects.within("")
    assert Household.objects.count() == 2  # the scheduler, the CLI, the demo: no request, no user


def test_every_request_is_served_under_the_guard(two, district, make_user, monkeypatch):
    """A view that forgets its scope answers 500 with the guard's error, not a page of everyone's rows."""
    from jiceng.people import selectors

    user = make_user("community_staff", district.comm_a)
    client = Client(raise_request_exception=True)
    client.login(username=user.username, password=PASSWORD)
    monkeypatch.setattr(selectors, "household_list", lambda **kw: Household.objects.all())
    with pytest.raises(UnscopedQueryError):
        client.get("/people/households/")
