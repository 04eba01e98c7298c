"""API tokens and single sign-on settings in the audit log: one entry each, none for a refused
attempt; the client secret never appears."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from apps.accounts.services import (
    EmailNotVerified,
    api_token_create,
    api_token_revoke,
    email_mark_verified,
)
from apps.core.models import AuditEntry
from apps.organizations.models import Role
from apps.sso import services as sso
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entries(action, org=None):
    found = AuditEntry.objects.filter(action=action).order_by("pk")
    return list(found.filter(organization=org) if org is not None else found)


def test_api_token_create_and_revoke():
    unverified = UserFactory()
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    with pytest.raises(EmailNotVerified):
        api_token_create(user=unverified, name="CI")
    assert entries("api_token.created") == []
    user = UserFactory()
    email_mark_verified(user)
    api_token, plain = api_token_create(user=user, name="CI")
    [created] = entries("api_token.created")
    assert (created.actor, created.organization) == (user, None)
    assert plain not in created.object_label and api_token.prefix in created.object_label
    api_token_revoke(api_token=api_token)
    api_token_revoke(api_token=api_token)  # revoked already: nothing logged
    assert len(entries("api_token.revoked")) == 1


def test_sso_provider_and_domain_changes(org, member_of):
    owner = member_of(Role.OWNER)
    settings = {
        "organization": org,
        "issuer": "https://login.example.com",
        "client_id": "maturity",
        "jit_provisioning": False,
        "actor": owner,
    }
    with pytest.raises(ValidationError):  # enforcing without a verified domain: refused
        sso.identity_provider_save(client_secret="s3cret-value", enforced=True, **settings)
    assert entries("sso.changed", org) == []
    sso.identity_provider_save(client_secret="s3cret-value", enforced=False, **settings)
    sso.identity_provider_save(client_secret="", enforced=False, **settings)  # unchanged
    [saved] = entries("sso.changed", org)
    assert saved.before is None and saved.after["issuer"] == "https://login.example.com"
    assert "s3cret-value" not in str(saved.after)
    sso.domain_add(organization=org, domain="acme.test")
    sso.domain_add(organization=org, domain="acme.test")  # there already
    with pytest.raises(ValidationError):
        sso.domain_add(organization=org, domain="gmail.com")
    sso.domain_remove(organization=org, domain="acme.test")
    sso.identity_provider_delete(organization=org)
    labels = [entry.object_label for entry in entries("sso.changed", org)]
    assert labels == [
        "Identity provider",
        "Domain acme.test added",
        "Domain acme.test removed",
        "Identity provider removed",
    ]
