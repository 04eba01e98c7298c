"""Rate limits on the doors people could hammer: log-in, password reset, sign-up, invitations,
survey links and the API, counted in the cache (Redis in production).

Three kinds, chosen so that a guesser is stopped and the real person is not locked out:
- `limit`: fixed windows (`"count/seconds"` in `settings.RATE_LIMITS`); over the count, 429 with
  `Retry-After` until the window ends.
- `guard_links`: unknown secret links count per address, and over the count only unknown links
  get 429. A real link always works: with 256-bit tokens no rate makes guessing feasible, so the
  limit only needs to stop floods, not to hide which links exist.
- `backoff` (log-in): the first failures are free, then each further attempt must wait twice as
  long as the last (up to a ceiling) before the password is even checked. The right password,
  tried after the wait, always gets in, and a success clears the account's count.

When the cache is down the limits open rather than lock everybody out: answering a survey
matters more than counting.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from apps.core.text import normalize_email

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


def take(scope: str, ident: str) -> int | None:
    """Count one attempt against `scope` for `ident` first, then say how many seconds to wait
    if that went over the window's count (None: go ahead).

    For limits where every request counts (a survey link), checking and counting are one step:
    on Redis one round trip (INCR, and EXPIRE only if the window has no expiry yet), where
    `used` then `record` take four (GET, SET NX, EXISTS, INCR). An attempt refused over the
    count counts too; the fixed window ends at the same moment either way."""
    found = _window(scope, ident)
    if found is None:
        return None
    rate, key, retry_after = found
    try:
        count = _count_one(key, rate.seconds + 1)
    except Exception:  # the cache is down: let people in
        log.warning("Rate limit cache unavailable; '%s' not checked.", scope, exc_info=True)
        return None
    return retry_after if count > rate.count else None


def _count_one(key: str, timeout: int) -> int:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django's cache API has no "increment, creating with an expiry": its incr is EXISTS
        # then INCR, and fails on a missing key. Its own client (same pool, same key scheme,
        # and it reads back the plain integer INCR stores) does it in one pipelined trip.
        full_key = backend.make_and_validate_key(key)
        pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, timeout, nx=True)
        return pipe.execute()[0]
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: start the new window
        cache.set(key, 1, timeout=timeout)
        return 1


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many_requests(request, retry_after: int) -> HttpResponse:
    """The 429 page (or JSON, or an htmx fragment) with Retry-After."""
    wait = _wait_text(retry_after)
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
            if counts is None:  # every request counts: count and check in one step
                wait = take(scope, ident)
                if wait is not None:
                    return too_many_requests(request, wait)
                return view(request, *args, **kwargs)
            wait = used(scope, ident)
            if wait is not None:
                return too_many_requests(request, wait)
            response = view(request, *args, **kwargs)
            if counts(response):
                record(scope, ident)
            return response

        return wrapped

    return decorator


def unknown_link(response) -> bool:
    """A token lookup that found nothing: what a guesser gets."""
    return response.status_code == 404


def guard_links(scope: str, *, key=client_ip):
    """Decorate a view taking a secret link: unknown links (404) count against `scope`, and once
    it is used up they get 429. Known links are always served, so nobody is locked out of their
    own survey by someone else's guesses from the same address."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if not unknown_link(response):
                return response
            ident = key(request)
            wait = used(scope, ident)
            if wait is not None:
                return too_many_requests(request, wait)
            record(scope, ident)
            return response

        return wrapped

    return decorator


# --- Back-off for log-ins: free failures, then doubling waits.


@dataclass(frozen=True)
class Backoff:
    free: int  # failures before any wait
    ceiling: int  # the longest wait, seconds

    @classmethod
    def parse(cls, text: str) -> "Backoff":
        free, ceiling = text.split("/")
        return cls(int(free), int(ceiling))

    def delay(self, failures: int) -> int:
        """Seconds to wait after the last failure, once `failures` were counted."""
        if failures < self.free:
            return 0
        return min(self.ceiling, 2 ** (failures - self.free + 1))


def _backoff_key(scope: str, ident: str) -> tuple[Backoff, str] | None:
    if not settings.RATE_LIMITS_ENABLED or scope not in settings.BACKOFF_LIMITS:
        return None
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    return Backoff.parse(settings.BACKOFF_LIMITS[scope]), f"bo:{scope}:{digest}"


def backoff_wait(scope: str, ident: str) -> int | None:
    """Seconds `ident` must still wait before its next attempt, or None."""
    found = _backoff_key(scope, ident)
    if found is None:
        return None
    policy, key = found
    try:
        failures, last = cache.get(key, (0, 0.0))
    except Exception:
        log.warning("Rate limit cache unavailable; '%s' not checked.", scope, exc_info=True)
        return None
    remaining = last + policy.delay(failures) - time.time()
    return math.ceil(remaining) if remaining > 0 else None


def backoff_fail(scope: str, ident: str) -> None:
    """Count a failure; the count is forgotten after a quiet day."""
    found = _backoff_key(scope, ident)
    if found is None:
        return
    _, key = found
    try:
        failures, _ = cache.get(key, (0, 0.0))
        cache.set(key, (failures + 1, time.time()), timeout=24 * 3600)
    except Exception:
        log.warning("Rate limit cache unavailable; '%s' not counted.", scope, exc_info=True)


def backoff_clear(scope: str, ident: str) -> None:
    found = _backoff_key(scope, ident)
    if found is None:
        return
    try:
        cache.delete(found[1])
    except Exception:
        log.warning("Rate limit cache unavailable; '%s' not cleared.", scope, exc_info=True)


def login_backoff(view, *, email_field: str = "login", refused=None):
    """Decorate a log-in view: failures slow down the address and the account (see module).

    `refused(request, wait_seconds, wait_text)` renders the answer while waiting (default: the
    429 page); it should keep the 429 status and set Retry-After.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        address = client_ip(request)
        account = normalize_email(request.POST.get(email_field, ""))
        waits = [backoff_wait("login", address), backoff_wait("login-account", account)]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            if refused is None:
                return too_many_requests(request, wait)
            response = refused(request, wait, _wait_text(wait))
            response["Retry-After"] = str(wait)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:  # the form again, with an error; success redirects
            backoff_fail("login", address)
            backoff_fail("login-account", account)
        else:
            backoff_clear("login-account", account)
        return response

    return wrapped
