import pytest
from django.core.management import call_command
from stdnum.cn import ric

from jiceng.accounts.models import Role, User
from jiceng.core.demo import demo_build, demo_logins
from jiceng.orgs.models import OrgUnit, OrgUnitKind
from jiceng.people.idnumber import check_id_number
from jiceng.people.models import Household, PartyMember, Resident


def test_demo_builds_a_believable_street(db):
    run = demo_build(households=300, seed=7)
    kinds = set(OrgUnit.objects.values_list("kind", flat=True))
    assert {OrgUnitKind.STREET, OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE, OrgUnitKind.RELOCATION_SITE,
            OrgUnitKind.GRID, OrgUnitKind.BUILDING, OrgUnitKind.VILLAGER_GROUP, OrgUnitKind.UNIT_FLOOR} <= kinds
    assert Household.objects.count() == 300
    assert Household.objects.filter(head__isnull=True).count() == 0
    assert 700 <= Resident.objects.count() <= 1100
    # Every ID number passes the full check, the area code in use in the birth year included.
    for r in Resident.objects.all():
        result = check_id_number(r.id_number, birth_date=r.birth_date, gender=r.gender)
        assert result.ok and not result.warnings, (r.id_number, result.errors, result.warnings)
        ric.validate(r.id_number)
    assert PartyMember.objects.filter(partymemberhousehold__isnull=False).exists()
    # The only accounts anyone can log in to are the printed demo logins; the village workers who
    # sign the monitoring demo's steps have no usable password.
    assert {u for u, _, _, _ in demo_logins()} == {u.username for u in User.objects.all() if u.has_usable_password()}
    resident_user = User.objects.get(username="demo-resident")
    assert resident_user.resident is not None
    assert resident_user.role_assignments.get().role == Role.RESIDENT
    assert run.stats["people"]["households"] == 300
    assert {"people", "points", "reports", "monitoring"} <= set(run.stats)


@pytest.mark.django_db(transaction=True)
def test_demo_is_deterministic_for_a_seed():
    demo_build(households=60, seed=11)
    first = list(Resident.objects.order_by("id").values_list("name", "id_number", "birth_date"))
    call_command("flush", interactive=False, verbosity=0)
    demo_build(households=60, seed=11)
    assert list(Resident.objects.order_by("id").values_list("name", "id_number", "birth_date")) == first


def test_demo_logins_work_with_the_demo_password(db, client):
    demo_build(households=40, seed=3)
    for username, _role, _label, _where in demo_logins():
        assert client.login(username=username, password="jiceng-demo"), username
        home = client.get("/", follow=True)
        assert home.status_code == 200, username
        client.logout()


def test_demo_command_refuses_production_mode(db, settings):
    import pytest
    from django.core.management.base import CommandError
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError):
        call_command("demo", "--households", "10")
    assert not OrgUnit.objects.exists()
