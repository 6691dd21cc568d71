"""Scheduled monitoring work (Huey): the rules over every profile, postings ending, visits and
verification deadlines — each writes its stored facts once, however often it runs."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import postings_close, rules_run_all, signals_mark_overdue, visits_check


@db_periodic_task(crontab(minute="20", hour="2"))
def run_rules() -> dict:
    """Nightly: every profile against the current lines and rules (a changed line or rule takes effect)."""
    return rules_run_all()


@db_periodic_task(crontab(minute="5"))
def close_postings() -> int:
    """Hourly: postings whose days are over move on to the township review."""
    return postings_close()


@db_periodic_task(crontab(minute="10", hour="*/6"))
def check_visits_and_deadlines() -> dict:
    """Four times a day: visit reminders and overdue marks; signals past their verification deadline."""
    counts = visits_check()
    counts["signals_overdue"] = signals_mark_overdue()
    return counts


@db_task()
def rerun_rules(org_path: str) -> dict:
    """After a site changes its rules: every profile of the site against them."""
    return rules_run_all(org_path=org_path)
