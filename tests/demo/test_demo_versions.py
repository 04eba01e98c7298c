"""The demo's history spans two LLMOps versions: five rounds on v1, the latest closed round on
the newest version with some "not applicable" and "I don't know" answers, and the version
change is marked on the team history and the dashboard."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import User
from apps.organizations.models import Team
from apps.surveys.models import Answer, AnswerKind, QuestionBank, Round, RoundStatus

pytestmark = pytest.mark.django_db


def test_demo_teams_end_their_history_on_the_newest_llmops_version(client):
    versions = list(
        QuestionBank.objects.filter(slug="llmops").order_by("version").values_list("pk", flat=True)
    )
    if len(versions) < 2:
        pytest.skip("only one LLMOps version is installed")
    call_command("seed_demo")
    for team in Team.objects.filter(organization__slug="contoso"):
        banks = list(
            Round.objects.filter(team=team, status=RoundStatus.CLOSED)
            .order_by("opens_at")
            .values_list("bank_id", flat=True)
        )
        assert banks == [versions[0]] * 5 + [versions[-1]], team.name
    closed = Answer.objects.filter(response__round__status=RoundStatus.CLOSED)
    assert closed.filter(kind=AnswerKind.NOT_APPLICABLE).exists()
    assert closed.filter(kind=AnswerKind.DONT_KNOW).exists()
    assert not closed.exclude(kind=AnswerKind.CHOICE).exclude(bank_id=versions[-1]).exists()

    client.force_login(User.objects.get(email="exec@contoso.example"))
    team = Team.objects.get(organization__slug="contoso", name="Support Copilot")
    history = client.get(reverse("scoring:team_history", args=["contoso", team.public_id]))
    html = history.content.decode()
    assert html.count(">New question set</span>") == 1
    first_chart = html.split("<svg", 1)[1].split("</svg>", 1)[0]  # each chart is drawn twice
    assert first_chart.count('class="version-marker"') == 1  # (wide and compact)
    dashboard = client.get(reverse("scoring:dashboard", args=["contoso"]), {"period": "all"})
    html = dashboard.content.decode()
    assert "New question set, not compared" in html
    assert 'class="version-marker"' in html.split('id="trend-chart-title"', 1)[1]
