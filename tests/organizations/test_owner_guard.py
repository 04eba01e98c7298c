"""An organization always keeps an owner: under concurrent changes, and against Django admin."""

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.organizations import services
from apps.organizations.models import Membership, Organization, Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

LAST_OWNER = "The organization needs at least one owner. Make someone else owner first."


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _held_open(original, barrier: threading.Barrier):
    """Run the service in a transaction that both requests enter together and that stays open
    a moment after the guard, so that without a lock both guards count two owners."""

    def run(**kwargs):
        with transaction.atomic():
            Membership.objects.count()  # the transaction has begun
            barrier.wait(timeout=10)
            result = original(**kwargs)
            time.sleep(0.5)
            return result

    return run


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["demote", "remove"])
def test_two_owners_demoting_or_removing_each_other_at_once_leave_one_owner(monkeypatch, action):
    org = OrganizationFactory(name="Acme", slug="acme")
    ada = MembershipFactory(organization=org, role=Role.OWNER, user=UserFactory(name="Ada"))
    bob = MembershipFactory(organization=org, role=Role.OWNER, user=UserFactory(name="Bob"))
    barrier = threading.Barrier(2)
    service = "membership_remove" if action == "remove" else "membership_change_role"
    monkeypatch.setattr(services, service, _held_open(getattr(services, service), barrier))
    data = {"action": "remove"} if action == "remove" else {"role": int(Role.ADMIN)}
    results = {}

    def act(actor: Membership, target: Membership):
        try:
            client = Client()
            client.force_login(actor.user)
            response = client.post(
                reverse("organizations:member_update", args=["acme", target.public_id]), data
            )
            results[actor.user.name] = (response.status_code, messages_of(response))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(ada, bob)),
        threading.Thread(target=act, args=(bob, ada)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [status for status, _ in results.values()] == [302, 302]
    refused = [name for name, (_, messages) in results.items() if messages == [LAST_OWNER]]
    assert len(refused) == 1, results
    assert Membership.objects.filter(organization=org, role=Role.OWNER).count() == 1


# --- Django admin: deleting the only owner's account


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.com"))
    return client


@pytest.mark.django_db
def test_admin_refuses_to_delete_the_only_owner_and_names_the_organization(superuser_client):
    org = OrganizationFactory(name="Contoso AI", slug="contoso")
    owner = MembershipFactory(organization=org, role=Role.OWNER).user
    url = reverse("admin:accounts_user_delete", args=[owner.pk])

    page = superuser_client.get(url).content.decode()
    assert "would leave “Contoso AI” without an owner" in page
    response = superuser_client.post(url, {"post": "yes"})
    assert "would leave “Contoso AI” without an owner" in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()
    assert Membership.objects.get(organization=org).role == Role.OWNER

    # The changelist's "delete selected" action refuses too.
    response = superuser_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [owner.pk], "post": "yes"},
    )
    assert "would leave “Contoso AI” without an owner" in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()


@pytest.mark.django_db
def test_admin_refuses_to_delete_all_owners_at_once(superuser_client):
    org = OrganizationFactory(name="Contoso AI", slug="contoso")
    owners = [MembershipFactory(organization=org, role=Role.OWNER).user for _ in range(2)]
    response = superuser_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in owners], "post": "yes"},
    )
    assert "would leave “Contoso AI” without an owner" in response.content.decode()
    assert User.objects.filter(pk__in=[u.pk for u in owners]).count() == 2


@pytest.mark.django_db
def test_admin_deletes_an_owner_who_is_not_the_last_one(superuser_client):
    org = OrganizationFactory(name="Contoso AI", slug="contoso")
    leaving, staying = (MembershipFactory(organization=org, role=Role.OWNER).user for _ in "ab")
    response = superuser_client.post(
        reverse("admin:accounts_user_delete", args=[leaving.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=leaving.pk).exists()
    assert Membership.objects.get(organization=org).user == staying


@pytest.mark.django_db
def test_deleting_the_only_owners_account_in_code_is_refused_too():
    org = OrganizationFactory(name="Contoso AI", slug="contoso")
    other = OrganizationFactory(name="Fabrikam", slug="fabrikam")
    owner = MembershipFactory(organization=org, role=Role.OWNER).user
    MembershipFactory(organization=other, role=Role.OWNER, user=owner)
    with (
        pytest.raises(ProtectedError, match="“Contoso AI”, “Fabrikam” without an owner"),
        transaction.atomic(),
    ):
        owner.delete()
    with pytest.raises(ProtectedError, match="without an owner"), transaction.atomic():
        User.objects.filter(pk=owner.pk).delete()
    assert User.objects.filter(pk=owner.pk).exists()
    assert Organization.objects.count() == 2


@pytest.mark.django_db
def test_admin_organization_page_refuses_to_demote_the_last_owner(superuser_client):
    org = OrganizationFactory(name="Contoso AI", slug="contoso")
    membership = MembershipFactory(organization=org, role=Role.OWNER)
    prefix = "memberships"
    response = superuser_client.post(
        reverse("admin:organizations_organization_change", args=[org.pk]),
        {
            "name": org.name,
            "slug": org.slug,
            "time_zone": org.time_zone,
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": membership.pk,
            f"{prefix}-0-organization": org.pk,
            f"{prefix}-0-user": membership.user.pk,
            f"{prefix}-0-role": int(Role.ADMIN),
        },
    )
    assert response.status_code == 200
    assert LAST_OWNER in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
