from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "jiceng.assets"
    label = "assets"
    verbose_name = "集体经济与三资"
