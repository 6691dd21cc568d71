"""The demo district's leadership data: certificate requests answered by the villages, one refused by the negative
list and one approved; the street's points rules for cadre records, and the points they posted."""
from __future__ import annotations


def test_the_demo_has_certificate_requests_and_points_for_cadre_records(db):
    from jiceng.cadre.models import PerformanceEntry
    from jiceng.core.demo import demo_build
    from jiceng.leadership.models import CertificateRequest, LeadershipRules, PushDownRefusal

    run = demo_build(households=30, seed=9)
    made = run.built["leadership"]
    requests = CertificateRequest.objects.unscoped("test")
    assert made["certificates"] == requests.count() == 5
    assert sorted(requests.values_list("answer", flat=True)) == ["issued", "issued", "pending", "pending", "refused"]
    assert requests.filter(approval__item__code="N-03", title="亲属关系证明").count() == 1
    refused = PushDownRefusal.objects.unscoped("test").get(source_type="certificate")
    assert (refused.item.code, refused.keyword) == ("N-03", "无犯罪记录证明")
    rules = LeadershipRules.objects.get()
    assert (rules.review_competent_points, rules.review_incompetent_points, rules.contact_visit_points) == (3, -5, 1)
    posted = dict(PerformanceEntry.objects.unscoped("test").filter(source_type__startswith="leadership.")
                  .exclude(kind="training").values_list("source_type", "amount").order_by("source_type", "id"))
    assert {"leadership.posting_review", "leadership.contact_visit", "leadership.shadowing"} <= set(posted)
    assert made["record_points"] == PerformanceEntry.objects.unscoped("test").filter(
        kind__in=["posting", "contact", "pledge", "shadowing"]).count() > 0
