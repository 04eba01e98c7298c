"""The same member invitation sent 8 times at once: one invitation, one e-mail, no error page."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from apps.core.models import QueuedJob
from apps.organizations import services
from apps.organizations.models import Invitation, Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

PARALLEL = 8


@pytest.mark.django_db(transaction=True)
def test_eight_identical_invitations_at_once_make_one(monkeypatch):
    org = OrganizationFactory(name="Acme", slug="acme")
    admin = MembershipFactory(organization=org, role=Role.ADMIN, user=UserFactory()).user
    barrier = threading.Barrier(PARALLEL)
    original = services.invitation_send

    def held_open(**kwargs):
        # Every request's transaction begins before any commits, and the first to insert keeps
        # its transaction open a moment: all of them find no pending invitation.
        with transaction.atomic():
            Invitation.objects.count()
            barrier.wait(timeout=10)
            result = original(**kwargs)
            time.sleep(0.5)
            return result

    monkeypatch.setattr(services, "invitation_send", held_open)
    results = []

    def send():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(admin)
            response = client.post(
                reverse("organizations:member_list", args=["acme"]),
                {"email": "Same.Person@example.com", "role": int(Role.MEMBER)},
                follow=True,
            )
            results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in results) == [200] * PARALLEL
    sent = [page for _, page in results if "Invitation sent to same.person@example.com" in page]
    already = [
        page for _, page in results if "same.person@example.com is already invited to Acme" in page
    ]
    assert (len(sent), len(already)) == (1, PARALLEL - 1)
    assert Invitation.objects.filter(organization=org).count() == 1
    assert QueuedJob.objects.filter(task__endswith="send_invitation_email").count() == 1


@pytest.mark.django_db(transaction=True)
def test_identical_invitations_racing_naturally_never_fail():
    """Without holding anything open: those that arrive after the first commit refresh it (a
    re-invite), those that collide with it are told it is already invited; never a 500."""
    org = OrganizationFactory(name="Acme", slug="acme")
    admin = MembershipFactory(organization=org, role=Role.ADMIN, user=UserFactory()).user
    barrier = threading.Barrier(PARALLEL)
    results = []

    def send():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(admin)
            barrier.wait(timeout=10)
            response = client.post(
                reverse("organizations:member_list", args=["acme"]),
                {"email": "same.person@example.com", "role": int(Role.MEMBER)},
                follow=True,
            )
            results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in results) == [200] * PARALLEL
    assert all(
        "Invitation sent to same.person@example.com" in page
        or "same.person@example.com is already invited to Acme" in page
        for _, page in results
    )
    assert Invitation.objects.filter(organization=org).count() == 1
