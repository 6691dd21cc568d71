from django.apps import AppConfig


class JicengConfig(AppConfig):
    """The composition root as an app (listed last): once every module is loaded, check the registry and
    give the task queue each module's schedule."""

    name = "jiceng"
    label = "jiceng"
    verbose_name = "jiceng"

    def ready(self):
        from jiceng.composition import schedule_jobs
        from jiceng.core.modules import registry

        registry.load()
        schedule_jobs()
