from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "jiceng.duty"
    label = "duty"
    verbose_name = "坐班值班"
