"""Organization names are not unique: invitations say who sent them, with their e-mail address."""

import pytest
from django.core import mail
from django.urls import reverse

from apps.organizations.models import Invitation, Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SENDER = "Ada Lovelace (ada@contoso.example) invited you to join Contoso AI"


@pytest.fixture
def contoso():
    return OrganizationFactory(name="Contoso AI", slug="contoso-ai")


@pytest.fixture
def ada(contoso):
    user = UserFactory(name="Ada Lovelace", email="ada@contoso.example")
    MembershipFactory(organization=contoso, user=user, role=Role.ADMIN)
    return user


def send(client, org, inviter, email, django_capture_on_commit_callbacks):
    client.force_login(inviter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations:member_list", args=[org.slug]),
            {"email": email, "role": int(Role.MEMBER)},
        )
    assert response.status_code == 302
    client.logout()
    message = mail.outbox[-1]
    link = next(line for line in message.body.splitlines() if "/invitations/" in line).strip()
    return message, "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_the_email_and_the_page_name_the_inviter_and_their_address(
    client, contoso, ada, django_capture_on_commit_callbacks
):
    message, path = send(
        client, contoso, ada, "new@example.com", django_capture_on_commit_callbacks
    )
    assert message.subject == SENDER
    assert SENDER in message.body
    html = message.alternatives[0][0]
    assert "Ada Lovelace (ada@contoso.example)" in html and "Contoso AI" in html

    page = client.get(path).content.decode()
    assert "<strong>Ada Lovelace (ada@contoso.example)</strong> invited you" in page
    assert "to join <strong>Contoso AI</strong>" in page


def test_a_look_alike_organization_shows_the_strangers_address(
    client, contoso, ada, django_capture_on_commit_callbacks
):
    """Someone registers another "Contoso AI": the invitee sees it comes from their address."""
    fake = OrganizationFactory(name="Contoso AI", slug="contoso-ai-2")
    mallory = UserFactory(name="Contoso AI Team", email="mallory@evil.example")
    MembershipFactory(organization=fake, user=mallory, role=Role.OWNER)
    message, path = send(
        client, fake, mallory, "victim@example.com", django_capture_on_commit_callbacks
    )
    expected = "Contoso AI Team (mallory@evil.example) invited you to join Contoso AI"
    assert message.subject == expected
    assert "mallory@evil.example" in client.get(path).content.decode()


def test_an_inviter_without_a_name_is_shown_by_address(
    client, contoso, django_capture_on_commit_callbacks
):
    nameless = UserFactory(name="", email="ops@contoso.example")
    MembershipFactory(organization=contoso, user=nameless, role=Role.ADMIN)
    message, path = send(
        client, contoso, nameless, "new@example.com", django_capture_on_commit_callbacks
    )
    assert message.subject == "ops@contoso.example invited you to join Contoso AI"
    assert "<strong>ops@contoso.example</strong> invited you" in client.get(path).content.decode()


def test_an_inviter_whose_account_is_gone_is_not_invented(
    client, contoso, ada, django_capture_on_commit_callbacks
):
    _message, path = send(
        client, contoso, ada, "new@example.com", django_capture_on_commit_callbacks
    )
    Invitation.objects.update(invited_by=None)
    page = client.get(path).content.decode()
    assert "ada@contoso.example" not in page
    assert "Contoso AI" in page
