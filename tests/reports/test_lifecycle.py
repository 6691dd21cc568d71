"""The report lifecycle: intake, acceptance and routing, handling, rating, reopening, rewards, deadlines."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.people.models import Resident
from jiceng.reports import services
from jiceng.notices.models import Notification
from jiceng.reports.models import Channel, Report, ReportEvent, ReportStatus


@pytest.fixture
def actors(district, make_user, make_household):
    hh = make_household(district.building_a1)
    return {
        "hh": hh,
        "resident": make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh)),
        "desk": make_user(Role.COMMUNITY_STAFF, district.comm_a),
        "worker": make_user(Role.GRID_WORKER, district.grid_a1),
        "other_worker": make_user(Role.GRID_WORKER, district.grid_b1),
    }


def submit(actors, report_site, district, **kw):
    data = dict(actor=actors["resident"], channel=Channel.RESIDENT, category_id=report_site.fire.pk,
                description="3号楼消防通道被电动车堵塞", org_unit=district.building_a1)
    data.update(kw)
    return services.report_submit(**data)


def test_resident_report_is_accepted_routed_to_the_grid_and_resolved(actors, report_site, district):
    r = submit(actors, report_site, district)
    assert r.status == ReportStatus.SUBMITTED and r.suggested_category_id == report_site.fire.pk
    assert r.reporter_household_id == actors["hh"].pk
    r = services.report_accept(actor=actors["desk"], report=r)
    assert r.status == ReportStatus.ASSIGNED and r.handler_unit_id == district.grid_a1.pk
    assert r.deadline == r.accepted_at + dt.timedelta(hours=24)
    assert Notification.objects.filter(user=actors["worker"], subject="reports.report", subject_id=r.pk).exists()
    with pytest.raises(PermissionDeniedError):
        services.report_start(actor=actors["other_worker"], report=r)
    services.report_start(actor=actors["worker"], report=r)
    r = services.report_resolve(actor=actors["worker"], report=r, result="已联系车主移走电动车")
    assert r.status == ReportStatus.RESOLVED
    r = services.report_rate(actor=actors["resident"], report=r, rating="satisfied")
    assert r.status == ReportStatus.CLOSED
    steps = list(ReportEvent.objects.filter(report=r).values_list("action", flat=True))
    assert steps == ["submitted", "accepted", "assigned", "started", "resolved", "rated"]


@pytest.mark.parametrize("step", ["start", "resolve", "rate"])
def test_illegal_transitions_are_refused_and_change_nothing(actors, report_site, district, step):
    r = submit(actors, report_site, district)
    with pytest.raises((JicengError, PermissionDeniedError)):
        if step == "start":
            services.report_start(actor=actors["worker"], report=r)
        elif step == "resolve":
            services.report_resolve(actor=actors["worker"], report=r, result="x")
        else:
            services.report_rate(actor=actors["resident"], report=r, rating="satisfied")
    r.refresh_from_db()
    assert r.status == ReportStatus.SUBMITTED
    assert ReportEvent.objects.filter(report=r).count() == 1


def test_accepting_an_assigned_report_again_is_refused_and_does_not_reroute_it(actors, report_site, district):
    r = services.report_accept(actor=actors["desk"], report=submit(actors, report_site, district))
    accepted_at, deadline = r.accepted_at, r.deadline
    with pytest.raises(JicengError) as exc:
        services.report_accept(actor=actors["desk"], report=r, now=timezone.now() + dt.timedelta(hours=5))
    assert exc.value.code == "bad_transition"
    r.refresh_from_db()
    assert (r.status, r.accepted_at, r.deadline) == (ReportStatus.ASSIGNED, accepted_at, deadline)
    assert ReportEvent.objects.filter(report=r, action="accepted").count() == 1


def test_closed_report_refuses_everything(actors, report_site, district):
    r = submit(actors, report_site, district)
    services.report_reject(actor=actors["desk"], report=r, reason="不属于本辖区")
    for call in (lambda: services.report_accept(actor=actors["desk"], report=r),
                 lambda: services.report_reject(actor=actors["desk"], report=r, reason="x")):
        with pytest.raises(JicengError) as exc:
            call()
        assert exc.value.code == "bad_transition"


def test_unsatisfied_reopens_once_to_the_supervisor_then_closes(actors, report_site, district):
    r = services.report_accept(actor=actors["desk"], report=submit(actors, report_site, district))
    r = services.report_resolve(actor=actors["worker"], report=r, result="已处理")
    r = services.report_rate(actor=actors["resident"], report=r, rating="unsatisfied", note="车还在")
    assert r.status == ReportStatus.ASSIGNED and r.reopened and r.handler_unit_id == district.comm_a.pk
    r = services.report_resolve(actor=actors["desk"], report=r, result="社区协调物业清理")
    r = services.report_rate(actor=actors["resident"], report=r, rating="unsatisfied")
    assert r.status == ReportStatus.CLOSED and r.rating == "unsatisfied"
    with pytest.raises(JicengError):
        services.report_rate(actor=actors["resident"], report=r, rating="satisfied")   # a second rating


def test_only_the_reporter_rates(actors, report_site, district):
    r = services.report_accept(actor=actors["desk"], report=submit(actors, report_site, district))
    r = services.report_resolve(actor=actors["worker"], report=r, result="已处理")
    with pytest.raises(PermissionDeniedError):
        services.report_rate(actor=actors["worker"], report=r, rating="satisfied")


def test_reward_is_granted_exactly_once_and_never_for_a_rejected_report(actors, report_site, district, admin):
    from jiceng.points.models import PointsAccount
    from jiceng.points.services import programme_create

    programme_create(actor=admin, org_unit=district.street, name="积分制")
    r = services.report_accept(actor=actors["desk"], report=submit(actors, report_site, district))
    r = services.report_resolve(actor=actors["worker"], report=r, result="已处理")
    assert PointsAccount.objects.get(household=actors["hh"]).balance == 10
    r = services.report_rate(actor=actors["resident"], report=r, rating="unsatisfied")
    services.report_resolve(actor=actors["desk"], report=r, result="再次处理")
    assert PointsAccount.objects.get(household=actors["hh"]).balance == 10    # not twice
    rejected = submit(actors, report_site, district, description="重复反映")
    services.report_reject(actor=actors["desk"], report=rejected, reason="无效线索")
    assert PointsAccount.objects.get(household=actors["hh"]).balance == 10


def test_escalation_runs_once_per_overdue_report(actors, report_site, district):
    r = services.report_accept(actor=actors["desk"], report=submit(actors, report_site, district))
    later = timezone.now() + dt.timedelta(hours=23, minutes=30)
    assert services.deadlines_check(now=later) == {"reminded": 1, "escalated": 0}
    assert services.deadlines_check(now=later) == {"reminded": 0, "escalated": 0}
    overdue = timezone.now() + dt.timedelta(hours=25)
    assert services.deadlines_check(now=overdue)["escalated"] == 1
    assert services.deadlines_check(now=overdue)["escalated"] == 0
    r.refresh_from_db()
    assert r.escalation_level == 1 and r.overdue_at is not None
    assert ReportEvent.objects.filter(report=r, action="overdue").count() == 1


def test_duplicate_is_shown_and_merged_and_both_reporters_hear_back(actors, report_site, district):
    first = services.report_accept(actor=actors["desk"], report=submit(actors, report_site, district))
    second = submit(actors, report_site, district, actor=actors["desk"], channel=Channel.DESK,
                    reporter_name="李阿姨", reporter_phone="13900001111", description="楼道消防通道又被堵")
    assert services.duplicates_of(second) == [first]
    services.report_reject(actor=actors["desk"], report=second, reason="", duplicate_of=first)
    second.refresh_from_db()
    assert second.status == ReportStatus.REJECTED and second.merged_into_id == first.pk
    assert Notification.objects.filter(subject="reports.report", subject_id=second.pk, phone="13900001111").exists()


@pytest.mark.parametrize("bad,field", [
    ({"category_id": 999999}, "category"),
    ({"description": ""}, "description"),
    ({"org_unit": None, "channel": Channel.DESK, "reporter_name": ""}, "reporter_name"),
])
def test_bad_intake_is_refused_with_nothing_written(actors, report_site, district, bad, field):
    with pytest.raises(JicengError) as exc:
        submit(actors, report_site, district, **bad)
    assert field in exc.value.errors
    assert not Report.objects.exists()


def test_oversized_or_non_image_photo_is_refused(actors, report_site, district):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(JicengError) as exc:
        submit(actors, report_site, district, photos=[SimpleUploadedFile("a.jpg", b"GIF89a not really")])
    assert exc.value.code == "bad_image"
    big = SimpleUploadedFile("b.jpg", b"0" * (9 * 1024 * 1024))
    with pytest.raises(JicengError) as exc:
        submit(actors, report_site, district, photos=[big])
    assert exc.value.code == "too_large"
    assert not Report.objects.exists()


def test_routing_rule_sends_a_category_to_a_partner_unit(actors, report_site, district):
    from jiceng.people.models import PartnerUnit
    from jiceng.reports.models import HandlerLevel, RoutingRule

    partner = PartnerUnit.objects.create(name="某物业公司", kind="enterprise")
    RoutingRule.objects.create(site=district.street, category=report_site.property_, org_unit=district.comm_a,
                               org_path=district.comm_a.path, handler_level=HandlerLevel.PARTNER,
                               handler_partner=partner)
    r = submit(actors, report_site, district, category_id=report_site.property_.pk, description="电梯坏了三天")
    r = services.report_accept(actor=actors["desk"], report=r)
    assert r.handler_partner_id == partner.pk and r.handler_level == "partner"


def test_disputes_and_errands_are_recorded_with_clear_errors(actors, report_site, district, admin):
    import datetime as _dt

    from jiceng.people.services import party_member_create
    from jiceng.reports.models import Dispute, Errand

    with pytest.raises(JicengError) as exc:
        services.dispute_record(actor=actors["desk"], org_unit=district.grid_a1, kind="neighbour", parties="甲、乙",
                                description="楼上漏水", mediator="调解员", occurred_on=timezone.localdate(),
                                outcome="agreed", agreement="")
    assert exc.value.field == "agreement" and not Dispute.objects.exists()
    d = services.dispute_record(actor=actors["desk"], org_unit=district.grid_a1, kind="neighbour", parties="甲、乙",
                                description="楼上漏水", mediator="调解员", occurred_on=timezone.localdate(),
                                outcome="agreed", agreement="楼上负责维修并赔偿 500 元")
    assert d.closed_on == timezone.localdate()
    with pytest.raises(PermissionDeniedError):
        services.dispute_record(actor=actors["resident"], org_unit=district.grid_a1, kind="neighbour", parties="x",
                                description="x", mediator="x", occurred_on=timezone.localdate())
    member = party_member_create(actor=admin, resident=actors["hh"].head, branch=district.grid_a1,
                                 join_date=_dt.date(2001, 7, 1))
    with pytest.raises(JicengError) as exc:
        services.errand_record(actor=actors["desk"], household=actors["hh"], what="代缴医保", party_member=member,
                               requested_on=timezone.localdate() + _dt.timedelta(days=1))
    assert exc.value.field == "requested_on"
    e = services.errand_record(actor=actors["desk"], household=actors["hh"], what="代缴医保", party_member=member,
                               requested_on=timezone.localdate(), done_on=timezone.localdate())
    assert Errand.objects.get().pk == e.pk


def test_public_board_masks_phones_and_names_typed_into_the_reply(actors, report_site, district, client):
    r = submit(actors, report_site, district)
    r = services.report_accept(actor=actors["desk"], report=r)
    services.report_resolve(actor=actors["worker"], report=r,
                            result="已通知车主王建国（13912345678）移走电动车")
    body = client.get(f"/public/reports/{district.comm_a.code}/").content.decode()
    assert "移走电动车" in body
    assert "13912345678" not in body
