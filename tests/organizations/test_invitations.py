import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import QueuedJob
from apps.core.tokens import hash_token
from apps.organizations import services
from apps.organizations.access import organization_access
from apps.organizations.models import Invitation, Membership, Role, TeamMembership
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(org, member_of):
    return member_of(Role.ADMIN, email="admin@acme.example", name="Ada Admin")


def invite(client, org, email, role=Role.MEMBER, teams=()):
    return client.post(
        reverse("organizations:member_list", args=[org.slug]),
        {"email": email, "role": int(role), "teams": [t.pk for t in teams]},
    )


def link_from_last_email() -> str:
    body = mail.outbox[-1].body
    return next(line for line in body.splitlines() if "/invitations/" in line).strip()


def path_of(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_invite_sends_one_email_with_a_link_and_stores_only_the_hash(
    client, org, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, org, "New.Person@Example.com")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert "Acme" in mail.outbox[0].subject
    token = link_from_last_email().rsplit("/", 2)[-2]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    assert invitation.sent_at is not None
    assert (
        timedelta(days=13, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    )


def test_the_queued_email_job_holds_no_link_and_the_sent_link_works(
    client, org, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks() as callbacks:
        invite(client, org, "new.person@example.com")
    stored = json.dumps(list(QueuedJob.objects.values_list("args", flat=True)))
    for callback in callbacks:
        callback()  # the job runs: it derives the link again from the invitation
    link = link_from_last_email()
    token = link.rsplit("/", 2)[-2]
    assert token not in stored and link not in stored
    client.logout()
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert "Acme" in response.text


def test_reinvite_refreshes_instead_of_duplicating(
    client, org, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, org, "again@example.com")
    first_link = link_from_last_email()
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, org, "again@example.com", role=Role.EXECUTIVE)
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().role == Role.EXECUTIVE
    assert len(mail.outbox) == 2
    # The old link stopped working; the new one works.
    assert client.get(path_of(first_link)).status_code == 404
    client.logout()
    assert client.get(path_of(link_from_last_email())).status_code == 200


def test_inviting_an_existing_member_is_refused_with_a_message(client, org, admin, member_of):
    existing = member_of(Role.MEMBER, email="here@example.com")
    client.force_login(admin)
    response = invite(client, org, existing.email)
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_new_user_accepts_through_signup_and_joins_the_invited_teams(client, org, team, admin):
    access = organization_access(admin, org.slug)
    _, token = services.invitation_send(
        actor=access, email="fresh@example.com", role=Role.LEAD, teams=[team], invited_by=admin
    )
    page = client.get(reverse("organizations:invitation", args=[token]))
    assert "Create account and join" in page.content.decode()
    response = client.post(
        f"{reverse('accounts:signup')}?invitation={token}",
        {"name": "Fresh Face", "password": PASSWORD, "email": "ignored@evil.example"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="fresh@example.com")
    assert not User.objects.filter(email="ignored@evil.example").exists()
    membership = Membership.objects.get(user=user, organization=org)
    assert membership.role == Role.LEAD
    assert TeamMembership.objects.filter(team=team, membership=membership).exists()
    assert Invitation.objects.get().accepted_by == user


def test_existing_user_logged_in_as_the_invited_email_accepts(client, org, admin):
    user = UserFactory(email="known@example.com")
    access = organization_access(admin, org.slug)
    _, token = services.invitation_send(
        actor=access, email="KNOWN@example.com", role=Role.MEMBER, invited_by=admin
    )
    url = reverse("organizations:invitation", args=[token])
    assert "Log in to accept" in client.get(url).content.decode()
    client.force_login(user)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:dashboard", args=[org.slug])
    assert Membership.objects.filter(user=user, organization=org, role=Role.MEMBER).exists()


def test_accepting_while_logged_in_as_someone_else_is_refused(client, org, admin):
    intruder = UserFactory(email="intruder@example.com")
    access = organization_access(admin, org.slug)
    _, token = services.invitation_send(
        actor=access, email="target@example.com", role=Role.MEMBER, invited_by=admin
    )
    client.force_login(intruder)
    url = reverse("organizations:invitation", args=[token])
    page = client.get(url)
    assert page.status_code == 403
    assert "is for <strong>target@example.com</strong>" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 403
    assert not Membership.objects.filter(user=intruder, organization=org).exists()
    assert Invitation.objects.get().accepted_at is None


def test_reused_link_is_refused(client, org, admin):
    user = UserFactory(email="once@example.com")
    access = organization_access(admin, org.slug)
    _, token = services.invitation_send(
        actor=access, email=user.email, role=Role.MEMBER, invited_by=admin
    )
    client.force_login(user)
    url = reverse("organizations:invitation", args=[token])
    assert client.post(url).status_code == 302
    second = client.post(url)
    assert second.status_code == 410
    assert "already been accepted" in second.content.decode()
    assert Membership.objects.filter(user=user, organization=org).count() == 1


def test_expired_link_is_refused_and_says_so(client, org, admin):
    access = organization_access(admin, org.slug)
    _, token = services.invitation_send(
        actor=access, email="late@example.com", role=Role.MEMBER, invited_by=admin
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("organizations:invitation", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    signup = client.get(f"{reverse('accounts:signup')}?invitation={token}")
    assert signup.status_code == 410


def test_forged_link_is_404(client, db):
    response = client.get(reverse("organizations:invitation", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_admin_cannot_invite_an_owner_but_an_owner_can(client, org, admin, member_of):
    client.force_login(admin)
    response = invite(client, org, "boss@example.com", role=Role.OWNER)
    assert response.status_code == 200  # the role is not offered: a form error, nothing stored
    assert not Invitation.objects.exists()
    client.force_login(member_of(Role.OWNER))
    assert invite(client, org, "boss@example.com", role=Role.OWNER).status_code == 302
    assert Invitation.objects.get().role == Role.OWNER


def test_revoked_invitation_link_stops_working(client, org, admin):
    access = organization_access(admin, org.slug)
    invitation, token = services.invitation_send(
        actor=access, email="gone@example.com", role=Role.MEMBER, invited_by=admin
    )
    client.force_login(admin)
    client.post(
        reverse("organizations:invitation_update", args=[org.slug, invitation.public_id]),
        {"action": "revoke"},
    )
    client.logout()
    assert client.get(reverse("organizations:invitation", args=[token])).status_code == 404


def test_duplicate_delivery_of_the_email_task_sends_once(
    org, admin, django_capture_on_commit_callbacks
):
    from apps.organizations.tasks import send_invitation_email

    access = organization_access(admin, org.slug)
    invitation, _ = services.invitation_send(
        actor=access, email="dup@example.com", role=Role.MEMBER, invited_by=admin
    )
    send_invitation_email(invitation.pk, invitation.token_hash)
    send_invitation_email(invitation.pk, invitation.token_hash)
    assert len(mail.outbox) == 1
