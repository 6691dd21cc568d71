
import pytest
from django.core.management import call_command
from django.db import connection

from jiceng.audit.models import AuditEntry
from jiceng.audit.services import audit_verify
from jiceng.people.services import household_move, resident_update


@pytest.fixture
def trail(district, admin, make_household):
    h = make_household(district.grid_a1)
    resident_update(actor=admin, resident=h.head, phone="13900000000")
    household_move(actor=admin, household=h, to_unit=district.grid_a2)
    return h


def test_a_write_produces_a_chained_row_with_before_and_after(trail, admin):
    entry = AuditEntry.objects.filter(action="people.resident.updated").get()
    assert entry.actor_name == admin.username
    assert entry.before == {"phone": "13812345678"}
    assert entry.after == {"phone": "13900000000"}
    previous = AuditEntry.objects.get(pk=entry.pk - 1)
    assert entry.prev_hash == previous.entry_hash
    move = AuditEntry.objects.get(action="people.household.moved")
    assert move.after["members_moved"] == 1
    assert audit_verify().ok


def _sql(statement, params=()):
    with connection.cursor() as cur:
        cur.execute(statement, params)


def test_editing_a_row_behind_the_applications_back_is_detected(trail):
    entry = AuditEntry.objects.get(action="people.resident.updated")
    _sql("UPDATE audit_auditentry SET after = %s WHERE id = %s", ('{"phone": "13000000000"}', entry.pk))
    result = audit_verify()
    assert not result.ok
    assert any(f"#{entry.pk}" in p and "篡改" in p for p in result.problems)


def test_deleting_a_row_in_the_middle_is_detected(trail):
    entry = AuditEntry.objects.get(action="people.resident.updated")
    _sql("DELETE FROM audit_auditentry WHERE id = %s", (entry.pk,))
    result = audit_verify()
    assert not result.ok
    assert any("缺失" in p for p in result.problems)


def test_deleting_the_last_row_is_detected(trail):
    last = AuditEntry.objects.order_by("-id").first()
    _sql("DELETE FROM audit_auditentry WHERE id = %s", (last.pk,))
    assert not audit_verify().ok


def test_rewriting_a_row_and_its_hash_is_detected_by_the_next_link(trail):
    entry = AuditEntry.objects.get(action="people.resident.updated")
    entry.actor_name = "someone-else"
    from jiceng.audit.services import compute_hash
    forged = compute_hash(entry, entry.prev_hash)
    _sql("UPDATE audit_auditentry SET actor_name = %s, entry_hash = %s WHERE id = %s",
         ("someone-else", forged, entry.pk))
    result = audit_verify()
    assert any(f"#{entry.pk + 1}" in p for p in result.problems)


def test_audit_verify_command_exit_status(trail, capsys):
    call_command("audit", "verify")
    assert "审计日志完整" in capsys.readouterr().out
    _sql("UPDATE audit_auditentry SET actor_name = 'x' WHERE id = 1")
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1


def test_auditor_browses_the_trail_with_personal_data_masked(trail, district, make_user, client):
    from tests.conftest import PASSWORD
    auditor = make_user("auditor", district.street)
    client.login(username=auditor.username, password=PASSWORD)
    page = client.get("/audit/?action=people.resident").content.decode()
    assert "people.resident.updated" in page
    assert "13900000000" not in page and "139****0000" in page
    grid_worker = make_user("grid_worker", district.grid_a1)
    client.login(username=grid_worker.username, password=PASSWORD)
    assert client.get("/audit/").status_code == 403
