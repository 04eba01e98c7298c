"""Request-wide guards that no single view owns."""

import hashlib

from django.http import JsonResponse

from apps.core.ratelimit import client_ip, record, too_many_requests, used


class ApiRateLimitMiddleware:
    """Rate-limit /api/: calls per token (or session user, or address), and wrong tokens per
    address, so that nobody can guess tokens or crowd others out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        address = client_ip(request)
        bearer = request.headers.get("Authorization", "")
        caller = self._caller(request, bearer, address)
        wait = (used("api-auth", address) if bearer else None) or used("api", caller)
        if wait is not None:
            return too_many_requests(request, wait)
        record("api", caller)
        response = self.get_response(request)
        if bearer and response.status_code == 401:
            record("api-auth", address)
        return response

    @staticmethod
    def _caller(request, bearer: str, address: str) -> str:
        if bearer:
            return "token:" + hashlib.sha256(bearer.encode()).hexdigest()
        if request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"address:{address}"


class HealthCheckMiddleware:
    """Answer /healthz before any host validation: load balancers and the compose health check
    call it by an internal name (http://127.0.0.1:8000/healthz, http://web:8000/healthz) that is
    rightly not in ALLOWED_HOSTS. It must come first in MIDDLEWARE (before CommonMiddleware and
    SecurityMiddleware, which read the host). The answer only says whether the database is up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            from apps.core.views import healthz

            return healthz(request)
        return self.get_response(request)


class RefuseNulMiddleware:
    """A 400 saying why for a NUL character anywhere in the URL (`?q=%00`, `/s/%00/`): every
    free-text query parameter (searches, filters, invitation links) is safe from PostgreSQL's
    DataError at once, including Django admin's search. Last in MIDDLEWARE, so the answer still
    carries the security headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from apps.core.text import NUL_REFUSED, query_has_nul

        if query_has_nul(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            from apps.core.views import bad_request

            return bad_request(request, reason=NUL_REFUSED)
        return self.get_response(request)
