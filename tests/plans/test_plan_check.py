"""The next round checks the plan: actions done since the previous round, beside the change of
their questions' levels."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.plans import services
from apps.plans.check import Movement, plan_check
from apps.plans.models import ActionStatus
from apps.plans.services import QuestionRef
from apps.scoring.selectors import round_team_result
from tests.factories import ActionFactory, published_bank
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db

# LLMOps v1: 0-2 points a question. Everyone at 1 is Defined on every question; 1, 1 and 2
# (a mean of 4/3, two thirds of the maximum) is Managed.


def index_of(code: str) -> int:
    codes = list(published_bank().questions.order_by("pk").values_list("code", flat=True))
    return codes.index(code)


def closed_round(team, points, **fields):
    round_ = submitted_round(team=team, points=points, **fields)
    round_.refresh_from_db()
    return round_


def done(team, title, code=None):
    action, _ = services.action_create(
        organization=team.organization,
        team=team,
        title=title,
        created_by=None,
        question=QuestionRef("llmops", code) if code else None,
    )
    return services.action_update(action=action, status=ActionStatus.DONE)


@pytest.fixture
def two_rounds(team):
    first = closed_round(team, [1, 1, 1], days_ago=90, title="Q3 check")
    early = ActionFactory(
        team=team,
        title="Done before Q3 closed",
        status=ActionStatus.DONE,
        done_at=timezone.now() - dt.timedelta(days=30),
    )
    moved = done(team, "Automated evaluation gate", "APP-5")
    stuck = done(team, "Compare models on a benchmark", "APP-1")
    loose = done(team, "Write the runbook")
    open_ = ActionFactory(team=team, title="Still to do", bank_slug="llmops", question_code="APP-5")
    app5 = index_of("APP-5")
    second = closed_round(
        team, [1, 1, lambda index: 2 if index == app5 else 1], days_ago=1, title="Q4 check"
    )
    return (
        first,
        second,
        {"early": early, "moved": moved, "stuck": stuck, "loose": loose, "open": open_},
    )


def test_the_check_pairs_done_actions_with_their_questions_levels(team, two_rounds):
    _, second, _ = two_rounds
    check = plan_check(second, round_team_result(second))
    by_title = {item.action.title: item for item in check.actions}
    assert set(by_title) == {
        "Automated evaluation gate",
        "Compare models on a benchmark",
        "Write the runbook",
    }
    assert by_title["Automated evaluation gate"].movement == Movement.UP
    assert by_title["Automated evaluation gate"].line == (
        "Done: Automated evaluation gate · APP-5 moved from Defined to Managed"
    )
    stuck = by_title["Compare models on a benchmark"]
    assert stuck.flagged
    assert stuck.line == "Compare models on a benchmark — done, but APP-1 is still at Defined"
    assert by_title["Write the runbook"].line == "Done: Write the runbook · no question linked"
    assert [item.action.title for item in check.flagged] == ["Compare models on a benchmark"]


def test_the_result_page_shows_the_check(client, org, team, lead, two_rounds):
    _, second, _ = two_rounds
    client.force_login(lead)
    page = client.get(reverse("scoring:round_result", args=[org.slug, second.public_id]))
    text = page.content.decode()
    assert "The plan, checked" in text
    assert "Done: Automated evaluation gate · APP-5 moved from Defined to Managed" in text
    assert "Compare models on a benchmark — done, but APP-1 is still at Defined" in text
    assert "Did not move" in text
    assert "Done before Q3 closed" not in text and "Still to do" not in text


def test_the_first_round_has_nothing_to_compare_with(client, org, team, lead):
    done(team, "Automated evaluation gate", "APP-5")
    first = closed_round(team, [1, 1, 1], days_ago=1)
    check = plan_check(first, round_team_result(first))
    assert check.previous is None
    assert check.actions[0].line == (
        "Done: Automated evaluation gate · APP-5 is at Defined; no earlier level to compare with"
    )


def test_no_check_while_the_result_is_withheld(client, org, team, lead):
    done(team, "Automated evaluation gate", "APP-5")
    below = closed_round(team, [1, 1], days_ago=1)  # 2 of 3 needed
    client.force_login(lead)
    page = client.get(reverse("scoring:round_result", args=[org.slug, below.public_id]))
    assert "The plan, checked" not in page.content.decode()
    assert "Automated evaluation gate" not in page.content.decode()


def test_a_team_without_a_plan_gets_no_check_section(client, org, team, lead):
    round_ = closed_round(team, [1, 1, 1], days_ago=1)
    client.force_login(lead)
    url = reverse("scoring:round_result", args=[org.slug, round_.public_id])
    assert "The plan, checked" not in client.get(url).content.decode()
    ActionFactory(team=team, title="Not done yet")
    page = client.get(url).content.decode()
    assert "The plan, checked" in page and "No action was marked done in this time." in page
