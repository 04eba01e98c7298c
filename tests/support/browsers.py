"""Browsers over real HTTP (to a live server or gunicorn), and requests sent at one moment."""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request


class Browser:
    """A minimal HTTP client with its own cookies (for the CSRF token): one person's browser."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def get(self, path: str) -> int:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict | None = None) -> int:
        csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            self.base_url + path,
            data=urllib.parse.urlencode(data or {}).encode(),
            headers={"X-CSRFToken": csrf, "Referer": self.base_url + path},
            method="POST",
        )
        return self._open(request)

    def _open(self, request) -> int:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run_at_once(jobs) -> list:
    """Run every job in its own thread, all released at the same moment; their results."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        results[index] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
