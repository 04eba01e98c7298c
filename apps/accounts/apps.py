from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = "Accounts"

    def ready(self):
        from apps.accounts import audit_receivers  # noqa: F401  (failed sign-ins, audit log)
