"""Scheduled points work (Huey periodic tasks): publicity periods ending, ratings per period."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import publicity_post_due, ratings_evaluate_due


@db_periodic_task(crontab(minute="*"))
def post_publicity_due() -> int:
    """Every minute: post the declarations whose publicity period has ended without objection."""
    return publicity_post_due()


@db_periodic_task(crontab(minute="15", hour="1"))
def evaluate_ratings_due() -> int:
    """Nightly: rate the period that has just ended (once per period)."""
    return ratings_evaluate_due()
