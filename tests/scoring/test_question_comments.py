"""Comments and evidence links reach the team through `round_team_result` only: once the round
has closed at its threshold, without names (DESIGN §3), on the page, CSV, API and PDF alike."""

import pytest
from django.urls import reverse

from apps.reports.models import Report
from apps.reports.services import report_html
from apps.scoring import figures
from apps.scoring.selectors import round_team_result
from tests.support.downloads import read_csv
from tests.support.scored_rounds import commented_round

pytestmark = pytest.mark.django_db


def surfaces(client, org, round_) -> str:
    """Everything a team member can read about the round: page, both CSVs and the API."""
    args = [org.slug, round_.public_id]
    page = client.get(reverse("scoring:round_result", args=args)).content.decode()
    comments = read_csv(client.get(reverse("scoring:round_comments_csv", args=args)))
    api = client.get(f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result").json()
    return f"{page}\n{comments}\n{api}"


def test_a_closed_round_at_its_threshold_shows_comments_without_names_even_when_named(
    client, org, team, lead
):
    round_ = commented_round(team, anonymous=False)
    client.force_login(lead)
    seen = surfaces(client, org, round_)
    assert "Our prompts live in a registry." in seen and "No idea who owns this." in seen
    assert 'href="https://wiki.example.com/prompts" rel="noopener noreferrer nofollow"' in seen
    assert "a@example.com" not in seen and "b@example.com" not in seen
    e1 = next(q for q in round_team_result(round_).questions if q.code == "E-1")
    assert [(n.answer, n.comment) for n in e1.comments] == [
        ("I don't know", "No idea who owns this."),
        ("Managed", "Our prompts live in a registry."),
    ]


@pytest.mark.parametrize("state", ["open", "below_threshold"])
def test_no_comment_leaves_before_the_result_may_be_seen(client, org, team, lead, state):
    round_ = commented_round(team, close=state != "open", people=3 if state == "open" else 2)
    client.force_login(lead)
    seen = surfaces(client, org, round_)
    assert "registry" not in seen and "wiki.example.com" not in seen and "No idea" not in seen
    assert (
        "3 submitted of 3 invited" if state == "open" else "2 of the 3 responses needed"
    ) in seen
    assert round_team_result(round_).questions == []


def test_the_pdf_appendix_embeds_the_pages_question_charts_byte_for_byte_with_comments(
    client, org, team, lead
):
    round_ = commented_round(team)
    client.force_login(lead)
    page = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id]))
    pdf_html = report_html(Report(organization=org, scope="round", round=round_))
    charts = [figures.question_distribution_chart(q) for q in round_team_result(round_).questions]
    assert len(charts) == 6
    for chart in charts:
        assert chart in page.content.decode() and chart in pdf_html
    assert "Our prompts live in a registry." in pdf_html and "a@example.com" not in pdf_html
    assert "Knowledge gaps" in pdf_html
