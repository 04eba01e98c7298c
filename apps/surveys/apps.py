from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_shipped_banks(sender, **kwargs):
    from apps.surveys.bank_services import install_shipped_banks

    install_shipped_banks()


class SurveysConfig(AppConfig):
    name = "apps.surveys"
    verbose_name = "Surveys"

    def ready(self):
        from apps.surveys import home_sections, receivers  # noqa: F401  (organizations' hooks)

        # After every `migrate`, so a fresh database has the shipped banks (idempotent).
        post_migrate.connect(
            _install_shipped_banks, sender=self, dispatch_uid="install_shipped_banks"
        )
