"""A Host outside ALLOWED_HOSTS is a plain 400 on every URL, never a 500 (issue #11)."""

import pytest


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["maturity.example.com"]


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/admin/", "/api/v1/teams", "/no-such-page/", "/s/abc/"]
)
def test_a_foreign_host_gets_a_plain_400(client, db, production_like, path):
    client.raise_request_exception = False
    response = client.get(path, HTTP_HOST="evil.example.net")
    assert response.status_code == 400
    assert b"That request did not make sense to us" in response.content


def test_a_foreign_host_posting_gets_a_400(client, db, production_like):
    client.raise_request_exception = False
    response = client.post("/accounts/login/", {"username": "x"}, HTTP_HOST="evil.example.net")
    assert response.status_code == 400


def test_healthz_answers_an_internal_host_name(client, db, production_like):
    """The compose health check calls http://127.0.0.1:8000/healthz, a host not in the list."""
    client.raise_request_exception = False
    for host in ("127.0.0.1:8000", "web:8000", "evil.example.net"):
        response = client.get("/healthz", HTTP_HOST=host)
        assert response.status_code == 200, host
        assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_on_an_allowed_host_still_works(client, db, production_like):
    response = client.get("/healthz", HTTP_HOST="maturity.example.com")
    assert response.status_code == 200
