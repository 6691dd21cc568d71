"""Rights confirmation: village applies → township reviews → district approves, enforced."""
from __future__ import annotations

import pytest

from jiceng.assets import services
from jiceng.assets.models import ConfirmationProject, ConfirmationStep
from jiceng.core.errors import JicengError, PermissionDeniedError


@pytest.fixture
def project(site, building):
    return services.confirmation_create(actor=site.keeper, org_unit=site.district.comm_a, title="校舍确权",
                                        value="280000", asset=building)


def _step(actor, p, stage, decision, comment=""):
    return services.confirmation_step(actor=actor, project=ConfirmationProject.objects.get(pk=p.pk), stage=stage,
                                      decision=decision, comment=comment)


def test_the_chain_runs_village_township_district_each_step_dated_and_kept(site, project):
    _step(site.keeper, project, "apply", "submit", "已测绘公示")
    _step(site.leader, project, "review", "pass", "四至清楚")
    _step(site.approver, project, "approve", "pass", "同意")
    p = ConfirmationProject.objects.get(pk=project.pk)
    assert p.status == "approved" and p.approved_on is not None
    steps = list(ConfirmationStep.objects.filter(project=p).order_by("seq"))
    assert [(s.stage, s.decision, s.actor_id, s.role) for s in steps] == [
        ("apply", "submit", site.keeper.pk, "community_staff"), ("review", "pass", site.leader.pk, "township_leader"),
        ("approve", "pass", site.approver.pk, "assets_approver")]


def test_a_skipped_step_is_refused_and_nothing_is_written(site, project):
    with pytest.raises(JicengError) as e:
        _step(site.leader, project, "review", "pass")
    assert e.value.code == "out_of_order" and "村级申报" in e.value.message
    _step(site.keeper, project, "apply", "submit")
    with pytest.raises(JicengError) as e:
        _step(site.approver, project, "approve", "pass")
    assert "乡镇审核" in e.value.message
    assert ConfirmationStep.objects.count() == 1
    assert ConfirmationProject.objects.get(pk=project.pk).status == "applied"


def test_a_step_by_the_wrong_level_is_refused(site, project):
    with pytest.raises(PermissionDeniedError):
        _step(site.leader, project, "apply", "submit")
    _step(site.keeper, project, "apply", "submit")
    with pytest.raises(PermissionDeniedError):
        _step(site.keeper, project, "review", "pass")
    with pytest.raises(PermissionDeniedError):
        _step(site.approver, project, "review", "pass")


def test_one_person_cannot_take_two_steps_even_holding_both_roles(site, project, make_user):
    from jiceng.accounts.models import RoleAssignment
    from jiceng.assets.roles import ASSETS_APPROVER

    # the township leader is also made the district's approver: they may review, or approve, never both
    RoleAssignment.objects.create(user=site.leader, role=ASSETS_APPROVER, org_unit=site.district.street)
    site.leader.__dict__.pop("_jiceng_roles", None)
    _step(site.keeper, project, "apply", "submit")
    _step(site.leader, project, "review", "pass")
    with pytest.raises(JicengError) as e:
        _step(site.leader, project, "approve", "pass")
    assert e.value.code == "same_person" and "乡镇审核" in e.value.message
    assert ConfirmationProject.objects.get(pk=project.pk).status == "reviewed"


def test_a_return_needs_a_reason_and_the_village_applies_again(site, project):
    _step(site.keeper, project, "apply", "submit")
    with pytest.raises(JicengError) as e:
        _step(site.leader, project, "review", "return")
    assert e.value.field == "comment"
    _step(site.leader, project, "review", "return", "缺少村民代表会议决议")
    assert ConfirmationProject.objects.get(pk=project.pk).status == "returned"
    _step(site.keeper, project, "apply", "submit", "已补充决议")
    _step(site.leader2, project, "review", "pass")
    _step(site.approver, project, "approve", "pass")
    assert ConfirmationProject.objects.get(pk=project.pk).status == "approved"
    assert ConfirmationStep.objects.filter(project=project).count() == 5
