"""The composition root: the API, the web URLs and the scheduler, assembled from what each installed module
registers (``core.modules.registry``). Nothing here names a module; ``urls.py`` and ``apps.py`` call it."""
from __future__ import annotations

from django.urls import include, path

from jiceng.core.api import api_create
from jiceng.core.modules import registry, resolve


def build_api():
    from jiceng.accounts.api import BearerAuth

    api = api_create(auth=BearerAuth())
    for module in registry.modules():
        for mount in module.api:
            api.add_router(mount.prefix, resolve(mount.router))
    return api


def module_urlpatterns() -> list:
    patterns = []
    for module in registry.modules():
        for mount in module.urls:
            if mount.urlconf:
                patterns.append(path(mount.prefix, include(mount.urlconf)))
            else:
                patterns.append(path(mount.prefix, resolve(mount.view), name=mount.name))
    return patterns


_scheduled: dict = {}


def scheduled_jobs() -> dict:
    """The task queue's periodic tasks, by job code (what ``jiceng serve``'s consumer runs)."""
    return dict(_scheduled)


def schedule_jobs() -> list[str]:
    """Register every module's jobs with the task queue's scheduler (once per process)."""
    from huey import crontab
    from huey.contrib.djhuey import db_periodic_task

    for job in registry.jobs():
        if job.code in _scheduled:
            continue
        run = resolve(job.run)

        def task(_run=run):
            return _run()

        task.__doc__ = str(job.label) or run.__doc__
        _scheduled[job.code] = db_periodic_task(crontab(**job.schedule), name=job.code)(task)
    return sorted(_scheduled)
