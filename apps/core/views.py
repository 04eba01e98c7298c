import logging
import sys
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from apps.core.outbox import outbox_messages

log = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers and compose)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def outbox(request):
    """Debug only: the e-mails the embedded default wrote to its local outbox folder."""
    if not settings.DEBUG:
        raise Http404("The outbox exists only in debug mode.")
    return render(request, "core/outbox.html", {"messages_sent": outbox_messages()})


def _render_error(request, template: str, status: int, context=None) -> HttpResponse:
    """An error page that renders even when the request never reached the authentication
    middleware (a Host outside ALLOWED_HOSTS is refused by CommonMiddleware before it), so
    context processors reading `request.user` see an anonymous visitor instead of failing."""
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    try:
        return render(request, template, context or {}, status=status)
    except Exception:
        log.exception("The %s page failed to render; answering a plain one.", status)
        return HttpResponse(f"{status} {HTTPStatus(status).phrase}", status=status)


def bad_request(request, exception=None, reason: str = ""):
    return _render_error(request, "400.html", status=400, context={"reason": reason})


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return _render_error(request, "403.html", status=403, context={"reason": message})


def page_not_found(request, exception=None):
    return _render_error(request, "404.html", status=404)


def server_error(request):
    """500, or 503 with Retry-After when the database is away (it is back without a restart:
    each request opens a fresh connection once the old one has failed)."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": "The service is briefly unavailable. Try again in a moment."},
                status=503,
            )
        else:
            response = _render_error(request, "503.html", status=503)
        response["Retry-After"] = "10"
        return response
    return _render_error(request, "500.html", status=500)
