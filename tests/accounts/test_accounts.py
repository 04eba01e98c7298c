import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from apps.organizations.access import organization_access
from apps.organizations.models import Membership, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email, *, name="Nora N", organization="Nora Labs", password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:signup"),
        {"name": name, "email": email, "password1": password, "organization_name": organization},
        **extra,
    )


def link_in(message, path_prefix):
    return re.search(rf"https?://[^/\s]+({path_prefix}\S+)", message.body).group(1)


def test_sign_up_creates_an_organization_once_the_address_is_confirmed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "Nora@Example.com", follow=True)
    assert "Check your e-mail" in response.content.decode()
    user = User.objects.get(email="nora@example.com")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER and membership.organization.slug == "nora-labs"
    # Not logged in until the address is confirmed.
    assert "_auth_user_id" not in client.session
    (message,) = mail.outbox
    assert message.subject == "Maturity: Confirm your e-mail address"
    confirm = link_in(message, "/accounts/confirm-email/")
    page = client.get(confirm)
    assert "Is <strong>nora@example.com</strong> your address?" in page.content.decode()
    response = client.post(confirm, follow=True)
    assert response.redirect_chain[-1][0] in (
        reverse("organizations:home"),
        reverse("organizations:dashboard", args=["nora-labs"]),
    )
    assert int(client.session["_auth_user_id"]) == user.pk


