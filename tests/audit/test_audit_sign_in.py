"""Failed sign-ins in the audit log, by account: one entry per failure for an existing account,
none for a successful sign-in or an address with no account."""

import pytest
from django.urls import reverse

from apps.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR="198.51.100.7"
    )


def test_a_wrong_password_is_one_entry_for_that_account(client):
    user = UserFactory(email="ada@example.com")
    user.set_password("right horse battery staple")
    user.save()
    sign_in(client, "ada@example.com", "wrong")
    sign_in(client, "nobody@example.com", "wrong")  # no such account: not logged
    [failed] = AuditEntry.objects.filter(action="account.sign_in_failed")
    assert (failed.organization, failed.actor, failed.object_label) == (
        None,
        None,
        "ada@example.com",
    )
    assert (failed.object_type, failed.object_id, failed.ip_address) == (
        "user",
        str(user.pk),
        "198.51.100.7",
    )
    sign_in(client, "ada@example.com", "right horse battery staple")
    assert AuditEntry.objects.filter(action="account.sign_in_failed").count() == 1
