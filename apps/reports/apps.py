from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "apps.reports"
    verbose_name = "Reports"

    def ready(self):
        from apps.reports import signals  # noqa: F401  (deletes a purged organization's files)
