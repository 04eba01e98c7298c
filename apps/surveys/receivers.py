"""Surveys' part in the organizations hooks, which organizations never imports (STYLE rule 15):
an organization's purge clears its rounds (apps.organizations.signals), and the team page shows
the team's rounds (apps.organizations.team_page)."""

from django.dispatch import receiver

from apps.organizations.access import TeamAction
from apps.organizations.signals import organization_purging
from apps.organizations.team_page import team_section_register
from apps.surveys import round_selectors, round_services
from apps.surveys.models import Round


@receiver(organization_purging, dispatch_uid="surveys.rounds_purge")
def _purge_rounds(sender, organization, **kwargs) -> None:
    round_services.rounds_purge(rounds=Round.objects.filter(team__organization=organization))


def _team_rounds(access, team) -> dict:
    return {
        "rounds": round_selectors.team_rounds(team),
        "may_lead": access.may(TeamAction.LEAD, team),
    }


team_section_register(template="surveys/team_rounds.html", context=_team_rounds)
