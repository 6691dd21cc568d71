"""Scheduled points work (Huey periodic tasks): publicity periods ending, ratings per period."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import publicity_post_due, ratings_evaluate_due
from .services.ledger import points_expire_due


@db_periodic_task(crontab(minute="*"))
def post_publicity_due() -> int:
    """Every minute: post the declarations whose publicity period has ended without objection."""
    return publicity_post_due()


@db_periodic_task(crontab(minute="15", hour="1"))
def evaluate_ratings_due() -> int:
    """Nightly: rate the period that has just ended (once per period)."""
    return ratings_evaluate_due()


@db_periodic_task(crontab(month="1", day="1-7", hour="0", minute="30"))
def expire_last_year() -> int:
    """The first week of January: yearly clearing for the sites that chose it (idempotent per account)."""
    return points_expire_due()
