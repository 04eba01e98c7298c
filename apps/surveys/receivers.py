"""Surveys' receiver of the organizations hook (apps.organizations.signals): organizations never
imports surveys."""

from django.dispatch import receiver

from apps.organizations.signals import organization_purging
from apps.surveys import round_services
from apps.surveys.models import Round


@receiver(organization_purging, dispatch_uid="surveys.rounds_purge")
def _purge_rounds(sender, organization, **kwargs) -> None:
    round_services.rounds_purge(rounds=Round.objects.filter(team__organization=organization))
