"""Scoring's part of the organization's home page (apps.organizations.home_page): an executive's
grid and headline changes, where each team stands (beside it on the home and team pages), and
the checklist's last step, "See results"."""

from django.urls import reverse

from apps.organizations.access import OrgAccess
from apps.organizations.home_page import (
    ChecklistStep,
    checklist_step_register,
    home_section_register,
    team_standing_register,
)
from apps.organizations.models import Role, Team
from apps.scoring import figures
from apps.scoring.dashboard import executive_dashboard
from apps.scoring.dashboard_views import DashboardFilter
from apps.scoring.standings import headline_changes, team_standings
from apps.surveys.models import Round


def _executive_overview(access: OrgAccess) -> dict | None:
    """The maturity grid over the dashboard's default period, and the three largest moves
    since each team's previous round."""
    if not access.has_role(Role.EXECUTIVE):
        return None
    organization = access.organization
    since = DashboardFilter(None, organization=organization).since()  # the dashboard's default
    data = executive_dashboard(organization, since=since)
    teams = Team.objects.filter(organization=organization, archived_at__isnull=True)
    names = dict(teams.values_list("pk", "name"))
    standings = team_standings(names)
    return {
        "grid": figures.maturity_grid(data) if data.teams else None,
        "has_results": bool(data.teams),
        "headlines": headline_changes(standings, names),
        "with_results": len(standings),
        "new_question_sets": sum(s.new_question_set for s in standings.values()),
    }


def _standings(access: OrgAccess, teams: list[Team]) -> dict:
    return team_standings(team.pk for team in teams)


def _see_results(access: OrgAccess) -> ChecklistStep:
    done = Round.objects.filter(team__organization=access.organization).results_visible().exists()
    return ChecklistStep(
        "See results",
        done,
        reverse("scoring:dashboard", args=[access.organization.slug]) if done else "",
        "Each team's result, once its round has closed with enough answers."
        if done
        else "A team's result shows once its round has closed with enough answers.",
    )


home_section_register(
    template="scoring/_home_executive.html", context=_executive_overview, order=20
)
team_standing_register(template="scoring/_team_standing.html", context=_standings)
checklist_step_register(key="see_results", step=_see_results, order=40)
