"""Writes for single sign-on: the provider's settings, its domains, test sign-ins, and who
a sign-in lets in (`sign_in_admission`, then `sign_in_join` once the account exists).

Who may sign in through an organization's provider (the rule, in one place):
- the provider's e-mail address must be at one of the organization's verified domains;
- an account that already exists signs in only if it is a member of the organization: the
  provider never takes over an account of someone who has not joined (log in with the password
  and accept the invitation first);
- a person without an account gets one if invited (the invitation is accepted) or, when the
  owner allowed just-in-time provisioning, joins as a member; anyone else is refused.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import sessions_end
from apps.core import audit
from apps.core.errors import RefusedError
from apps.core.text import normalize_email
from apps.organizations import services as organization_services
from apps.organizations.models import Invitation, Membership, Organization, Role
from apps.sso import sealing
from apps.sso.models import IdentityProvider, SsoDomain
from apps.sso.selectors import domain_of, verified_domains

# Addresses anyone can get: no organization may claim these domains.
PUBLIC_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
    ]
)
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class SignInRefused(RefusedError):
    status = 403


@transaction.atomic
def identity_provider_save(
    *,
    organization: Organization,
    issuer: str,
    client_id: str,
    client_secret: str,
    jit_provisioning: bool,
    enforced: bool,
    actor,
) -> IdentityProvider:
    """Create or change the organization's provider. An empty `client_secret` keeps the stored
    one. Enforcing needs a verified domain (otherwise it would refuse nobody); turning it on
    signs out the members it takes the password from (`members_sign_out`), however they signed
    in: how many is the provider's `signed_out`."""
    provider = IdentityProvider.objects.filter(organization=organization).first()
    if provider is None:
        if not client_secret:
            raise ValidationError({"client_secret": "Enter the client secret."})
        provider = IdentityProvider(organization=organization)
    if enforced and not verified_domains(organization):
        raise ValidationError(
            {"enforced": "Verify a domain first: enforcing applies to members at verified domains."}
        )
    before = _provider_facts(provider) if provider.pk else None
    newly_enforced = enforced and not provider.enforced
    changed_connection = (provider.issuer, provider.client_id) != (issuer, client_id)
    provider.issuer = issuer
    provider.client_id = client_id
    if client_secret:
        provider.client_secret_sealed = sealing.seal(client_secret)
    if changed_connection or client_secret:  # the last test was of another connection
        provider.last_test_at = provider.last_test_ok = None
        provider.last_test_message = ""
    provider.jit_provisioning = jit_provisioning
    provider.enforced = enforced
    provider.updated_by = actor
    provider.save()
    provider.signed_out = (
        members_sign_out(organization, verified_domains(organization)) if newly_enforced else 0
    )
    after = _provider_facts(provider)
    if client_secret:
        after["client_secret"] = "changed"  # never the secret itself
    if provider.signed_out:
        after["members_signed_out"] = provider.signed_out
    if after != before:
        audit.record(
            "sso.changed",
            organization=organization,
            label="Identity provider",
            before=before,
            after=after,
            actor=actor,
        )
    return provider


def members_sign_out(organization: Organization, domains) -> int:
    """End every session of the members an enforced provider takes the password from: below
    owner, with an address at one of `domains`. A session opened with a password would
    otherwise outlive the rule; those signed in through the provider sign in again with one
    click. How many accounts."""
    if not domains:
        return 0
    at_domains = Q()
    for domain in domains:
        at_domains |= Q(email__endswith=f"@{domain}")
    members = Membership.objects.filter(organization=organization, role__lt=Role.OWNER)
    return sessions_end(User.objects.filter(at_domains, pk__in=members.values("user_id")))


def _provider_facts(provider: IdentityProvider) -> dict:
    return {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "jit_provisioning": provider.jit_provisioning,
        "enforced": provider.enforced,
    }


@transaction.atomic
def identity_provider_delete(*, organization: Organization) -> None:
    """Remove single sign-on: the provider, its domains and the links of accounts to it.
    Members sign in with a password again (a password reset, for accounts made by SSO)."""
    from allauth.socialaccount.models import SocialAccount

    provider = IdentityProvider.objects.filter(organization=organization).first()
    SocialAccount.objects.filter(provider=organization.slug).delete()
    SsoDomain.objects.filter(organization=organization).delete()
    IdentityProvider.objects.filter(organization=organization).delete()
    if provider is not None:
        audit.record(
            "sso.changed",
            organization=organization,
            label="Identity provider removed",
            before=_provider_facts(provider),
        )


def normalize_domain(value: str) -> str:
    domain = normalize_email(f"x@{(value or '').strip().lstrip('@')}").rpartition("@")[2]
    return domain.rstrip(".")


def domain_add(*, organization: Organization, domain: str) -> SsoDomain:
    domain = normalize_domain(domain)
    if not _DOMAIN.match(domain):
        raise ValidationError({"domain": f"“{domain}” is not a domain name, like acme.com."})
    if domain in PUBLIC_MAIL_DOMAINS:
        raise ValidationError(
            {"domain": f"{domain} is a public mail service: no organization can claim it."}
        )
    if (
        SsoDomain.objects.filter(domain=domain, verified_at__isnull=False)
        .exclude(organization=organization)
        .exists()
    ):
        raise ValidationError({"domain": f"Another organization has verified {domain}."})
    with transaction.atomic():
        sso_domain, created = SsoDomain.objects.get_or_create(
            organization=organization, domain=domain
        )
        if created:
            audit.record(
                "sso.changed",
                organization=organization,
                label=f"Domain {domain} added",
                after={"domain": domain},
            )
    return sso_domain


