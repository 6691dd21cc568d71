from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jiceng.reports"
    label = "reports"
    verbose_name = "问题诉求"
