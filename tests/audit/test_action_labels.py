"""Every audit action the platform can write has a Chinese name, and a change shows as labelled fields."""
from __future__ import annotations

import ast
import datetime as dt
import pathlib
import re

import pytest

import jiceng

SRC = pathlib.Path(jiceng.__file__).parent
CJK = re.compile(r"[\u3400-\u9fff]")


def _calls(name: str):
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == name:
                yield path, node


def _constants(node) -> set[str] | None:
    """The codes an expression can take when it is spelled out in the source (a string, or a choice of two)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _constants(node.body), _constants(node.orelse)
        return a | b if a is not None and b is not None else None
    return None


def _report_actions() -> set[str]:
    """Every step a report's life records (``_event``/``_move`` with a literal action)."""
    found = set()
    for name in ("_event", "_move"):
        for path, node in _calls(name):
            if path.parts[-2:] == ("reports", "services.py"):
                kw = {k.arg: k.value for k in node.keywords}
                if isinstance(kw.get("action"), ast.Constant):
                    found.add(kw["action"].value)
    return found


def _dynamic_codes() -> dict[str, set[str]]:
    """Codes built at run time, by the source text of the f-string, with every value its parts take."""
    from jiceng.cadre.models import AppealStatus, ShowcaseOutcome
    from jiceng.core.modules import registry
    from jiceng.monitoring.models import Procedure, Stage
    from jiceng.people.exports import KINDS
    from jiceng.points.models import StockKind

    return {
        "f'cadre.appeal.{locked.status}'": {f"cadre.appeal.{s}" for s in AppealStatus.values if s != "pending"},
        "f'cadre.showcase.{outcome}'": {f"cadre.showcase.{o}" for o in ShowcaseOutcome.values if o != "pending"},
        "f'imports.{self.spec.kind}.imported'": {f"imports.{k}.imported" for k in registry.import_kinds()},
        "f'monitoring.case.{procedure}.{stage}'": {f"monitoring.case.{p}.{s}" for p in Procedure.values
                                                   for s in Stage.values},
        "f'people.{kind}.exported'": {f"people.{k}.exported" for k in KINDS},
        "f\"points.declaration.{('rejected' if decision == 'reject' else 'approved')}\"":
            {"points.declaration.rejected", "points.declaration.approved"},
        "f'points.stock.{kind}'": {f"points.stock.{k}" for k in (StockKind.RECEIPT, StockKind.ADJUSTMENT,
                                                                 StockKind.STOCKTAKE)},
        "f'reports.report.{action}'": {f"reports.report.{a}" for a in _report_actions()},
    }


def source_action_codes() -> set[str]:
    """Every action code the source writes through ``audit_log`` (and the cadre exports' helper)."""
    dynamic = _dynamic_codes()
    codes: set[str] = set()
    unknown = []
    for path, node in _calls("audit_log"):
        action = {k.arg: k.value for k in node.keywords}.get("action")
        if action is None:
            continue
        spelled = _constants(action)
        if spelled is not None:
            codes |= spelled
        elif isinstance(action, ast.JoinedStr) and ast.unparse(action) in dynamic:
            codes |= dynamic[ast.unparse(action)]
        elif isinstance(action, ast.Name) and path.parts[-2:] == ("cadre", "views.py"):
            continue  # _export_audit(user, "<code>", ...): its callers' codes are collected below
        else:
            unknown.append(f"{path.relative_to(SRC)}:{node.lineno} {ast.unparse(action)}")
    for _path, node in _calls("_export_audit"):
        codes |= _constants(node.args[1]) or set()
    assert not unknown, f"action codes built in a way this test cannot enumerate: {unknown}"
    return codes


def test_every_action_code_the_source_writes_has_a_chinese_name():
    from jiceng.audit.labels import action_label

    codes = source_action_codes()
    assert {"monitoring.visit.overdue", "reports.report.accepted", "cadre.tasks.exported",
            "monitoring.case.identification.home_check"} <= codes
    assert len(codes) > 150
    unnamed = sorted(c for c in codes if not CJK.search(action_label(c)))
    assert unnamed == []


def _entry(**kw):
    from jiceng.audit.models import AuditEntry

    return AuditEntry(action=kw.pop("action", "x.y.z"), **kw)


def test_a_change_shows_chinese_field_names_choices_by_label_and_booleans_as_yes_or_no(settings):
    from jiceng.audit.labels import audit_changes

    entry = _entry(object_type="monitoring.monitoringcase",
                   before={"status": "identifying", "income_below_line": False, "due_on": None},
                   after={"status": "monitored", "income_below_line": True, "due_on": dt.date(2026, 11, 14).isoformat(),
                          "phone": "13812345678"})
    assert audit_changes(entry) == [
        ("状态", "识别中", "监测帮扶中"),
        ("收入低于监测线", "否", "是"),
        ("应完成日期", "—", "2026-11-14"),
        ("联系电话", "", "138****5678"),
    ]


def test_a_time_is_shown_in_local_time_and_a_list_joined(settings):
    from jiceng.audit.labels import audit_changes

    entry = _entry(object_type="duty.dutyshift", after={"starts_at": "2026-12-21T00:30:00+00:00",
                                                        "lagging": ["小河村", "大观社区"]})
    assert audit_changes(entry) == [("开始", "", "2026-12-21 08:30"), ("后进单位", "", "小河村、大观社区")]


@pytest.mark.django_db
def test_every_field_the_demo_records_in_a_change_has_a_chinese_name():
    from jiceng.audit.labels import field_label
    from jiceng.audit.models import AuditEntry
    from jiceng.core.demo import demo_build

    demo_build(households=40, seed=4)
    unnamed = set()
    for e in AuditEntry.objects.all():
        for side in (e.before, e.after):
            for key in side if isinstance(side, dict) else ():
                if not CJK.search(field_label(e.object_type, key)):
                    unnamed.add((e.object_type, key))
    assert unnamed == set()


def test_home_recent_entries_name_the_action_in_chinese_and_the_household_by_head_and_address(
        district, make_user, make_household, client):
    from jiceng.audit.services import audit_log

    h = make_household(district.building_a1, head_name="王秀英", address="幸福路12号")
    audit_log(actor=None, action="monitoring.visit.overdue", obj=h, after={"due_on": "2026-10-30"})
    client.force_login(make_user("street_admin", district.street))
    page = client.get("/").content.decode()
    assert "走访逾期 · 王秀英 · 幸福路12号" in page
    assert "monitoring.visit.overdue" not in page and h.number not in page


def test_the_audit_list_shows_labelled_fields_not_raw_json(district, make_user, client):
    from jiceng.audit.services import audit_log

    audit_log(actor=None, action="reports.report.accepted", object_type="reports.report", object_id=7,
              object_repr="#7 停车秩序", org_path=district.comm_a.path,
              before={"status": "submitted"}, after={"status": "accepted", "note": "停车秩序"})
    client.force_login(make_user("street_admin", district.street))
    page = client.get("/audit/").content.decode()
    assert "诉求受理" in page
    assert "状态：</span>待受理" in page and "状态：</span>已受理" in page and "备注：</span>停车秩序" in page
    assert '{"status"' not in page
