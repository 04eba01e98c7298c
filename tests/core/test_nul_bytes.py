"""A NUL byte (which PostgreSQL refuses in text) never makes a 500 (issue #11).

Free text in a URL (query parameters and the path) is refused with a 400 that says why; a token
name with a NUL in it is stored without it."""

import pytest
from django.urls import reverse

from apps.accounts.models import ApiToken
from apps.organizations.models import Role

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "contains a NUL character"


@pytest.fixture
def admin_user(member_of, client):
    user = member_of(Role.ADMIN, email="ada@acme.example", name="Ada Admin")
    client.force_login(user)
    return user


def test_member_search_with_a_nul_byte_is_a_400_that_says_why(client, org, admin_user):
    client.raise_request_exception = False
    response = client.get(reverse("organizations:member_list", args=[org.slug]), {"q": "a\x00b"})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_member_search_still_finds_people(client, org, admin_user):
    response = client.get(reverse("organizations:member_list", args=[org.slug]), {"q": "ada"})
    assert response.status_code == 200
    assert "Ada Admin" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/signup/?invitation=abc%00def",
        "/o/acme/dashboard/?team=%00&period=8",
        "/o/acme/teams/?archived=%00",
        "/o/acme/members/?q=%2500%00",
        "/admin/surveys/questionbank/?q=%00",
        "/admin/accounts/user/?q=x%00",
        "/s/abc%00def/",
        "/invitations/abc%00def/",
        "/o/acme%00/members/",
    ],
)
def test_a_nul_byte_anywhere_in_the_url_is_a_400(client, org, admin_user, url):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 400, url
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_byte_in_an_api_query_is_a_json_400(client, org, admin_user):
    client.raise_request_exception = False
    response = client.get("/api/v1/organizations/acme/rounds?team=%00")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()["detail"]


@pytest.fixture
def verified(admin_user):
    """Accounts that have not confirmed their address may not create tokens (django-allauth)."""
    from apps.accounts import services

    mark = getattr(services, "email_mark_verified", None)
    if mark is not None:
        mark(admin_user)
    return admin_user


@pytest.mark.parametrize("multipart", [True, False])
def test_a_token_name_with_a_nul_byte_is_stored_without_it(client, verified, multipart):
    client.raise_request_exception = False
    data = {"action": "create_token", "token_name": "Power\x00 BI"}
    url = reverse("accounts:profile")
    if multipart:
        response = client.post(url, data)
    else:
        from urllib.parse import urlencode

        response = client.post(
            url, urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 200
    assert "Token created" in response.content.decode()
    assert ApiToken.objects.get(user=verified).name == "Power BI"


def test_a_token_name_that_is_too_long_is_cut_not_a_500(client, verified):
    client.raise_request_exception = False
    response = client.post(
        reverse("accounts:profile"), {"action": "create_token", "token_name": "x" * 500}
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(user=verified).name == "x" * 100
