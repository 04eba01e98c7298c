"""Rate limits on the doors people could hammer: log-in, password reset, sign-up, invitations,
survey links and the API. Fixed windows counted in the cache (Redis in production).

Rates are `"count/seconds"` strings in `settings.RATE_LIMITS`, by scope. A refused request gets
429 with `Retry-After` (seconds until its window ends). When the cache is down the limits open
rather than lock everybody out: answering a survey matters more than counting.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        count, seconds = text.split("/")
        return cls(int(count), int(seconds))


def client_ip(request) -> str:
    """The caller's address; behind N trusted proxies, the N-th address from the right."""
    proxies = settings.RATE_LIMIT_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def by_user(request) -> str:
    return f"user:{request.user.pk}"


def by_link(request) -> str:
    return f"link:{request.resolver_match.kwargs.get('token', '')}"


def _window(scope: str, ident: str) -> tuple[Rate, str, int] | None:
    if not settings.RATE_LIMITS_ENABLED or scope not in settings.RATE_LIMITS:
        return None
    rate = Rate.parse(settings.RATE_LIMITS[scope])
    now = time.time()
    window = int(now // rate.seconds)
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    retry_after = max(1, math.ceil((window + 1) * rate.seconds - now))
    return rate, f"rl:{scope}:{window}:{digest}", retry_after


def used(scope: str, ident: str) -> int | None:
    """Seconds to wait if `ident` has used up `scope`'s window, else None (counts nothing)."""
    found = _window(scope, ident)
    if found is None:
        return None
    rate, key, retry_after = found
    try:
        count = cache.get(key, 0)
    except Exception:  # the cache is down: let people in
        log.warning("Rate limit cache unavailable; '%s' not checked.", scope, exc_info=True)
        return None
    return retry_after if count >= rate.count else None


def record(scope: str, ident: str) -> None:
    """Count one attempt against `scope` for `ident`."""
    found = _window(scope, ident)
    if found is None:
        return
    rate, key, _ = found
    try:
        cache.add(key, 0, timeout=rate.seconds + 1)
        cache.incr(key)
    except ValueError:  # expired between add and incr: start the new window
        cache.set(key, 1, timeout=rate.seconds + 1)
    except Exception:
        log.warning("Rate limit cache unavailable; '%s' not counted.", scope, exc_info=True)


def too_many_requests(request, retry_after: int) -> HttpResponse:
    """The 429 page (or JSON, or an htmx fragment) with Retry-After."""
    minutes = max(1, math.ceil(retry_after / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    message = f"Too many attempts. Please wait {wait} and try again."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "retry_after": retry_after}, status=429)
    elif getattr(request, "htmx", False):
        response = HttpResponse(f'<span class="text-danger">{message}</span>', status=429)
    else:
        response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limit(scope: str, *, key=client_ip, methods=("POST",), counts=None):
    """Decorate a view: refuse with 429 once `key(request)` used up `scope`.

    `counts(response)` says which answers count (e.g. only failed log-ins or unknown tokens);
    by default every request with one of `methods` counts (`methods=None`: every method).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if methods is not None and request.method not in methods:
                return view(request, *args, **kwargs)
            ident = key(request)
            wait = used(scope, ident)
            if wait is not None:
                return too_many_requests(request, wait)
            response = view(request, *args, **kwargs)
            if counts is None or counts(response):
                record(scope, ident)
            return response

        return wrapped

    return decorator


def unknown_link(response) -> bool:
    """A token lookup that found nothing: what a guesser gets."""
    return response.status_code == 404
