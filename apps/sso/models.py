"""An organization's own OpenID Connect provider and the e-mail domains it may sign in for."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.organizations.models import Organization


class IdentityProvider(models.Model):
    """One per organization. allauth's openid_connect provider is built from it on each sign-in
    (apps.sso.adapter); its id in URLs is the organization's slug."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="identity_provider"
    )
    issuer = models.URLField(max_length=300)
    client_id = models.CharField(max_length=255)
    # Fernet token (apps.sso.sealing); the plain secret is never shown again.
    client_secret_sealed = models.TextField()
    enforced = models.BooleanField(
        default=False, help_text="Members at the verified domains may not use a password."
    )
    jit_provisioning = models.BooleanField(
        default=False, help_text="A person from a verified domain without an invitation joins."
    )
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.organization} → {self.issuer}"


class SsoDomain(models.Model):
    """An e-mail domain an owner listed; verified by a test sign-in (apps.sso.services)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sso_domains"
    )
    domain = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "domain"], name="sso_domain_once"),
            # Discovery by domain needs one answer: one organization signs in a domain.
            models.UniqueConstraint(
                fields=["domain"],
                condition=Q(verified_at__isnull=False),
                name="sso_domain_verified_once",
            ),
            models.CheckConstraint(
                condition=Q(domain=models.functions.Lower("domain")), name="sso_domain_lower"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
