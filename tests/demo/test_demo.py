import pytest
from django.core.management import call_command

from apps.organizations.models import Membership, Role, Team
from apps.plans.models import Action
from apps.scoring.models import Target, TeamScore
from apps.surveys.models import Answer, Round, RoundStatus

pytestmark = pytest.mark.django_db


def counts():
    return (
        Team.objects.count(),
        Membership.objects.count(),
        Round.objects.count(),
        Answer.objects.count(),
        TeamScore.objects.count(),
        Target.objects.count(),
        Action.objects.count(),
        sorted(Action.objects.values_list("status", "done_at", "due_date")),
    )


def test_seed_demo_builds_history_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=None)
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    teams = Team.objects.filter(organization__slug="contoso")
    assert teams.count() >= 8
    for team in teams:
        assert Round.objects.filter(team=team, status=RoundStatus.CLOSED).count() == 6
    assert Round.objects.filter(status=RoundStatus.OPEN).count() == 1
    roles = set(
        Membership.objects.filter(organization__slug="contoso").values_list("role", flat=True)
    )
    assert {Role.OWNER, Role.EXECUTIVE, Role.LEAD, Role.MEMBER} <= roles
    # Mostly improving: most teams end higher than they started.
    improving = 0
    for team in teams:
        totals = list(
            TeamScore.objects.filter(round__team=team, dimension__isnull=True)
            .order_by("round__opens_at")
            .values_list("mean", flat=True)
        )
        improving += totals[-1] > totals[0]
    assert improving >= 6
