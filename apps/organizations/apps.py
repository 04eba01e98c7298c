from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "apps.organizations"
    verbose_name = "Organizations"

    def ready(self):
        from apps.organizations import signals  # noqa: F401  (registers the receivers)
