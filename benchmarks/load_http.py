"""A small asyncio HTTP client for benchmarks/load.py: one `Browser` per simulated person.

Plain asyncio streams, one connection per request, HTTP/1.0 (what nginx speaks to its upstream
by default, and what gunicorn's sync workers serve: they close the connection after each
response anyway). Each browser keeps its own cookies (CSRF, session); every request is timed
and recorded as a `Sample` of a named kind (open, answer, submit, dashboard, ...).
"""

import asyncio
import re
import time
import urllib.parse
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 60.0


@dataclass(frozen=True)
class Sample:
    kind: str
    status: int  # 0 when the request raised (timeout, connection refused, ...)
    seconds: float
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 400


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), "")

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.header("location")).path


class FlowError(Exception):
    """The server answered, but not what the next step of the flow needs."""


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)


class Browser:
    def __init__(self, host: str, port: int, recorder: Recorder):
        self.host, self.port = host, port
        self.origin = f"http://{host}:{port}"
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.page = "/"  # the last page shown, the Referer of what is sent from it

    async def get(self, kind: str, path: str, headers: dict | None = None) -> Reply:
        return await self.request(kind, "GET", path, headers=headers)

    async def post(self, kind: str, path: str, form, headers: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(form).encode()
        extra = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,  # browsers send it on POST; Django's CSRF check reads it
            "Referer": self.origin + self.page,
            **(headers or {}),
        }
        return await self.request(kind, "POST", path, headers=extra, body=body)

    async def request(self, kind, method, path, *, headers=None, body=b"") -> Reply:
        started = time.perf_counter()
        try:
            reply = await asyncio.wait_for(
                self._exchange(method, path, headers or {}, body), REQUEST_TIMEOUT
            )
        except Exception as error:  # timeout, refused or reset connection, garbled reply
            self.recorder.add(Sample(kind, 0, time.perf_counter() - started, repr(error)))
            raise
        self.recorder.add(Sample(kind, reply.status, time.perf_counter() - started))
        self._keep_cookies(reply)
        if method == "GET" and reply.status == 200:
            self.page = path
        return reply

    async def _exchange(self, method, path, headers, body) -> Reply:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(self._head(method, path, headers, body) + body)
            await writer.drain()
            raw = await reader.read()  # HTTP/1.0: the server closes after the response
        finally:
            writer.close()
        return parse_reply(raw)

    def _head(self, method, path, headers, body) -> bytes:
        lines = [
            f"{method} {path} HTTP/1.0",
            f"Host: {self.host}:{self.port}",
            "User-Agent: maturity-load/1",
            "Accept: text/html,*/*",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body:
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{key}: {value}" for key, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _keep_cookies(self, reply: Reply) -> None:
        for key, value in reply.headers:
            if key == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0].strip('"')


def parse_reply(raw: bytes) -> Reply:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError(f"incomplete HTTP response ({len(raw)} bytes)")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ValueError(f"bad status line {status_line!r}")
    status = int(parts[1])
    headers = []
    for line in header_lines:
        key, _, value = line.partition(":")
        headers.append((key.strip().lower(), value.strip()))
    return Reply(status, headers, body.decode("utf-8", errors="replace"))


# --- Reading what the pages offer, as a browser would


def attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([\w:-]+)="([^"]*)"', tag))


def form_csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise FlowError("no CSRF token in the form")
    return match.group(1)


def htmx_csrf(html: str) -> str:
    """The token base.html hands htmx in `hx-headers` on <body>."""
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    if not match:
        raise FlowError("no X-CSRFToken in hx-headers")
    return match.group(1)


def form_action(html: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    if not match:
        raise FlowError("no POST form on the page")
    return match.group(1)


@dataclass(frozen=True)
class Question:
    name: str  # the radio group's name, q-<question id>
    choices: list[tuple[str, str]]  # (radio element id, choice id)
    save_url: str  # its hx-post


def radio_questions(html: str) -> list[Question]:
    """The questions on a survey page, in page order, with their choices and autosave URL."""
    groups: dict[str, Question] = {}
    for tag in re.findall(r'<input[^>]*type="radio"[^>]*>', html):
        attrs = attributes(tag)
        name = attrs["name"]
        if name not in groups:
            groups[name] = Question(name, [], attrs.get("hx-post", ""))
        groups[name].choices.append((attrs["id"], attrs["value"]))
    return list(groups.values())
