"""The register of certificate requests sent to villages and communities: a certificate on the negative list is
refused naming the list item, nothing written but the refusal record, unless an approval covers it; the village
answers each request; the page, the API and the figures."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.leadership import services
from jiceng.leadership.models import CertificateRequest, PushDownRefusal
from tests.conftest import PASSWORD


@pytest.fixture
def negative(site):
    draft = services.duty_list_draft(actor=site.leader, org_unit=site.district.street, kind="negative")
    services.duty_item_save(actor=site.leader, duty_list=draft, code="N-03", name="不得要求村（社区）出具无法核实的证明",
                            basis="证明事项清理", keywords="无犯罪记录证明、亲属关系证明")
    return services.duty_list_approve(actor=site.leader2, duty_list=draft)


def _record(site, actor=None, **kw):
    values = {"org_unit": site.district.comm_a, "requester": "县人力资源和社会保障局", "title": "居住证明",
              "reason": "办理灵活就业人员社保登记", "requested_on": timezone.localdate()}
    values.update(kw)
    return services.certificate_request_record(actor=actor or site.staff_a, **values)


def test_a_negative_list_certificate_is_refused_naming_the_item_and_only_the_refusal_is_written(site, negative):
    from jiceng.audit.models import AuditEntry

    audits = AuditEntry.objects.count()
    with pytest.raises(JicengError) as e:
        _record(site, title="无犯罪记录证明", requester="县公安局某派出所", resident=site.people["王强"])
    assert e.value.code == "negative_list" and e.value.field == "title"
    assert "N-03" in e.value.message and "不得要求村（社区）出具无法核实的证明" in e.value.message
    assert "甲社区" in e.value.message or site.district.comm_a.name in e.value.message
    assert not CertificateRequest.objects.unscoped("test").exists()
    assert AuditEntry.objects.count() == audits
    refusal = PushDownRefusal.objects.unscoped("test").get()
    assert (refusal.item.code, refusal.source_type, refusal.keyword, refusal.org_unit_id, refusal.actor_id) == (
        "N-03", "certificate", "无犯罪记录证明", site.district.comm_a.pk, site.staff_a.pk)
    assert refusal.subject == "无犯罪记录证明（县公安局某派出所）"


def test_an_approved_negative_list_certificate_goes_through(site, negative):
    item = negative.items.get(code="N-03")
    ap = services.push_down_approve(actor=site.leader, item=item, org_unit=site.district.comm_a,
                                    subject="亲属关系证明（公证处核实继承人）", reason="公证处无法自行核实，限本案",
                                    valid_until=timezone.localdate() + dt.timedelta(days=10))
    r = _record(site, title="亲属关系证明", requester="县公证处", reason="继承公证")
    assert (r.approval_id, r.answer, r.org_path) == (ap.pk, "pending", site.district.comm_a.path)
    assert not PushDownRefusal.objects.unscoped("test").exists()
    # The approval covers comm_a only: the same certificate to comm_b is refused.
    with pytest.raises(JicengError) as e:
        _record(site, actor=site.staff_b, org_unit=site.district.comm_b, title="亲属关系证明", requester="县公证处")
    assert e.value.code == "negative_list"
    assert CertificateRequest.objects.unscoped("test").count() == 1


def test_bad_input_names_the_field_and_writes_nothing(site, negative):
    with pytest.raises(JicengError) as e:
        _record(site, requester=" ", title="", reason="", requested_on=timezone.localdate() + dt.timedelta(days=1),
                resident=site.people["外人"])
    assert set(e.value.errors) == {"requester", "title", "reason", "requested_on", "resident"}
    with pytest.raises(JicengError) as e:
        _record(site, actor=site.leader, org_unit=site.district.street)
    assert set(e.value.errors) == {"org_unit"}
    with pytest.raises(PermissionDeniedError):
        _record(site, actor=site.staff_b)
    assert not CertificateRequest.objects.unscoped("test").exists()
    assert not PushDownRefusal.objects.unscoped("test").exists()


def test_the_village_answers_once_and_a_refusal_needs_a_reason(site, negative):
    a, b = _record(site), _record(site, title="经营场所证明", requester="县市场监管局")
    with pytest.raises(JicengError) as e:
        services.certificate_request_answer(actor=site.staff_a, request=b, issued=False)
    assert e.value.field == "note"
    with pytest.raises(JicengError) as e:
        services.certificate_request_answer(actor=site.staff_a, request=a, issued=True,
                                            on=a.requested_on - dt.timedelta(days=1))
    assert e.value.field == "on"
    services.certificate_request_answer(actor=site.staff_a, request=a, issued=True)
    services.certificate_request_answer(actor=site.staff_a, request=b, issued=False, note="村委会无法核实经营场所权属")
    with pytest.raises(JicengError) as e:
        services.certificate_request_answer(actor=site.staff_a, request=a, issued=False, note="改判")
    assert e.value.code == "answered"
    with pytest.raises(PermissionDeniedError):
        services.certificate_request_answer(actor=site.staff_b, request=b, issued=True)
    rows = dict(CertificateRequest.objects.unscoped("test").values_list("title", "answer"))
    assert rows == {"居住证明": "issued", "经营场所证明": "refused"}


def test_the_figures_count_requests_and_refusals_and_open_them(site, negative):
    from jiceng.core.modules import Period, registry, resolve

    _record(site)
    _record(site, actor=site.staff_b, org_unit=site.district.comm_b, title="困难证明", requester="县教育局")
    with pytest.raises(JicengError):
        _record(site, title="亲属关系证明", requester="县公证处")
    period = Period.year(timezone.localdate().year)
    figures = registry.figures()
    req, ref = figures["leadership.certificate_requests"], figures["leadership.certificate_refusals"]
    street, comm_a = site.district.street, site.district.comm_a
    assert resolve(req.value)(street, period) == 2 and resolve(req.value)(comm_a, period) == 1
    assert resolve(ref.value)(street, period) == 1
    assert [r.title for r in resolve(req.records)(comm_a, period)] == ["居住证明"]
    assert [r.item.code for r in resolve(ref.records)(street, period)] == ["N-03"]
    assert resolve(req.values)([street, comm_a], period) == {street.pk: 2, comm_a.pk: 1}


def test_the_page_lists_requests_per_unit_masks_residents_and_refuses_on_the_form(site, negative, client):
    _record(site, resident=site.people["王强"])
    assert client.login(username=site.leader.username, password=PASSWORD)
    page = client.get("/leadership/certificates/").content.decode()
    assert "居住证明" in page and "县人力资源和社会保障局" in page
    r = client.post("/leadership/certificates/", {
        "org_unit": site.district.comm_a.pk, "requester": "县公安局", "title": "无犯罪记录证明", "reason": "政审",
        "requested_on": timezone.localdate().isoformat(), "resident_id_number": site.people["赵敏"].id_number})
    assert r.status_code == 200
    assert "N-03" in r.content.decode() and CertificateRequest.objects.unscoped("test").count() == 1
    r = client.post("/leadership/certificates/", {
        "org_unit": site.district.comm_a.pk, "requester": "县医保局", "title": "居住证明", "reason": "异地就医备案",
        "requested_on": timezone.localdate().isoformat(), "resident_id_number": site.people["外人"].id_number})
    assert r.status_code == 200 and "没有这个身份证号" in r.content.decode()
    r = client.post("/leadership/certificates/", {
        "org_unit": site.district.comm_a.pk, "requester": "县医保局", "title": "居住证明", "reason": "异地就医备案",
        "requested_on": timezone.localdate().isoformat(), "resident_id_number": site.people["赵敏"].id_number})
    assert r.status_code == 302
    made = CertificateRequest.objects.unscoped("test").get(requester="县医保局")
    assert made.resident_id == site.people["赵敏"].pk
    r = client.post(f"/leadership/certificates/{made.pk}/answer/", {"answer": "refused", "note": "非本村常住"})
    made.refresh_from_db()
    assert (made.answer, made.answer_note) == ("refused", "非本村常住")
    # Someone who may not see personal data here sees the resident's name masked.
    from jiceng.accounts.models import Role

    client.logout()
    from jiceng.accounts.services import user_create

    viewer = user_create(actor=None, username="auditor-cert", password=PASSWORD,
                         roles=[(Role.AUDITOR, site.district.street)])
    assert client.login(username=viewer.username, password=PASSWORD)
    page = client.get(f"/leadership/certificates/?unit={site.district.comm_a.pk}").content.decode()
    assert "王*" in page and "王强" not in page
    assert client.post("/leadership/certificates/", {"org_unit": site.district.comm_a.pk}).status_code == 403
    assert client.get("/leadership/certificates/?unit=999999").status_code == 404


def test_the_api_records_refuses_lists_and_answers(site, negative, api_login):
    api = api_login(site.staff_a)
    body = {"org_unit_id": site.district.comm_a.pk, "requester": "县人社局", "title": "居住证明", "reason": "社保登记",
            "requested_on": timezone.localdate().isoformat(), "resident_id": site.people["王强"].pk}
    r = api.post("/api/leadership/certificate-requests", body, content_type="application/json")
    assert r.status_code == 200, r.content
    made = r.json()
    assert (made["title"], made["answer"], made["resident_id"]) == ("居住证明", "pending", site.people["王强"].pk)
    r = api.post("/api/leadership/certificate-requests", {**body, "title": "无犯罪记录证明"},
                 content_type="application/json")
    assert r.status_code == 400 and "N-03" in r.content.decode()
    assert CertificateRequest.objects.unscoped("test").count() == 1
    assert PushDownRefusal.objects.unscoped("test").get().source_type == "certificate"
    listed = api.get(f"/api/leadership/certificate-requests?org_unit_id={site.district.comm_a.pk}").json()
    assert [x["id"] for x in listed] == [made["id"]]
    r = api.post(f"/api/leadership/certificate-requests/{made['id']}/answer", {"issued": False},
                 content_type="application/json")
    assert r.status_code == 400
    r = api.post(f"/api/leadership/certificate-requests/{made['id']}/answer", {"issued": True},
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["answer"] == "issued"
    other = api_login(site.staff_b)
    assert other.get("/api/leadership/certificate-requests").json() == []
    assert other.post(f"/api/leadership/certificate-requests/{made['id']}/answer", {"issued": True},
                      content_type="application/json").status_code == 404


def test_the_certificate_request_operations_have_their_own_schemas_in_the_openapi(client):
    """Two request bodies of the same name (a training certificate's and a certificate request's) would leave one
    operation documented with the other's fields."""
    doc = client.get("/api/openapi.json").json()

    def body_fields(path):
        ref = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return set(doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])

    assert body_fields("/api/leadership/certificate-requests") == {
        "org_unit_id", "requester", "title", "reason", "requested_on", "resident_id"}
    assert body_fields("/api/leadership/certificate-requests/{request_id}/answer") == {"issued", "note", "on"}