def test_an_unconfirmed_account_cannot_log_in_and_gets_a_new_link(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="late@example.com", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:login"), {"login": "late@example.com", "password": PASSWORD}
        )
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [["late@example.com"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_sign_up_with_a_known_address_looks_the_same_and_mails_the_owner(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        taken = sign_up(client, "TAKEN@example.com", organization="Mallory Inc")
        fresh = sign_up(client, "fresh@example.com", organization="Fresh Inc")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email="taken@example.com").count() == 1
    assert not Membership.objects.filter(organization__name="Mallory Inc").exists()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["taken@example.com"].subject == "Maturity: You already have an account"
    assert "already has an account" in by_address["taken@example.com"].body
    assert "already exists" not in client.get(taken["Location"]).content.decode()


def test_sign_up_refuses_a_weak_password(client):
    response = sign_up(client, "weak@example.com", password="123")
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.exists()


def test_an_internationalized_domain_is_one_account_in_either_spelling(
    client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "x@bücher.example")
    cache.clear()  # one confirmation mail per address per 3 minutes: let the next one go
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(Client(), "X@XN--BCHER-KVA.example", organization="Second")
    assert list(User.objects.values_list("email", flat=True)) == ["x@xn--bcher-kva.example"]
    assert sorted(m.subject for m in mail.outbox) == [
        "Maturity: Confirm your e-mail address",
        "Maturity: You already have an account",
    ]
    user = User.objects.get()
    from apps.accounts.services import email_mark_verified

    email_mark_verified(user)
    response = client.post(
        reverse("accounts:login"), {"login": "x@BÜCHER.example", "password": PASSWORD}
    )
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk


def test_two_organizations_with_the_same_name_get_distinct_slugs(client):
    for n in range(2):
        sign_up(client, f"a{n}@example.com", organization="Same Name")
    assert sorted(Membership.objects.values_list("organization__slug", flat=True)) == [
        "same-name",
        "same-name-2",
    ]


def test_log_in_with_email_in_any_case_and_log_out(client):
    UserFactory(email="case@example.com")
    response = client.post(
        reverse("accounts:login"), {"login": "CASE@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="who@example.com")
    response = client.post(
        reverse("accounts:login"), {"login": "who@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_password_change_keeps_this_session_and_ends_the_others_and_every_token(
    client, django_capture_on_commit_callbacks
):
    from django.test import Client

    from apps.accounts.services import api_token_create, api_token_user

    user = UserFactory(email="ada@example.com")
    _, token = api_token_create(user=user, name="BI")
    elsewhere = Client()
    assert (
        elsewhere.post(
            reverse("accounts:login"), {"login": "ada@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_change"),
            {
                "oldpassword": PASSWORD,
                "password1": "a-brand-new-passphrase",
                "password2": "a-brand-new-passphrase",
            },
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in here
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302  # logged out there
    assert api_token_user(token) is None
    assert mail.outbox[-1].subject == "Maturity: Your password was changed"


def test_password_reset_by_email_end_to_end(client, django_capture_on_commit_callbacks):
    from apps.accounts.services import api_token_create, api_token_user

    user = UserFactory(email="forgetful@example.com")
    _, token = api_token_create(user=user, name="BI")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "Forgetful@example.com"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Maturity: Reset your password"
    link = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"password1": "another-long-passphrase", "password2": "another-long-passphrase"},
            follow=True,
        )
    assert "Your password was changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")
    assert api_token_user(token) is None  # whoever made a token with the old password: gone
    # The link works once.
    assert "not valid any more" in client.get(link, follow=True).content.decode()


def test_e_mailed_links_ignore_the_host_header(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://maturity.example.com"
    UserFactory(email="ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:password_reset"),
            {"email": "ada@example.com"},
            HTTP_HOST="testserver:6666",
        )
        sign_up(client, "new@example.com", HTTP_HOST="testserver:6666")
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "6666" not in message.body
        assert "https://maturity.example.com/accounts/" in message.body


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_updates_the_name(client):
    user = UserFactory(name="Old")
    client.force_login(user)
    client.post(reverse("accounts:profile"), {"name": "New Name"})
    user.refresh_from_db()
    assert user.name == "New Name"


def test_an_unconfirmed_account_cannot_make_api_tokens_nor_use_old_ones(client):
    from apps.accounts.models import ApiToken
    from apps.accounts.services import api_token_user
    from apps.core.tokens import hash_token

    user = UserFactory(verified=False)
    client.force_login(user)  # e.g. a session from before verification existed
    response = client.post(
        reverse("accounts:profile"), {"action": "create_token", "token_name": "x"}, follow=True
    )
    assert "Confirm your e-mail address before creating API tokens." in response.content.decode()
    assert not ApiToken.objects.exists()
    ApiToken.objects.create(user=user, name="old", prefix="mat_old", token_hash=hash_token("t"))
    assert api_token_user("t") is None


def test_account_pre_hijacking_is_closed(client, org, django_capture_on_commit_callbacks):
    """The attack of issue #11: sign up with the victim's address, make a token, wait."""
    from django.test import Client

    from apps.organizations import services as org_services

    attacker = Client()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(attacker, "victim@acme.example", password="attacker-knows-this")
    # The attacker cannot log in (the address is unconfirmed), so cannot make a token.
    assert attacker.post(
        reverse("accounts:login"),
        {"login": "victim@acme.example", "password": "attacker-knows-this"},
    )["Location"] == reverse("account_email_verification_sent")
    assert attacker.get(reverse("accounts:profile")).status_code == 302
    # The victim resets the password (the e-mail proves the address) and joins as executive.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "victim@acme.example"})
    link = link_in(mail.outbox[-1], "/accounts/password/reset/key/")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(link, follow=True)
        client.post(
            page.redirect_chain[-1][0],
            {"password1": "victims-own-passphrase", "password2": "victims-own-passphrase"},
        )
    victim = User.objects.get(email="victim@acme.example")
    assert not victim.check_password("attacker-knows-this")
    owner = UserFactory()
    Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
    _, invitation_token = org_services.invitation_send(
        actor=organization_access(owner, org.slug),
        email="victim@acme.example",
        role=Role.EXECUTIVE,
        invited_by=owner,
    )
    org_services.invitation_accept(token=invitation_token, user=victim)
    # The attacker's password no longer works, and there is no token of theirs.
    refused = attacker.post(
        reverse("accounts:login"),
        {"login": "victim@acme.example", "password": "attacker-knows-this"},
    )
    assert refused.status_code == 200
    assert victim.api_tokens.count() == 0


def test_an_invitation_link_proves_the_address(client, org, member_of):
    from apps.accounts.services import email_verified
    from apps.organizations import services as org_services

    owner = member_of(Role.OWNER)
    _, token = org_services.invitation_send(
        actor=organization_access(owner, org.slug),
        email="new@acme.example",
        role=Role.MEMBER,
        invited_by=owner,
    )
    response = client.post(
        reverse("accounts:signup") + f"?invitation={token}",
        {"name": "New Person", "password": "a-long-passphrase"},
    )
    assert response["Location"] == reverse("organizations:dashboard", args=[org.slug])
    user = User.objects.get(email="new@acme.example")
    assert email_verified(user) and int(client.session["_auth_user_id"]) == user.pk


def test_home_sends_a_logged_in_user_without_organization_to_create_one(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response["Location"] == reverse("organizations:create")
    response = client.post(
        reverse("organizations:create"), {"name": "Solo", "time_zone": "Europe/Berlin"}
    )
    membership = Membership.objects.get()
    assert membership.role == Role.OWNER and membership.organization.time_zone == "Europe/Berlin"


def test_a_failed_log_in_is_announced_to_screen_readers(client):
    html = client.post(
        reverse("accounts:login"), {"login": "nobody@example.com", "password": "wrong"}
    ).content.decode()
    assert 'class="alert alert-block alert-danger" role="alert"' in html
