from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "apps.scoring"
    verbose_name = "Scoring"

    def ready(self):
        # Scores responses and closed rounds (signals); the home page's sections.
        from apps.scoring import home_sections, signals  # noqa: F401
