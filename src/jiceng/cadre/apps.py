from django.apps import AppConfig


class CadreConfig(AppConfig):
    name = "jiceng.cadre"
    label = "cadre"
    verbose_name = "干部工作"
