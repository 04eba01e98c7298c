"""The JSON API under /api/v1/ (django-ninja), with its OpenAPI document at /api/v1/openapi.json.

Browser session or a personal token (`Authorization: Bearer mat_…`); the same tenant gate and
thresholds as the pages; errors are JSON with a clear `detail`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from apps.accounts.services import api_token_user


class PersonalToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is None:
            # A token was sent and is wrong: refuse, rather than fall back to the session.
            raise AuthenticationError()
        request.user = user
        return user


class BrowserSession(SessionAuth):
    """The browser's session (with its CSRF check). No session cookie, nothing to check: the
    caller gets 401 like any caller without credentials, not a CSRF 403."""

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


api = NinjaAPI(
    title="Maturity API",
    version="1",
    description="Organizations, teams, rounds, results and history. Results under a round's "
    "minimum number of respondents are withheld, as on the pages.",
    auth=[PersonalToken(), BrowserSession()],
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(
        request,
        {"detail": "Log in, or send a personal API token as 'Authorization: Bearer <token>'."},
        status=401,
    )


api.add_router("/", "apps.organizations.api.router")
api.add_router("/", "apps.scoring.api.router")
api.add_router("/", "apps.plans.api.router")
api.add_router("/", "apps.reports.api.router")
