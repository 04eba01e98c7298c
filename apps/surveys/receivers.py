"""Surveys' part in the organizations hooks, which organizations never imports (STYLE rule 15):
an organization's purge clears its rounds (apps.organizations.signals), the team page shows
the team's rounds (apps.organizations.team_page), and a deleted account's answers are detached
from its address (apps.accounts.deletion)."""

from django.dispatch import receiver

from apps.accounts.deletion import account_deleting
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


@receiver(account_deleting, dispatch_uid="surveys.participants_detach")
def _detach_participants(sender, user, **kwargs) -> None:
    round_services.participants_detach(user=user)
