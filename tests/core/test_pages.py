import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_landing_page_invites_to_sign_up(client):
    html = client.get("/").content.decode()
    assert "Create your organization" in html
    assert reverse("accounts:signup") in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_pages_carry_csp_without_inline_scripts_and_frame_denial(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.content.decode()


def test_static_assets_are_served_locally_not_from_a_cdn(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "cdn" not in html.lower()


def test_csrf_is_enforced_on_forms(db):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "a@b.c", "password": "x"})
    assert response.status_code == 403


def test_outbox_is_debug_only(client, settings):
    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404


def test_outbox_lists_sent_mail_in_debug(client, settings, tmp_path):
    from django.core.mail import EmailMessage

    from apps.core.outbox import OutboxBackend

    settings.DEBUG = True
    settings.EMAIL_OUTBOX_DIR = tmp_path
    OutboxBackend().send_messages(
        [EmailMessage("Hello there", "Open http://x/invitations/abc/", to=["a@b.c"])]
    )
    html = client.get("/dev/outbox/").content.decode()
    assert "Hello there" in html and "a@b.c" in html and 'href="http://x/invitations/abc/"' in html


def test_an_unexpected_error_shows_a_friendly_500_page(client):
    from unittest import mock

    client.raise_request_exception = False
    with mock.patch("apps.core.views.connection.cursor", side_effect=RuntimeError("boom")):
        response = client.get("/healthz")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "boom" not in html


def test_403_page_explains_and_offers_a_way_back(client, org, member_of):
    client.force_login(member_of())
    response = client.get(reverse("organizations:member_list", args=[org.slug]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html and "admin role or higher" in html


@pytest.mark.parametrize("cookie", ["abcdefgh\x00ijklmnop", "abcdefgh'ijklmnop", "é" * 32])
def test_a_malformed_session_cookie_is_no_session_not_a_500(client, cookie):
    client.cookies["sessionid"] = cookie
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("api:list_organizations")).status_code == 401


def test_a_real_session_still_works(client, member_of):
    client.force_login(member_of())
    assert client.get(reverse("accounts:profile")).status_code == 200
