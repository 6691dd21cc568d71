from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jiceng.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from jiceng.core.scope import scope_resolver_set

        from .scope import scope_for

        scope_resolver_set(scope_for)
