"""Organization patterns: practices weak across teams, counted over each team's latest visible
round (DESIGN §4)."""

import pytest
from django.utils import timezone

from apps.scoring.patterns import organization_patterns, weak_patterns
from apps.surveys.models import Guidance
from tests.factories import OrganizationFactory, TeamFactory
from tests.scenarios import submitted_round


def first_question_zero(index: int) -> int:
    """0 points on APP-1 (Initial there), 2 everywhere else."""
    return 0 if index == 0 else 2


@pytest.mark.pure
def test_a_pattern_needs_two_weak_teams_and_a_third_of_the_teams():
    levels = {
        "A": {"APP-1": 1, "APP-2": 1, "OPS-1": 3},
        "B": {"APP-1": 1, "APP-2": 2, "OPS-1": 1},
        "C": {"APP-1": 1, "APP-2": 3, "OPS-1": 1},
        "D": {"APP-1": 4, "APP-2": 4, "OPS-1": None},
        "E": {"APP-1": 2, "APP-2": 4, "OPS-1": 4},
        "F": {"APP-1": 2, "APP-2": 4, "OPS-1": 4},
    }
    # APP-2: one weak team is that team's next step; OPS-1: 2 of 6 is a third.
    assert weak_patterns(levels, lowest=1) == [
        ("APP-1", ("A", "B", "C"), 6),
        ("OPS-1", ("B", "C"), 6),
    ]


@pytest.mark.pure
def test_no_pattern_from_one_team():
    assert weak_patterns({"A": {"APP-1": 1}}, lowest=1) == []


@pytest.mark.django_db
def test_counts_teams_at_the_lowest_level_in_their_latest_visible_round():
    org = OrganizationFactory(name="Contoso AI")
    weak = [TeamFactory(organization=org, name=name) for name in ("Search", "Support")]
    strong = TeamFactory(organization=org, name="Billing")
    for team in weak:
        submitted_round(team=team, points=[first_question_zero] * 3, days_ago=20)
    # Billing was weak earlier: only its latest round counts.
    submitted_round(team=strong, points=[first_question_zero] * 3, days_ago=60)
    submitted_round(team=strong, points=[2, 2, 2], days_ago=20)

    [pattern] = organization_patterns(org)

    assert pattern.sentence.startswith("2 of 3 teams are at Initial on APP-1: ")
    assert pattern.weak_teams == ("Search", "Support")
    assert pattern.next_level_name == "Defined"
    expected = Guidance.objects.get(
        bank_id=pattern.bank_id, question__code="APP-1", level__number=2
    ).text
    assert pattern.recommendation == expected


@pytest.mark.django_db
def test_withheld_open_archived_and_other_organizations_rounds_are_not_counted():
    org = OrganizationFactory()
    counted = [TeamFactory(organization=org) for _ in range(2)]
    for team in counted:
        submitted_round(team=team, points=[first_question_zero] * 3)
    below_threshold = TeamFactory(organization=org)
    submitted_round(team=below_threshold, points=[first_question_zero] * 2)
    still_open = TeamFactory(organization=org)
    submitted_round(team=still_open, points=[first_question_zero] * 3, closed=False)
    archived = TeamFactory(organization=org)
    submitted_round(team=archived, points=[first_question_zero] * 3)
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    elsewhere = TeamFactory()
    submitted_round(team=elsewhere, points=[first_question_zero] * 3)

    [pattern] = organization_patterns(org)

    assert pattern.weak_count == 2
    assert pattern.team_count == 2
    assert set(pattern.weak_teams) == {t.name for t in counted}


@pytest.mark.django_db
def test_no_visible_round_no_pattern(django_assert_max_num_queries):
    org = OrganizationFactory()
    with django_assert_max_num_queries(1):
        assert organization_patterns(org) == []


@pytest.mark.django_db
def test_queries_do_not_grow_with_teams(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = OrganizationFactory()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            organization_patterns(org)
        return len(queries)

    for _ in range(2):
        submitted_round(team=TeamFactory(organization=org), points=[first_question_zero] * 3)
    few = count()
    for _ in range(6):
        submitted_round(team=TeamFactory(organization=org), points=[first_question_zero] * 3)
    assert count() == few
    assert few <= 10
