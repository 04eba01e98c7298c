"""The documented deployment (docker-compose.yml) puts the rate limits behind the proxy right."""

import shutil
import subprocess

import pytest
import yaml
from django.urls import reverse

from config.settings import BASE_DIR


@pytest.fixture(scope="module")
def compose():
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (.ci/run installs it)")
    rendered = subprocess.run(
        ["docker-compose", "config"],
        cwd=BASE_DIR,
        env={"DJANGO_SECRET_KEY": "x", "SITE_DOMAIN": "maturity.example.com", "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return yaml.safe_load(rendered)["services"]


def test_only_the_proxy_publishes_a_port(compose):
    published = {name for name, service in compose.items() if service.get("ports")}
    assert published == {"proxy"}
    assert compose["web"]["expose"] == ["8000"]


def test_the_app_trusts_exactly_the_one_proxy_hop(compose):
    for name in ("web", "worker", "account-worker", "beat", "migrate"):
        environment = compose[name]["environment"]
        assert environment["RATE_LIMIT_TRUSTED_PROXIES"] == "1", name
        assert environment["SITE_URL"] == "https://maturity.example.com", name
        assert environment["DJANGO_BEHIND_TLS_PROXY"] == "true", name


def test_the_proxy_overwrites_forwarded_headers():
    """Caddy replaces a client's X-Forwarded-For with the client's address unless told to trust
    another proxy: our Caddyfile must not tell it so."""
    caddyfile = (BASE_DIR / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert "trusted_proxies" not in caddyfile


@pytest.mark.django_db
def test_behind_the_proxy_clients_are_told_apart_and_forged_hops_do_not_help(client, settings):
    """With one trusted hop, the proxy's last address is the client: each real client has its own
    budget, and whatever a client forges in front of it does not give it a new one."""
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "link-guess": "3/600"}
    url = reverse("surveys:intro", args=["guess"])
    for n in range(3):
        forged = f"198.51.100.{n}, 203.0.113.7"  # "198.51.100.n" forged, the proxy appended .7
        assert client.get(url, HTTP_X_FORWARDED_FOR=forged).status_code == 404
    assert client.get(url, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 404
