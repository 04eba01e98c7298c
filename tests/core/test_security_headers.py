"""Security headers on every kind of page: CSP without inline scripts or styles, frame denial,
referrer policy, nosniff; personal survey pages are never cached."""

import re

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from tests.factories import UserFactory
from tests.support.access import CASES, org_world, url_for

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_secure(response, url: str) -> None:
    csp = csp_directives(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert csp[directive] == ["'self'"], f"{url}: {directive} {csp[directive]}"
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], url
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        # What the CSP would block must not be there in the first place.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{url}: inline script"
        assert not re.search(r"\son[a-z]+=\"", html), f"{url}: inline event handler"
        assert not re.search(r"\sstyle=\"", html), f"{url}: inline style"


def test_every_org_page_as_an_owner(client, org, team, member_of):
    world = org_world(org, team)
    client.force_login(member_of(Role.OWNER))
    seen = 0
    for case in CASES:
        if case.method == "get":
            url = url_for(case, world)
            response = client.get(url)
            assert response.status_code == 200, url
            assert_secure(response, url)
            seen += 1
    assert seen >= 15


def test_public_account_error_and_api_responses(client, member_of, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "link-guess": "1/600"}
    urls = [
        "/",
        reverse("accounts:login"),
        reverse("accounts:signup"),
        reverse("accounts:password_reset"),
        "/no/such/page/",
        reverse("api:openapi-json"),
        reverse("api:list_organizations"),
        reverse("surveys:intro", args=["forged"]),
        reverse("surveys:intro", args=["forged-again"]),  # 429
    ]
    statuses = []
    for url in urls:
        response = client.get(url)
        statuses.append(response.status_code)
        assert_secure(response, url)
    assert 429 in statuses and 404 in statuses and 401 in statuses
    client.force_login(member_of(Role.MEMBER))
    for url in (reverse("accounts:profile"), reverse("surveys:mine")):
        assert_secure(client.get(url), url)


def test_admin_pages(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in ("/admin/", "/admin/surveys/questionbank/", "/admin/surveys/question/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_survey_pages_are_not_cached_and_keep_the_link_out_of_referrers(client, round_, invite):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    for url in (
        reverse("surveys:intro", args=[token]),
        reverse("surveys:page", args=[token, 1]),
        reverse("surveys:review", args=[token]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_secure(response, url)
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        assert "private" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
