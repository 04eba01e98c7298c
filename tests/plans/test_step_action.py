"""“Add to plan” beside a next step: a link to the new-action form filled in from the step, or
“In the plan” once the step has an open action."""

import html
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from apps.organizations.access import organization_access
from apps.organizations.models import Role
from apps.plans.models import ActionSource, ActionStatus
from apps.plans.templatetags.plans import step_title
from tests.factories import ActionFactory, RoundFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Step:
    """What the template reads of apps.scoring.next_steps.Step."""

    code: str = "APP-5"
    text: str = "How do you evaluate a new prompt or model version before it ships?"
    next_level_name: str = "Managed"
    guidance: str = "Gate every release on an automated evaluation suite with agreed thresholds."


def render(user, org, team, round_, step=Step()) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.org_access = organization_access(user, org.slug)
    context = {"step": step, "round": round_, "team": team, "organization": org}
    return render_to_string("plans/_step_action.html", context, request=request)


def test_the_link_fills_in_the_form_from_the_step(org, team, lead):
    round_ = RoundFactory(team=team)
    page = render(lead, org, team, round_)
    href = html.unescape(page.split('href="')[1].split('"')[0])
    assert href.startswith(f"/o/{org.slug}/teams/{team.public_id}/plan/new/")
    query = parse_qs(urlsplit(href).query)
    assert query["title"] == [
        "APP-5 to Managed: How do you evaluate a new prompt or model version before it ships?"
    ]
    assert query["done_when"] == [Step.guidance]
    assert query["question"] == ["llmops:APP-5"]
    assert query["round"] == [str(round_.public_id)]
    assert "Add to plan" in page


def test_a_step_in_the_plan_says_so(org, team, lead):
    round_ = RoundFactory(team=team)
    ActionFactory(
        team=team,
        title="Eval gate",
        source=ActionSource.STEP,
        source_round=round_,
        bank_slug="llmops",
        question_code="APP-5",
    )
    page = render(lead, org, team, round_)
    assert "In the plan" in page and "Add to plan" not in page
    # Dropped, it may be added again.
    team.actions.update(status=ActionStatus.DROPPED, dropped_at=round_.opens_at)
    assert "Add to plan" in render(lead, org, team, round_)


def test_no_button_for_who_may_not_change_the_plan(org, team, member_of, in_team):
    member = member_of(Role.MEMBER)
    in_team(member, team)
    assert "Add to plan" not in render(member, org, team, RoundFactory(team=team))
    executive = member_of(Role.EXECUTIVE)
    assert render(executive, org, team, RoundFactory(team=team)).strip() == ""


def test_long_questions_make_short_titles():
    title = step_title(Step(text=" ".join(["word"] * 40)))
    assert title.startswith("APP-5 to Managed: word word") and title.endswith("…")
    assert len(title) < 120


def test_one_query_for_all_the_steps_of_a_page(org, team, lead, django_assert_num_queries):
    round_ = RoundFactory(team=team)
    request = RequestFactory().get("/")
    request.user = lead
    request.org_access = organization_access(lead, org.slug)
    round_.bank  # noqa: B018  (loaded by the page already)
    with django_assert_num_queries(1):
        for code in ("APP-1", "APP-2", "APP-3", "OPS-1"):
            context = {"step": Step(code=code), "round": round_, "team": team, "organization": org}
            render_to_string("plans/_step_action.html", context, request=request)
