"""The composition root: the API, the web URLs and the scheduler, assembled from what each installed module
registers (``core.modules.registry``). Nothing here names a module; ``urls.py`` and ``apps.py`` call it."""
from __future__ import annotations

from functools import wraps

from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, include, path

from jiceng.core.api import api_create
from jiceng.core.errors import NotFoundError, PermissionDeniedError
from jiceng.core.modules import registry, resolve


def _gated(view, allowed, refused=None):
    """The view behind the module's door: a signed-in user the module does not admit gets 403 on a list or
    form, and 404 on a record's page (the same answer as for a record that does not exist: ids cannot be
    probed, rule 15)."""
    @wraps(view)
    def gated(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not allowed(request):
            match = getattr(request, "resolver_match", None)
            if match and (match.args or match.kwargs):
                raise NotFoundError()
            elsewhere = refused(request) if refused is not None and request.method == "GET" else None
            if elsewhere:
                return redirect(elsewhere)
            raise PermissionDeniedError()
        return view(request, *args, **kwargs)

    return gated


def _gate_patterns(patterns, allowed, refused=None) -> list:
    gated = []
    for p in patterns:
        if isinstance(p, URLResolver):
            gated.append(URLResolver(p.pattern, _gate_patterns(p.url_patterns, allowed, refused), p.default_kwargs,
                                     p.app_name, p.namespace))
        else:
            gated.append(URLPattern(p.pattern, _gated(p.callback, allowed, refused), p.default_args, p.name))
    return gated


def _gate_router(router, allowed) -> None:
    """Every operation of the router and of the routers mounted on it goes through the door."""
    if getattr(router, "_jiceng_gated", False):
        return
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            operation.view_func = _gated(operation.view_func, allowed)
    router._jiceng_gated = True
    for mounted in getattr(router, "_routers", []):
        _gate_router(mounted[1], allowed)


def build_api():
    from jiceng.accounts.api import BearerAuth

    api = api_create(auth=BearerAuth())
    for module in registry.modules():
        for mount in module.api:
            router = resolve(mount.router)
            if mount.allowed:
                _gate_router(router, resolve(mount.allowed))
            api.add_router(mount.prefix, router)
    return api


def module_urlpatterns() -> list:
    patterns = []
    for module in registry.modules():
        for mount in module.urls:
            allowed = resolve(mount.allowed)
            refused = resolve(mount.refused) if mount.refused else None
            if mount.urlconf:
                urlconf = include(mount.urlconf)
                if allowed:
                    included, app_name, namespace = urlconf
                    inner = getattr(included, "urlpatterns", included)
                    urlconf = (_gate_patterns(inner, allowed, refused), app_name, namespace)
                patterns.append(path(mount.prefix, urlconf))
            else:
                view = resolve(mount.view)
                patterns.append(path(mount.prefix, _gated(view, allowed, refused) if allowed else view, name=mount.name))
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
