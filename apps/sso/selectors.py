"""Reads: which organization signs in an address, and its provider as allauth needs it."""

from apps.accounts.sso import SsoRoute
from apps.core.text import normalize_email
from apps.organizations.models import Membership, Role
from apps.sso.models import IdentityProvider, SsoDomain

# allauth's route for an organization's provider: /accounts/oidc/<slug>/login/callback/
CALLBACK_URL_NAME = "openid_connect_callback"


def domain_of(email: str) -> str:
    return normalize_email(email).rpartition("@")[2]


def verified_domain(email: str) -> SsoDomain | None:
    """The verified domain of `email`, with its organization and provider, or None."""
    domain = domain_of(email)
    if not domain:
        return None
    return (
        SsoDomain.objects.select_related("organization__identity_provider")
        .filter(
            domain=domain, verified_at__isnull=False, organization__identity_provider__isnull=False
        )
        .first()
    )


def sso_route(email: str) -> SsoRoute | None:
    """For the log-in page: the organization whose provider signs in `email`, and whether that
    account's password is refused (enforced, and a member below owner)."""
    found = verified_domain(email)
    if found is None:
        return None
    organization = found.organization
    refused = (
        organization.identity_provider.enforced
        and Membership.objects.filter(
            organization=organization,
            user__email=normalize_email(email),
            role__lt=Role.OWNER,
        ).exists()
    )
    return SsoRoute(
        organization_name=organization.name, domain=found.domain, password_refused=refused
    )


def identity_provider(org_slug: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("organization")
        .filter(organization__slug=org_slug)
        .first()
    )


def verified_domains(organization) -> set[str]:
    return set(
        SsoDomain.objects.filter(organization=organization, verified_at__isnull=False).values_list(
            "domain", flat=True
        )
    )
