from django.apps import AppConfig


class RegistrySampleConfig(AppConfig):
    name = "tests.registry_sample"
    label = "registry_sample"
