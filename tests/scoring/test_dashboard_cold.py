"""The dashboard drawn afresh (its fragment not cached): the organization patterns and the
target gaps inside it in a few statements whatever the number of teams, each team measured
against its targets on its latest visible round, and the cached fragment redrawn when a round
closes or a target is set (#14)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Role
from apps.scoring.dashboard import executive_dashboard
from apps.scoring.models import Target
from apps.scoring.patterns import latest_visible_rounds
from apps.surveys.models import Round
from tests.factories import TeamFactory
from tests.scenarios import closed_round_copies, submitted_round

pytestmark = pytest.mark.django_db

# Drawn afresh, 12 for the page: the session, the user, the membership and its teams (the
# gate), the data version, the dashboard's data (dimensions, team aggregates, teams, levels),
# the page's own (the role, the report offer, the team filter); 4 for the patterns (the latest
# rounds, their banks' levels, the weak question levels, the weak questions with their
# guidance); 5 for the target gaps (the aggregates of rounds on a bank with a target, the
# targets, the banks' latest versions with their levels and dimensions; 1 without a target).
# Before the question levels were stored (#15 as first written): 24, the answers read.
COLD_STATEMENTS = 21


def weak_on_the_first_question(index: int) -> int:
    """0 points on APP-1 (Initial there), 2 everywhere else."""
    return 0 if index == 0 else 2


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE, email="exec@acme.example")


def default_target(org, level=3) -> Target:
    return Target.objects.create(
        organization=org,
        bank_slug="llmops",
        dimension_key="application",
        level=level,
        due=timezone.localdate() + dt.timedelta(days=90),
    )


def cold_view(client, org) -> tuple[str, int]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:dashboard", args=[org.slug]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_patterns_and_targets_drawn_afresh_in_the_same_statements_for_3_and_300_teams(
    client, org, executive
):
    client.force_login(executive)
    first = submitted_round(
        team=TeamFactory(organization=org), days_ago=30, points=[weak_on_the_first_question] * 3
    )
    default_target(org)
    closed_round_copies(first, TeamFactory.create_batch(2, organization=org))

    html, few = cold_view(client, org)
    assert "3 of 3 teams are at Initial on APP-1" in html
    assert '<th scope="col">Target</th>' in html

    closed_round_copies(first, TeamFactory.create_batch(297, organization=org))
    html, many = cold_view(client, org)
    assert "300 of 300 teams are at Initial on APP-1" in html
    assert many == few <= COLD_STATEMENTS


def test_without_targets_the_gaps_cost_one_statement(client, org, executive):
    client.force_login(executive)
    submitted_round(team=TeamFactory(organization=org), days_ago=30, points=[1, 1, 1])
    _, without = cold_view(client, org)
    default_target(org)
    html, with_targets = cold_view(client, org)
    assert '<th scope="col">Target</th>' in html
    # The targets, and the banks' latest versions with their levels and dimensions.
    assert with_targets == without + 4


def test_each_team_is_measured_on_its_latest_visible_round(org):
    """The dashboard's newest round of each team is the one the patterns and every other
    surface take as its latest visible round, whatever the period: a newer round under its
    threshold, an older round before the period."""
    settled, withheld_last, older = (TeamFactory(organization=org) for _ in range(3))
    submitted_round(team=settled, days_ago=300, points=[0, 0, 0])
    submitted_round(team=settled, days_ago=30, points=[1, 1, 1])
    submitted_round(team=withheld_last, days_ago=60, points=[1, 1, 1])
    submitted_round(team=withheld_last, days_ago=10, points=[2, 2])  # 2 of 3: withheld
    old = submitted_round(team=older, days_ago=500, points=[2, 2, 2])
    closed = timezone.now() - dt.timedelta(days=480)
    Round.objects.filter(pk=old.pk).update(closes_at=closed, closed_at=closed)
    latest = {team_id: round_id for round_id, team_id in latest_visible_rounds(org).items()}

    for since in (None, timezone.now() - dt.timedelta(days=400)):
        data = executive_dashboard(org, since=since)
        assert {t.team_id: t.round_id for t in data.teams} == {
            team_id: round_id
            for team_id, round_id in latest.items()
            if since is None or team_id != older.pk
        }
        # Unfiltered, the patterns take the teams' latest rounds from the data, not again.
        assert data.latest_rounds == (
            None
            if since
            else {
                team.pk: (latest[team.pk], Round.objects.get(pk=latest[team.pk]).bank_id, team.name)
                for team in (settled, withheld_last, older)
            }
        )
    assert len(latest) == 3


def test_over_every_period_the_patterns_read_no_latest_rounds_of_their_own(client, org, executive):
    client.force_login(executive)
    first = submitted_round(
        team=TeamFactory(organization=org), days_ago=30, points=[weak_on_the_first_question] * 3
    )
    closed_round_copies(first, TeamFactory.create_batch(2, organization=org))
    url = reverse("scoring:dashboard", args=[org.slug])
    counts = {}
    for period in ("8", "all"):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url, {"period": period}).content.decode()
        assert "3 of 3 teams are at Initial on APP-1" in html
        counts[period] = len(queries)
    assert counts["all"] == counts["8"] - 1


def test_a_pattern_shows_once_the_round_that_makes_it_closes(client, org, executive):
    client.force_login(executive)
    submitted_round(
        team=TeamFactory(organization=org, name="Search"),
        days_ago=30,
        points=[weak_on_the_first_question] * 3,
    )
    submitted_round(team=TeamFactory(organization=org, name="Billing"), points=[2, 2, 2])
    url = reverse("scoring:dashboard", args=[org.slug])
    assert "teams are at Initial on APP-1" not in client.get(url).content.decode()
    assert "teams are at Initial on APP-1" not in client.get(url).content.decode()  # cached

    submitted_round(
        team=TeamFactory(organization=org, name="Support"),
        days_ago=5,
        points=[weak_on_the_first_question] * 3,
    )

    assert "2 of 3 teams are at Initial on APP-1" in client.get(url).content.decode()


def test_a_target_set_shows_at_once(client, org, executive):
    client.force_login(executive)
    submitted_round(team=TeamFactory(organization=org, name="Search"), points=[1, 1, 1])
    url = reverse("scoring:dashboard", args=[org.slug])
    assert '<th scope="col">Target</th>' not in client.get(url).content.decode()

    default_target(org)

    assert '<th scope="col">Target</th>' in client.get(url).content.decode()
