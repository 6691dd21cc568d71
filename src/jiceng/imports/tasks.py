"""Task-queue entry points for imports (Huey)."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import import_job_execute, import_jobs_purge_due


@db_task()
def import_job_run(job_id: str, apply: bool = False) -> None:
    import_job_execute(job_id, apply=apply)


@db_periodic_task(crontab(minute="40", hour="3"))
def purge_uploads() -> int:
    """Nightly: delete stored uploads that are no longer needed (they hold personal data)."""
    return import_jobs_purge_due()
