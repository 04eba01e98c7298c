"""Secret links (survey, invitation, password reset) never reach the logs."""

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from django.urls import reverse
from gunicorn.config import Config

from apps.core.redaction import redact
from config.gunicorn_logger import RedactingLogger


@pytest.mark.pure
@pytest.mark.parametrize(
    "text,expected",
    [
        ("Not Found: /s/abc-DEF_123/", "Not Found: /s/[redacted]/"),
        ("GET /s/abc123/page/2/ HTTP/1.1", "GET /s/[redacted]/page/2/ HTTP/1.1"),
        ("/invitations/tok3n/", "/invitations/[redacted]/"),
        ("/accounts/password/reset/MQ/set-password/", "/accounts/password/reset/MQ/[redacted]/"),
        ("/accounts/signup/?invitation=tok3n&x=1", "/accounts/signup/?invitation=[redacted]&x=1"),
        ("/accounts/password/reset/sent/", "/accounts/password/reset/sent/"),
        ("/o/acme/rounds/", "/o/acme/rounds/"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


@pytest.mark.django_db
def test_django_request_log_lines_hide_the_link(client, round_, invite, caplog):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    from apps.surveys.models import Round, RoundStatus

    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("surveys:intro", args=["forged-link"])).status_code == 404
        assert client.get(reverse("surveys:page", args=[token, 1])).status_code == 410
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/s/[redacted]/" in logged
    assert token not in logged and "forged-link" not in logged


@pytest.mark.pure
def test_gunicorn_access_log_hides_the_link_in_path_and_referrer():
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/s/tok3n/answer/",
        "PATH_INFO": "/s/tok3n/answer/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://maturity.example.com/s/tok3n/page/1/",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, dt.timedelta(milliseconds=5))
    line = logger.cfg.access_log_format % atoms
    assert "tok3n" not in line and "/s/[redacted]/answer/" in line
    assert "tok3n" not in str(atoms)
