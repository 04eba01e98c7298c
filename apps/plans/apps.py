from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "apps.plans"
    verbose_name = "Improvement plans"

    def ready(self):
        from apps.plans import receivers  # noqa: F401  (team page, result pages, purge)
