"""The organization's home page (its Overview, /o/<slug>/): what each person sees first, by role
(DESIGN §4). A member sees the surveys they have to answer first, then their teams' latest
results; a lead their teams' open rounds and the plan's due actions; an executive the grid and
the headline changes; a new organization a checklist that ticks itself.

Those are the apps above organizations' to say (surveys, scoring, plans), which organizations
never imports (STYLE rule 15): each registers what it adds when it loads (its
AppConfig.ready()), as on the team page (apps.organizations.team_page).

- `home_section_register(template=..., context=..., order=...)`: the home page includes the
  template with `section=context(access)`; a context of None leaves the section out (not for
  this role, or nothing to say). Sections show in `order`, smallest first.
- `checklist_step_register(key=..., step=..., order=...)`: a step of the getting-started
  checklist; `step(access)` says whether it is done and where to do it. The checklist shows to
  admins and owners until every step is done.
- `team_standing_register(template=..., context=...)`: beside each team on the home page and
  the team pages, where the team stands: `context(access, teams)` returns {team id: what the
  template shows as `standing`}; a team left out shows nothing.

Registering a template or key twice replaces the earlier registration, so a module imported
twice never shows its part twice.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from apps.organizations.access import OrgAccess
from apps.organizations.models import Invitation, Membership, Role, Team


@dataclass(frozen=True)
class ChecklistStep:
    label: str  # "Create a team"
    done: bool
    url: str  # where to do it ("" when there is nothing to click yet)
    hint: str  # one line: what it means, or what it waits for


_sections: dict[str, tuple[int, Callable[[OrgAccess], dict | None]]] = {}
_steps: dict[str, tuple[int, Callable[[OrgAccess], ChecklistStep]]] = {}
_standings: dict[str, Callable[[OrgAccess, list[Team]], dict]] = {}


def home_section_register(
    *, template: str, context: Callable[[OrgAccess], dict | None], order: int
) -> None:
    """Show `template` on the home page with `section=context(access)`, unless that is None."""
    _sections[template] = (order, context)


def checklist_step_register(
    *, key: str, step: Callable[[OrgAccess], ChecklistStep], order: int
) -> None:
    _steps[key] = (order, step)


def team_standing_register(
    *, template: str, context: Callable[[OrgAccess, list[Team]], dict]
) -> None:
    _standings[template] = context


def home_sections(access: OrgAccess) -> list[tuple[str, dict]]:
    """The sections this person's home page shows: (template, its context) pairs, in order."""
    shown = []
    for template, (_, context) in sorted(_sections.items(), key=lambda item: item[1][0]):
        section = context(access)
        if section is not None:
            shown.append((template, section))
    return shown


def checklist(access: OrgAccess) -> list[ChecklistStep]:
    """The getting-started steps for admins and owners, in order; none once all are done (or
    for anyone else)."""
    if not access.has_role(Role.ADMIN):
        return []
    steps = [step(access) for _, step in sorted(_steps.values(), key=lambda item: item[0])]
    return [] if all(step.done for step in steps) else steps


def with_standings(access: OrgAccess, teams: Iterable[Team]) -> list[Team]:
    """The teams as a list, each with `standings`: the (template, standing) pairs to show
    beside it."""
    teams = list(teams)
    found = [(template, context(access, teams)) for template, context in _standings.items()]
    for team in teams:
        team.standings = [
            (template, by_team[team.pk]) for template, by_team in found if team.pk in by_team
        ]
    return teams


# Organizations' own steps of the checklist: a team, and people in it.


def _create_a_team(access: OrgAccess) -> ChecklistStep:
    return ChecklistStep(
        "Create a team",
        Team.objects.filter(organization=access.organization).exists(),
        reverse("organizations:team_list", args=[access.organization.slug]),
        "A team is the group that answers a survey together.",
    )


def _invite_people(access: OrgAccess) -> ChecklistStep:
    organization = access.organization
    done = (
        Invitation.objects.filter(organization=organization).exists()
        or Membership.objects.filter(organization=organization).count() > 1
    )
    return ChecklistStep(
        "Invite people",
        done,
        reverse("organizations:member_list", args=[organization.slug]),
        "Colleagues join by e-mail; a lead runs their team's rounds.",
    )


checklist_step_register(key="create_team", step=_create_a_team, order=10)
checklist_step_register(key="invite_people", step=_invite_people, order=20)
