"""Visitors: a dispute goes to reports' dispute register and a matter to the reports queue in the visitor's own
transaction; bad input names its field and writes nothing; a failing dispute leaves no visitor row."""
from __future__ import annotations

import pytest
from django.utils import timezone

from jiceng.core.errors import JicengError
from jiceng.duty import services
from jiceng.duty.models import Visitor
from jiceng.reports.models import Dispute, Report
from tests.duty.conftest import at


def test_a_visitors_dispute_appears_in_reports_disputes(site):
    v = services.visitor_record(actor=site.staff_a, desk=site.desk, name="张大爷", phone="13811112222",
                                purpose="相邻宅基地滴水纠纷", kind="dispute", dispute_kind="neighbour",
                                parties="张某与李某", dispute_outcome="agreed", agreement="双方达成协议")
    d = Dispute.objects.unscoped("t").get()
    assert v.dispute_id == d.pk and d.parties == "张某与李某" and d.org_path == site.desk.org_path
    assert d.outcome == "agreed" and d.kind == "neighbour"


def test_a_failing_dispute_leaves_no_visitor_row(site):
    with pytest.raises(JicengError) as err:  # agreed, but no agreement: reports' service refuses inside our transaction
        services.visitor_record(actor=site.staff_a, desk=site.desk, name="张大爷", purpose="纠纷", kind="dispute",
                                dispute_kind="neighbour", parties="张某与李某", dispute_outcome="agreed")
    assert set(err.value.errors) == {"agreement"}
    assert not Visitor.objects.unscoped("t").exists() and not Dispute.objects.unscoped("t").exists()


def test_the_village_cadre_on_duty_records_a_dispute_through_the_grant(site):
    """The cadre module grants its village cadre reports' purpose ``reports_disputes``: the dispute mediated at
    the desk is recorded in reports with the visitor, in one transaction."""
    v = services.visitor_record(actor=site.cadre_user, desk=site.desk, name="张大爷", purpose="纠纷", kind="dispute",
                                dispute_kind="neighbour", parties="张某与李某")
    assert v.dispute_id and Dispute.objects.unscoped("t").get().pk == v.dispute_id


def test_bad_input_names_each_field_and_writes_nothing(site):
    with pytest.raises(JicengError) as err:
        services.visitor_record(actor=site.staff_a, desk=site.desk, name=" ", purpose="", kind="consult")
    assert set(err.value.errors) == {"name", "purpose"}
    with pytest.raises(JicengError) as err:
        services.visitor_record(actor=site.staff_a, desk=site.desk, name="张大爷", purpose="纠纷", kind="dispute",
                                dispute_kind="neighbour", parties="")
    assert set(err.value.errors) == {"parties"}
    with pytest.raises(JicengError) as err:
        services.visitor_record(actor=site.staff_a, desk=site.desk, name="张大爷", purpose="路灯坏了", kind="matter")
    assert set(err.value.errors) == {"category"}
    assert not Visitor.objects.unscoped("t").exists()


def test_a_matter_is_filed_as_a_report_from_the_desk_and_linked(site, category, shift):
    day = timezone.localdate()
    services.check_in(actor=site.cadre_user, desk=site.desk, code=services.day_code(site.desk, day), now=at(day, 8, 30))
    v = services.visitor_record(actor=site.cadre_user, desk=site.desk, name="王阿姨", phone="13811112222",
                                purpose="小区路灯损坏", kind="matter", category_id=category.pk, now=at(day, 10, 0))
    r = Report.objects.unscoped("t").get()
    assert v.report_id == r.pk and r.channel == "desk" and r.reporter_name == "王阿姨"
    assert r.org_path == site.district.comm_a.path and r.description == "小区路灯损坏"
    assert v.shift_id == shift.pk


def test_the_module_figures_equal_their_records(site, category):
    import datetime as dt

    from jiceng.core.modules import Period, registry

    services.visitor_record(actor=site.staff_a, desk=site.desk, name="甲", purpose="咨询", kind="consult")
    services.visitor_record(actor=site.staff_a, desk=site.desk, name="乙", purpose="路灯", kind="matter",
                            category_id=category.pk)
    services.visitor_record(actor=site.staff_a, desk=site.desk, name="丙", purpose="纠纷", kind="dispute",
                            dispute_kind="family", parties="王某夫妇")
    day = timezone.localdate()
    services.shift_create(actor=site.leader, desk=site.desk, cadre=site.other_cadre,
                          starts_at=at(day - dt.timedelta(days=1), 9), ends_at=at(day - dt.timedelta(days=1), 12))
    services.duty_check(now=timezone.now())
    period = Period(day - dt.timedelta(days=7), day)
    figures = registry.figures()
    expected = {"duty.visitors": 3, "duty.matters": 1, "duty.disputes": 1, "duty.shifts_kept": 0, "duty.shifts_missed": 1}
    for code, n in expected.items():
        f = figures[code]
        records = f.records(site.district.street, period)
        assert f.value(site.district.street, period) == records.count() == n, code
    assert figures["duty.visitors"].value(site.district.comm_b, period) == 0
