from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "jiceng.notices"
    label = "notices"
    verbose_name = "通知"
