from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "apps.scoring"
    verbose_name = "Scoring"

    def ready(self):
        from apps.scoring import signals  # noqa: F401  (scores responses and closed rounds)
