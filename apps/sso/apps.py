from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "apps.sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from apps.accounts.sso import sso_route_register
        from apps.sso import receivers  # noqa: F401  (the organizations hook)
        from apps.sso.selectors import sso_route

        sso_route_register(sso_route)  # the log-in page asks it (accounts sits below us)
