"""Monitoring work for the task queue (Huey). The schedule is declared in module.py; each job writes its stored
facts once, however often it runs."""
from huey.contrib.djhuey import db_task

from .services import rules_run_all, signals_mark_overdue, visits_check


def visits_and_deadlines_check() -> dict:
    """Visit reminders and overdue marks; signals past their verification deadline."""
    counts = visits_check()
    counts["signals_overdue"] = signals_mark_overdue()
    return counts


@db_task()
def rerun_rules(org_path: str) -> dict:
    """After a site changes its rules: every profile of the site against them."""
    return rules_run_all(org_path=org_path)
