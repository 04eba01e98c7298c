"""Single sign-on as the log-in page sees it.

Each organization's own provider lives in apps.sso, a layer above accounts; accounts never
imports it. apps.sso registers `sso_route_register(finder)` when it loads, and the log-in page
asks `sso_route(email)`: where "Sign in with your company (SSO)" goes for that address, and
whether a password may still sign it in.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SsoRoute:
    organization_name: str
    domain: str
    password_refused: bool  # the organization enforces SSO and this account is not an owner


_finder: Callable[[str], SsoRoute | None] | None = None


def sso_route_register(finder: Callable[[str], SsoRoute | None]) -> None:
    global _finder
    _finder = finder


def sso_route(email: str) -> SsoRoute | None:
    """The organization whose provider signs in `email`, or None (no SSO for its domain)."""
    if _finder is None or "@" not in (email or ""):
        return None
    return _finder(email)
