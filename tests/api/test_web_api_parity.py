"""Every page and action of the points, reports and monitoring web UI has its API operation(s).

Each URL name of the three apps is listed here with the operations that do the same thing, or with the
reason it has none (a file served for the screen, a printout). A new page without an entry fails the test,
and so does an entry naming an operation the OpenAPI document does not have."""
from __future__ import annotations

import pytest
from django.urls import get_resolver

POINTS = {
    "overview": [("GET", "/api/points/declarations"), ("GET", "/api/points/ranking")],
    "item_list": [("GET", "/api/points/items")],
    "household": [("GET", "/api/points/households/{household_id}"), ("GET", "/api/points/households/{household_id}/ledger"),
                  ("GET", "/api/points/declarations")],
    "record": [("POST", "/api/points/declarations")],
    "card_issue_one": [("POST", "/api/points/households/{household_id}/card"),
                       ("POST", "/api/points/households/{household_id}/card/reissue")],
    "entry_reverse": [("POST", "/api/points/households/{household_id}/ledger/{seq}/reverse")],
    "review_list": [("GET", "/api/points/declarations"), ("POST", "/api/points/declarations/review-batch")],
    "declaration": [("GET", "/api/points/declarations/{declaration_id}"),
                    ("POST", "/api/points/declarations/{declaration_id}/review"),
                    ("POST", "/api/points/declarations/{declaration_id}/objections/resolve"),
                    ("POST", "/api/points/declarations/{declaration_id}/evidence")],
    "cards": [("GET", "/api/points/cards")],
    "cards_issue": [("POST", "/api/points/units/{org_unit_id}/cards")],
    "ratings": [("GET", "/api/points/ranking"), ("POST", "/api/points/ratings")],
    "shop_list": [("GET", "/api/points/shops")],
    "counter": [("GET", "/api/points/cards/{number}"), ("GET", "/api/points/shops/{shop_id}/products")],
    "redeem": [("POST", "/api/points/shops/{shop_id}/redemptions")],
    "stock": [("POST", "/api/points/shops/{shop_id}/stock")],
    "my_points": [("GET", "/api/points/households/{household_id}"), ("GET", "/api/points/declarations")],
    "my_declare": [("POST", "/api/points/declarations")],
    "my_shop": [("GET", "/api/points/shops"), ("GET", "/api/points/shops/{shop_id}/products")],
}
REPORTS = {
    "list": [("GET", "/api/reports")],
    "new": [("POST", "/api/reports")],
    "mine": [("GET", "/api/reports")],
    "detail": [("GET", "/api/reports/{report_id}")],
    "act": [("POST", f"/api/reports/{{report_id}}/{a}") for a in
            ("accept", "reject", "assign", "start", "hand_back", "resolve", "rate")],  # merge = reject with duplicate_of
}
MONITORING = {
    "worklist": [("GET", "/api/monitoring/signals"), ("GET", "/api/monitoring/cases")],
    "household": [("GET", "/api/monitoring/households/{household_id}/profile"),
                  ("GET", "/api/monitoring/cases/{case_id}/measures")],
    "profile_edit": [("PUT", "/api/monitoring/households/{household_id}/profile/{year}")],
    "visit_new": [("POST", "/api/monitoring/households/{household_id}/visits")],
    "declare_for": [("POST", "/api/monitoring/households/{household_id}/declarations")],
    "signals": [("GET", "/api/monitoring/signals")],
    "signal_act": [("POST", "/api/monitoring/signals/{signal_id}/confirm"),
                   ("POST", "/api/monitoring/signals/{signal_id}/dismiss")],
    "cases": [("GET", "/api/monitoring/cases")],
    "case_act": [("POST", "/api/monitoring/cases/{case_id}/steps"), ("POST", "/api/monitoring/cases/{case_id}/eliminate"),
                 ("POST", "/api/monitoring/cases/{case_id}/responsible"),
                 ("POST", "/api/monitoring/cases/{case_id}/measures"),
                 ("POST", "/api/monitoring/cases/{case_id}/measures/{measure_id}/result")],
    "figures": [("GET", "/api/monitoring/figures")],
}
# Pages for the screen or the printer only: the same data is in the operations above.
SCREEN_ONLY = {
    "points:declaration_photo": "the evidence photo file shown on the record's page",
    "points:cards_print": "a PDF of cards for printing; the cards are GET /api/points/cards",
    "points:receipt": "the printable receipt of a redemption; POST …/redemptions answers with the same lines",
    "reports:photo": "a report's photo file shown on its page",
    "monitoring:department_list_template": "the blank spreadsheet to fill in",
    "monitoring:department_list_errors": "the spreadsheet of rejected rows",
}
# Web pages still without an API operation. This list may only shrink.
NOT_YET = {
    "points:programme_edit", "points:item_create", "points:item_edit", "points:event_create",
    "points:reconciliation",
    "reports:figures", "reports:disputes", "reports:errands", "reports:setup", "reports:category_new",
    "reports:category_edit", "reports:rule_new", "reports:rule_edit", "reports:rule_delete",
    "monitoring:households", "monitoring:declare_mine", "monitoring:department_lists", "monitoring:department_list",
    "monitoring:settings",
}


def _url_names(namespace: str) -> set[str]:
    resolver = get_resolver()
    _prefix, sub = resolver.namespace_dict[namespace]
    return {f"{namespace}:{p.name}" for p in sub.url_patterns if getattr(p, "name", None)}


@pytest.fixture(scope="module")
def operations():
    from jiceng.urls import api

    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


@pytest.mark.parametrize("namespace, mapping", [("points", POINTS), ("reports", REPORTS), ("monitoring", MONITORING)])
def test_every_web_page_and_action_has_its_api_operation(namespace, mapping, operations):
    names = _url_names(namespace)
    mapped = {f"{namespace}:{n}" for n in mapping}
    unclassified = names - mapped - set(SCREEN_ONLY) - NOT_YET
    assert unclassified == set(), "a web page with no API operation listed"
    assert mapped - names == set(), "a mapping for a page that no longer exists"
    missing = [(n, op) for n, ops in mapping.items() for op in ops if op not in operations]
    assert missing == []
