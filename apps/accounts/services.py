from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.tokens import hash_token
from apps.organizations import services as org_services


@transaction.atomic
def user_sign_up(
    *, name: str, email: str, password: str, organization_name: str = "", invitation_token: str = ""
):
    """Create an account and either a new organization (as its owner) or join through an invitation.

    Returns (user, organization).
    """
    user = User.objects.create_user(email=email, password=password, name=name)
    if invitation_token:
        membership = org_services.invitation_accept(token=invitation_token, user=user)
        return user, membership.organization
    organization = org_services.organization_create(name=organization_name, owner=user)
    return user, organization


def api_token_create(*, user, name: str) -> tuple:
    """Create a personal API token; returns it and the plain token, which is shown only once."""
    import secrets

    from apps.accounts.models import ApiToken
    from apps.core.text import without_nul

    # A NUL (PostgreSQL refuses it) or another control character is dropped and a long name is
    # cut to the column's length: no name can make the profile page fail.
    name = without_nul(name or "")[: ApiToken._meta.get_field("name").max_length].strip()
    token = f"mat_{secrets.token_urlsafe(32)}"
    api_token = ApiToken.objects.create(
        user=user, name=name or "API token", prefix=token[:8], token_hash=hash_token(token)
    )
    return api_token, token


def api_token_revoke(*, api_token) -> None:
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])


def api_token_user(token: str):
    """The active user a bearer token belongs to, or None. Records when it was last used."""
    from apps.accounts.models import ApiToken

    api_token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(token or ""), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if api_token is None:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=api_token.pk).update(
            last_used_at=now
        )  # at most a write a minute
    return api_token.user
