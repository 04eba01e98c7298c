"""allauth's social-account hooks for single sign-on per organization.

There are no SocialApp rows: each organization's provider is built from its IdentityProvider
when allauth asks for it by id (the organization's slug). Before allauth logs anyone in,
`pre_social_login` applies apps.sso.services' admission rule, or records a test sign-in and
sends the owner back to the settings page without changing who is logged in.
"""

import logging
import time

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthError
from django.contrib import messages
from django.shortcuts import redirect, render

from apps.accounts.services import email_mark_verified
from apps.organizations.models import Membership, Role
from apps.sso import sealing, selectors, services

log = logging.getLogger(__name__)

OPENID_CONNECT = "openid_connect"
TEST_SESSION_KEY = "sso_test"
TEST_MAX_AGE = 15 * 60  # seconds a started test sign-in waits for its answer


def social_app(identity_provider) -> SocialApp | None:
    """allauth's app for an organization's provider (never saved)."""
    try:
        secret = sealing.unseal(identity_provider.client_secret_sealed)
    except sealing.SecretUnreadable:
        log.warning("SSO of %s: its client secret cannot be unsealed.", identity_provider)
        return None
    return SocialApp(
        provider=OPENID_CONNECT,
        provider_id=identity_provider.organization.slug,
        name=identity_provider.organization.name,
        client_id=identity_provider.client_id,
        secret=secret,
        settings={
            "server_url": identity_provider.issuer.rstrip("/"),
            "oauth_pkce_enabled": True,
            # ID tokens must carry the issuer the owner saved, whatever the document says now.
            "openid_configuration_overrides": {"issuer": identity_provider.issuer},
        },
    )


def test_start(request, organization) -> None:
    """Mark this session's next answer from `organization`'s provider as the owner's test."""
    request.session[TEST_SESSION_KEY] = {
        "slug": organization.slug,
        "user": request.user.pk,
        "at": int(time.time()),
    }


def _test_pop(request, slug: str):
    """The organization if this answer completes its owner's test sign-in, else None."""
    test = request.session.pop(TEST_SESSION_KEY, None)
    if not test or test.get("slug") != slug or time.time() - test.get("at", 0) > TEST_MAX_AGE:
        return None
    if not request.user.is_authenticated or request.user.pk != test.get("user"):
        return None
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=request.user, organization__slug=slug, role__gte=Role.OWNER)
        .first()
    )
    return membership.organization if membership else None


def _provider_email(sociallogin) -> str:
    if sociallogin.user is not None and not sociallogin.is_existing and sociallogin.user.email:
        return sociallogin.user.email
    addresses = [address.email for address in sociallogin.email_addresses if address.email]
    if addresses:
        return addresses[0]
    data = sociallogin.account.extra_data or {}
    return (data.get("userinfo") or data.get("id_token") or {}).get("email", "")


def _back_to_settings(slug: str):
    return ImmediateHttpResponse(redirect("sso:settings", org_slug=slug))


class SsoAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        # Only by an organization's slug: no page lists every organization's provider.
        if not provider or provider == OPENID_CONNECT:
            return []
        cache = request.__dict__.setdefault("_sso_apps", {}) if request is not None else {}
        if provider not in cache:
            identity_provider = selectors.identity_provider(provider)
            cache[provider] = identity_provider and social_app(identity_provider)
        app = cache[provider]
        return [app] if app and (not client_id or app.client_id == client_id) else []

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.name = (data.get("name") or "").strip()[:150]
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        slug = sociallogin.account.provider
        email = _provider_email(sociallogin)
        organization = _test_pop(request, slug)
        if organization is not None:
            message = services.test_sign_in_record(
                organization=organization, actor=request.user, ok=True, email=email
            )
            messages.success(request, message)
            raise _back_to_settings(slug)
        identity_provider = selectors.identity_provider(slug)
        try:
            admission = services.sign_in_admission(
                provider=identity_provider,
                email=email,
                user=sociallogin.user if sociallogin.is_existing else None,
            )
        except services.SignInRefused as refusal:
            context = {"organization": identity_provider.organization, "reason": refusal.message}
            raise ImmediateHttpResponse(
                render(request, "sso/sign_in_refused.html", context, status=refusal.status)
            ) from None
        # The organization's provider vouches for addresses at its verified domains.
        for address in sociallogin.email_addresses:
            address.verified = True
        if admission.user is not None:
            if not sociallogin.is_existing:
                sociallogin.connect(request, admission.user)
            email_mark_verified(admission.user)

    def save_user(self, request, sociallogin, form=None):
        """The first sign-in of an admitted person: the account, then the organization."""
        user = super().save_user(request, sociallogin, form)
        identity_provider = selectors.identity_provider(sociallogin.account.provider)
        services.sign_in_join(organization=identity_provider.organization, user=user)
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        slug = provider.app.provider_id if provider is not None and provider.app else ""
        extra_context = extra_context or {}
        if error == AuthError.CANCELLED:
            reason = "The sign-in was cancelled at the provider."
        elif exception is not None:
            reason = f"The provider's answer could not be accepted: {exception}."
            log.warning("SSO sign-in through %s failed: %r", slug, exception)
        elif "state_id" in extra_context:
            reason = (
                "This sign-in answer does not belong to a sign-in started here: it was used "
                "already, or it was started in another browser. Start again."
            )
        else:
            reason = f"The provider refused the sign-in ({request.GET.get('error') or 'no code'})."
        organization = _test_pop(request, slug)
        if organization is not None:
            message = services.test_sign_in_record(
                organization=organization,
                actor=request.user,
                ok=False,
                message=f"Test sign-in failed. {reason}",
            )
            messages.error(request, message)
            raise _back_to_settings(slug)
        identity_provider = selectors.identity_provider(slug) if slug else None
        context = {
            "organization": identity_provider.organization if identity_provider else None,
            "reason": reason,
        }
        raise ImmediateHttpResponse(render(request, "sso/sign_in_failed.html", context, status=400))
