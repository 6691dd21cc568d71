"""Task-queue entry points for imports (Huey). The nightly purge is scheduled in module.py."""
from huey.contrib.djhuey import db_task

from .services import import_job_execute


@db_task()
def import_job_run(job_id: str, apply: bool = False) -> None:
    import_job_execute(job_id, apply=apply)
