"""apps.sso's part in the organizations hook: a purged organization leaves no link of an account
to its provider (the provider and domains go with the organization's row, by cascade)."""

from django.dispatch import receiver

from apps.organizations.signals import organization_purging
from apps.sso import services


@receiver(organization_purging, dispatch_uid="sso.provider_purge")
def provider_purge(sender, organization, **kwargs) -> None:
    services.identity_provider_delete(organization=organization)
