from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core import audit
from apps.core.tokens import hash_token


class EmailNotVerified(Exception):
    """The account has not proved that it owns its address yet."""


def email_verified(user) -> bool:
    """Whether the account proved its address (the sign-up link, or an invitation link)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def email_mark_verified(user) -> None:
    """Record that `user` owns their address: a link sent to it was followed."""
    from allauth.account.models import EmailAddress

    updated = EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
        verified=True, primary=True
    )
    if not updated:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def api_token_create(*, user, name: str) -> tuple:
    """Create a personal API token; returns it and the plain token, which is shown only once."""
    import secrets

    from apps.accounts.models import ApiToken
    from apps.core.text import without_nul

    if not email_verified(user):
        raise EmailNotVerified("Confirm your e-mail address before creating API tokens.")
    # A NUL (PostgreSQL refuses it) or another control character is dropped and a long name is
    # cut to the column's length: no name can make the profile page fail.
    name = without_nul(name or "")[: ApiToken._meta.get_field("name").max_length].strip()
    token = f"mat_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            user=user, name=name or "API token", prefix=token[:8], token_hash=hash_token(token)
        )
        audit.record(
            "api_token.created",
            obj=api_token,
            label=f"{api_token.name} ({api_token.prefix}…)",
            actor=user,
        )
    return api_token, token


@transaction.atomic
def api_token_revoke(*, api_token) -> None:
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])
        audit.record(
            "api_token.revoked", obj=api_token, label=f"{api_token.name} ({api_token.prefix}…)"
        )


def api_token_user(token: str):
    """The active user a bearer token belongs to, or None. Records when it was last used."""
    from allauth.account.models import EmailAddress
    from django.db.models import Exists, OuterRef

    from apps.accounts.models import ApiToken

    verified = EmailAddress.objects.filter(
        user=OuterRef("user"), email__iexact=OuterRef("user__email"), verified=True
    )
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(
            Exists(verified),
            token_hash=hash_token(token or ""),
            revoked_at__isnull=True,
            user__is_active=True,
        )
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


def sessions_end(users) -> int:
    """End every session of these accounts (a queryset) at their next request, wherever they
    are signed in, without touching their passwords or API tokens: how many accounts."""
    return users.update(session_epoch=F("session_epoch") + 1)
