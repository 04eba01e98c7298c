"""Plans on the result pages: “Add to plan” beside the next steps of a round's result, and the
plan's numbers on the team history."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.plans.models import Action, ActionStatus
from tests.factories import ActionFactory
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db


def test_add_a_next_step_to_the_plan_from_the_round_result(client, org, team, lead):
    round_ = submitted_round(team=team, points=[1, 1, 1], title="Q4 check")
    client.force_login(lead)
    result_url = reverse("scoring:round_result", args=[org.slug, round_.public_id])
    page = client.get(result_url).content.decode()
    links = re.findall(r'href="([^"]*/plan/new/[^"]*)"', page)
    assert links, "each next step offers Add to plan"
    form_page = client.get(html.unescape(links[0])).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form_page).group(1)
    question = re.search(r'<option value="(llmops:[^"]+)" selected>', form_page).group(1)
    title = html.unescape(re.search(r'name="title" value="([^"]+)"', form_page).group(1))
    done_when = re.search(r'name="done_when"[^>]*>([^<]+)</textarea>', form_page).group(1)
    data = {
        "title": title,
        "done_when": html.unescape(done_when).strip(),
        "status": "todo",
        "question": question,
        "source_round": str(round_.public_id),
        "form_token": token,
    }
    assert (
        client.post(reverse("plans:action_new", args=[org.slug, team.public_id]), data).status_code
        == 302
    )
    action = Action.objects.get()
    assert (action.source, action.source_round, action.question_code) == (
        "step",
        round_,
        question.split(":")[1],
    )
    assert action.done_when  # the guidance the step quotes
    page = client.get(result_url).content.decode()
    assert "In the plan" in page


def test_the_team_history_sums_the_plan_up(client, org, team, lead):
    today = timezone.localdate()
    ActionFactory(team=team, due_date=today - dt.timedelta(days=1))
    ActionFactory(team=team, status=ActionStatus.DOING)
    ActionFactory(team=team, status=ActionStatus.DONE, done_at=timezone.now())
    client.force_login(lead)
    page = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id]))
    text = page.content.decode()
    assert "Improvement plan" in text
    assert "2 open (1 in progress) · 1 done" in text and "1 overdue" in text
