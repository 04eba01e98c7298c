"""Secret links percent-encoded inside another URL (`?next=%2Finvitations%2F<token>`, also
encoded twice) never reach the logs either (issue #11)."""

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from apps.core.redaction import RedactSecretLinks, redact
from config.gunicorn_logger import RedactingLogger

TOKEN = "Zk9_secret-T0ken"


@pytest.mark.pure
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"/accounts/login/?next=%2Finvitations%2F{TOKEN}%2F",
            "/accounts/login/?next=/invitations/[redacted]/",
        ),
        (
            f"/accounts/login/?next=%252Finvitations%252F{TOKEN}%252F",
            "/accounts/login/?next=/invitations/[redacted]/",
        ),
        (
            f"/accounts/login/?next=%25252Fs%25252F{TOKEN}%25252Fpage%25252F1%25252F",
            "/accounts/login/?next=/s/[redacted]/page/1/",
        ),
        (f"/accounts/login/?next=%2fs%2f{TOKEN}", "/accounts/login/?next=/s/[redacted]"),
        (
            f"/accounts/login/?next=/accounts/signup/%3Finvitation%3D{TOKEN}",
            "/accounts/login/?next=/accounts/signup/?invitation=[redacted]",
        ),
        (
            f"/accounts/login/?next=%2Faccounts%2Fconfirm-email%2F{TOKEN}%2F",
            "/accounts/login/?next=/accounts/confirm-email/[redacted]/",
        ),
        (f"/accounts/confirm-email/{TOKEN}/", "/accounts/confirm-email/[redacted]/"),
        (f"/accounts/password/reset/key/1-{TOKEN}/", "/accounts/password/reset/key/[redacted]/"),
        # Nothing secret: left exactly as it was, still encoded.
        (
            "/accounts/login/?next=%2Fo%2Facme%2Fmembers%2F",
            "/accounts/login/?next=%2Fo%2Facme%2Fmembers%2F",
        ),
        ("/o/acme/members/?q=ada%20lovelace", "/o/acme/members/?q=ada%20lovelace"),
        ("100% done", "100% done"),
    ],
)
def test_redact_decodes_percent_encoding(text, expected):
    assert redact(text) == expected


@pytest.mark.pure
def test_the_request_line_of_djangos_server_log_hides_an_encoded_link():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /accounts/login/?next=%2Finvitations%2F{TOKEN}%2F HTTP/1.1", "200", "512"),
        None,
    )
    RedactSecretLinks().filter(record)
    line = record.getMessage()
    assert TOKEN not in line
    assert line == '"GET /accounts/login/?next=/invitations/[redacted]/ HTTP/1.1" 200 512'


@pytest.mark.django_db
def test_djangos_request_log_hides_an_encoded_link(client, caplog):
    """django.request logs the (decoded) path of a 404: an encoded `next` inside it is hidden."""
    url = f"/accounts/nowhere%3Fnext%3D%252Finvitations%252F{TOKEN}%252F/"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(url).status_code == 404
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Not Found: /accounts/nowhere?next=/invitations/[redacted]/" in logged
    assert TOKEN not in logged


@pytest.mark.pure
def test_gunicorn_access_log_hides_an_encoded_link_in_the_request_line_and_referrer():
    logger = RedactingLogger(Config())
    query = f"next=%2Finvitations%2F{TOKEN}%2F"
    referrer = f"https://maturity.example.com/accounts/login/?next=%252Fs%252F{TOKEN}%252F"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/accounts/login/?{query}",
        "PATH_INFO": "/accounts/login/",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referrer,
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referrer)])
    atoms = logger.atoms(response, request, environ, dt.timedelta(milliseconds=5))
    line = logger.cfg.access_log_format % atoms
    assert TOKEN not in line and TOKEN not in str(atoms)
    assert '"GET /accounts/login/?next=/invitations/[redacted]/ HTTP/1.1"' in line
    assert '"https://maturity.example.com/accounts/login/?next=/s/[redacted]/"' in line