@transaction.atomic
def domain_remove(*, organization: Organization, domain: str) -> None:
    removed, _ = SsoDomain.objects.filter(organization=organization, domain=domain).delete()
    if not verified_domains(organization):  # nobody is left to enforce on
        IdentityProvider.objects.filter(organization=organization).update(enforced=False)
    if removed:
        audit.record(
            "sso.changed",
            organization=organization,
            label=f"Domain {domain} removed",
            before={"domain": domain},
        )


@transaction.atomic
def test_sign_in_record(
    *, organization: Organization, actor, ok: bool, message: str = "", email: str = ""
) -> str:
    """Record a test sign-in's outcome on the provider; returns the sentence to show.

    A successful test in which the provider returned the owner's own address verifies that
    address's domain, if the owner listed it: the owner holds a confirmed mailbox there and the
    provider signs it in. It proves that much, not ownership of the domain (which a DNS record
    would); see README, Single sign-on."""
    provider = IdentityProvider.objects.select_for_update().get(organization=organization)
    if ok:
        message = f"Test sign-in worked: the provider signed in {email}."
        domain = domain_of(email)
        listed = SsoDomain.objects.filter(organization=organization, domain=domain).first()
        if listed and not listed.is_verified:
            if normalize_email(email) != normalize_email(actor.email):
                message += (
                    f" To verify {domain}, test again signing in as yourself ({actor.email})."
                )
            else:
                listed.verified_at, listed.verified_by = timezone.now(), actor
                try:
                    with transaction.atomic():
                        listed.save(update_fields=["verified_at", "verified_by"])
                except IntegrityError:
                    message += f" {domain} is verified by another organization already."
                else:
                    message += f" {domain} is verified."
                    if provider.enforced and (
                        signed_out := members_sign_out(organization, [domain])
                    ):
                        message += f" {signed_out_text(signed_out, domain=domain)}."
        elif listed is None:
            message += f" Add {domain} to the domains to let its people sign in."
    provider.last_test_at = timezone.now()
    provider.last_test_ok = ok
    provider.last_test_message = message[:300]
    provider.save(update_fields=["last_test_at", "last_test_ok", "last_test_message"])
    return provider.last_test_message


def signed_out_text(count: int, *, domain: str | None = None) -> str:
    """What `members_sign_out` did, as the owner reads it: "Single sign-on is enforced: 2
    members were signed out" (with `domain`: "… 1 member at acme.com was signed out")."""
    members = f"{count} member{'' if count == 1 else 's'}"
    at = f" at {domain}" if domain else ""
    return f"Single sign-on is enforced: {members}{at} {'was' if count == 1 else 'were'} signed out"


@dataclass(frozen=True)
class Admission:
    organization: Organization
    email: str
    user: User | None  # the existing account, or None: one is made, then `sign_in_join`


def sign_in_admission(*, provider: IdentityProvider, email: str, user: User | None) -> Admission:
    """Whether the provider's sign-in of `email` lets a person in (the rule is in the module
    docstring); `user` is the account already linked to this identity, if any."""
    organization = provider.organization
    email = normalize_email(email or "")
    if not email:
        raise SignInRefused(
            f"{organization.name}'s provider did not send an e-mail address. Ask its "
            "administrator to release the e-mail claim to this application."
        )
    domain = domain_of(email)
    if domain not in verified_domains(organization):
        raise SignInRefused(
            f"{email} is not at a domain {organization.name} has verified for single sign-on. "
            "Sign in with your work address, or ask an owner to verify its domain."
        )
    if user is None:
        user = User.objects.filter(email=email).first()
    if user is not None:
        if not Membership.objects.filter(organization=organization, user=user).exists():
            raise SignInRefused(
                f"You already have an account ({user.email}) that is not a member of "
                f"{organization.name}. Log in with your password and accept your invitation; "
                f"after that, {organization.name}'s single sign-on signs you in."
            )
        return Admission(organization, email, user)
    if not (_pending_invitation(organization, email) or provider.jit_provisioning):
        raise SignInRefused(
            f"{organization.name} has not invited {email}. Ask an owner or admin of "
            f"{organization.name} to invite you, then sign in again."
        )
    return Admission(organization, email, None)


def _pending_invitation(organization: Organization, email: str) -> Invitation | None:
    return Invitation.objects.filter(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


@transaction.atomic
def sign_in_join(*, organization: Organization, user: User) -> Membership:
    """The account made by a first sign-in joins: through its invitation (accepted, with its
    role and teams), or as a member (just-in-time provisioning, checked by the admission)."""
    invitation = _pending_invitation(organization, user.email)
    if invitation is not None:
        token = organization_services.invitation_token(invitation)
        return organization_services.invitation_accept(token=token, user=user)
    membership, _ = Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": Role.MEMBER}
    )
    return membership
