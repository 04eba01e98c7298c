"""Surveys' part of the organization's home page (apps.organizations.home_page): the surveys a
person has to answer (first of all), a lead's teams with their open rounds' progress, and the
checklist's step "Start a round"."""

from django.db.models import Prefetch
from django.urls import reverse

from apps.organizations.access import OrgAccess
from apps.organizations.home_page import (
    ChecklistStep,
    checklist_step_register,
    home_section_register,
)
from apps.organizations.models import Role, Team
from apps.surveys import round_selectors, round_services
from apps.surveys.models import Round, RoundStatus


def _to_answer(access: OrgAccess) -> dict | None:
    """The open rounds of this organization the person is invited to and has not submitted,
    soonest closing first, each with its link. Members always see the section (it is their
    page's first question); others only when there is something to answer."""
    mine = round_selectors.my_pending_participations(access.membership.user)
    pending = [
        (p, reverse("surveys:intro", args=[round_services.participant_token(p)]))
        for p in mine.filter(round__team__organization=access.organization)
    ]
    if not pending and access.has_role(Role.LEAD):
        return None
    return {"pending": pending}


def _led_teams(access: OrgAccess) -> dict | None:
    """The teams the person leads: each with its open rounds and their progress (the round
    page's numbers: `round_selectors.round_progress`), or an invitation to start one."""
    if not access.led_team_ids:
        return None
    open_rounds = Round.objects.filter(status=RoundStatus.OPEN).order_by("closes_at")
    teams = list(
        Team.objects.filter(pk__in=access.led_team_ids, archived_at__isnull=True)
        .prefetch_related(Prefetch("rounds", queryset=open_rounds, to_attr="open_rounds"))
        .order_by("name")
    )
    for team in teams:
        team.open_progress = [(r, round_selectors.round_progress(r)) for r in team.open_rounds]
    return {"teams": teams}


def _start_a_round(access: OrgAccess) -> ChecklistStep:
    organization = access.organization
    done = Round.objects.filter(team__organization=organization).exists()
    first_team = (
        Team.objects.filter(organization=organization, archived_at__isnull=True)
        .order_by("created_at")
        .values_list("public_id", flat=True)
        .first()
    )
    url = (
        reverse("surveys:round_create", args=[organization.slug, first_team]) if first_team else ""
    )
    return ChecklistStep(
        "Start a round",
        done,
        url,
        "A round asks a team the questions; invitations go out by e-mail."
        if first_team or done
        else "Create a team first: a round asks one team the questions.",
    )


home_section_register(template="surveys/_home_to_answer.html", context=_to_answer, order=10)
home_section_register(template="surveys/_home_led_teams.html", context=_led_teams, order=30)
checklist_step_register(key="start_round", step=_start_a_round, order=30)
