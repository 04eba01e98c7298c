import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from apps.organizations.models import Membership, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_creates_an_organization_owned_by_the_new_user(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "name": "Nora N",
            "email": "Nora@Example.com",
            "password": PASSWORD,
            "organization_name": "Nora Labs",
        },
        follow=True,
    )
    user = User.objects.get(email="nora@example.com")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.organization.name == "Nora Labs"
    assert membership.organization.slug == "nora-labs"
    assert response.redirect_chain[-1][0] == reverse("organizations:dashboard", args=["nora-labs"])
    assert "Welcome!" in response.content.decode()


def test_sign_up_refuses_a_taken_email_and_a_weak_password(client):
    UserFactory(email="taken@example.com")
    response = client.post(
        reverse("accounts:signup"),
        {"name": "X", "email": "TAKEN@example.com", "password": "123", "organization_name": "X"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "already exists" in html
    assert "too short" in html
    assert User.objects.count() == 1


def test_two_organizations_with_the_same_name_get_distinct_slugs(client):
    for n in range(2):
        client.post(
            reverse("accounts:signup"),
            {
                "name": "A",
                "email": f"a{n}@example.com",
                "password": PASSWORD,
                "organization_name": "Same Name",
            },
        )
        client.logout()
    assert sorted(Membership.objects.values_list("organization__slug", flat=True)) == [
        "same-name",
        "same-name-2",
    ]


def test_log_in_with_email_in_any_case_and_log_out(client):
    UserFactory(email="case@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "CASE@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="who@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "who@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "correct e-mail" in response.content.decode().replace("email", "e-mail")


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")


def test_password_reset_by_email_end_to_end(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "Forgetful@example.com"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your password"
    link = re.search(
        r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body
    ).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")
    # The link works once.
    assert "not valid any more" in client.get(link, follow=True).content.decode()


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


def test_home_sends_a_logged_in_user_without_organization_to_create_one(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response["Location"] == reverse("organizations:create")
    response = client.post(
        reverse("organizations:create"), {"name": "Solo", "time_zone": "Europe/Berlin"}
    )
    membership = Membership.objects.get()
    assert membership.role == Role.OWNER and membership.organization.time_zone == "Europe/Berlin"


@pytest.mark.django_db
def test_a_failed_log_in_is_announced_to_screen_readers(client):
    html = client.post(
        reverse("accounts:login"), {"username": "nobody@example.com", "password": "wrong"}
    ).content.decode()
    assert 'class="alert alert-block alert-danger" role="alert"' in html
