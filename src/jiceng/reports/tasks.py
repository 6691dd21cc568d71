"""Scheduled report work (Huey): reminders before deadlines, overdue marks and escalation after."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import deadlines_check


@db_periodic_task(crontab(minute="*/5"))
def check_deadlines() -> dict:
    return deadlines_check()
