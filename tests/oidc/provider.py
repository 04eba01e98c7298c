"""A real OpenID Connect provider in its own process for the single sign-on tests: panva's
oidc-provider (tests/oidc/server.mjs), installed from tests/oidc/package-lock.json with
`npm ci` the first time (node_modules is not committed).

`oidc_provider` (session fixture) starts it on a free port; `sign_in_at_provider` plays the
person at the provider's log-in page over HTTP, for the tests that need no browser.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
CLIENT_ID = "maturity"
CLIENT_SECRET = "maturity-test-secret"
# Where the provider may send people back: the test client's host and any live server.
REDIRECT_PREFIXES = "http://testserver/,http://localhost:,http://127.0.0.1:"


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _install() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    if not shutil.which("npm"):
        _unavailable("npm not found: the single sign-on tests need Node 20 and npm")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def oidc_provider():
    if not shutil.which("node"):
        _unavailable("node not found: the single sign-on tests need Node 20")
    _install()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "REDIRECT_PREFIXES": REDIRECT_PREFIXES, "OIDC_ISSUER": issuer}
    process = subprocess.Popen(
        ["node", "server.mjs", str(port)],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.poll() is not None else ""
                    pytest.fail(f"the test OpenID Connect provider did not start:\n{output}")
                time.sleep(0.1)
        yield OidcProvider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def sign_in_at_provider(authorize_url: str, login: str, *, back_to: str = "http://testserver/"):
    """Follow `authorize_url` at the provider, log in as `login` (any password), and return the
    URL the provider sends the browser back to (our callback, with code and state)."""
    session = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(back_to):
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert form, f"no log-in form at the provider: {response.status_code} {response.text[:300]}"
        response = session.post(
            urljoin(url, form.group(1)),
            data={"prompt": "login", "login": login, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.is_redirect, response.text[:300]
        url = urljoin(url, response.headers["Location"])
        if url.startswith(back_to):
            return url
    raise AssertionError(f"the provider never sent the browser back to {back_to}")
