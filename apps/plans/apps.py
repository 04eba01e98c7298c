from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "apps.plans"
    verbose_name = "Improvement plans"

    def ready(self):
        # The hooks of the apps below: home page, team page, result pages, purge.
        from apps.plans import home_sections, receivers  # noqa: F401
