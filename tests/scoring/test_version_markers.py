"""History across bank versions: rounds compare by dimension key and percentage, and the first
round on another bank version is marked as a new question set on every surface (the history
page, its chart and CSV, the API, the dashboard's trend, heat map and movers), so that a
change of questions is not read as progress."""

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from apps.surveys import bank_services
from tests.factories import TeamFactory, published_bank
from tests.scenarios import submitted_round
from tests.support.downloads import read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    """The shipped LLMOps bank and a next version of it (same dimension keys)."""
    old = published_bank()
    new = bank_services.bank_publish(bank=bank_services.bank_new_draft(bank=old))
    return old, new


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE, email="exec@acme.example")


def _label(bank) -> str:
    return f"{bank.slug} v{bank.version}"


def test_history_marks_the_first_round_on_a_new_question_set(client, org, executive, versions):
    old, new = versions
    team = TeamFactory(organization=org, name="Copilot")
    submitted_round(team=team, days_ago=200, title="First", bank=old, points=[0, 1, 1])
    submitted_round(team=team, days_ago=110, title="Second", bank=old, points=[1, 1, 1])
    submitted_round(team=team, days_ago=20, title="Third", bank=new, points=[2, 2, 1])
    client.force_login(executive)

    html = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id])).content
    html = html.decode()
    table = html.split("<table", 1)[1]
    assert table.count(">New question set</span>") == 1
    assert f"was {_label(old)}" in table
    # The row of the third round carries the marker, the others do not.
    third = table.split(">Third</a>", 1)[1].split("</tr>", 1)[0]
    assert "New question set" in third
    assert "New question set" not in table.split(">Third</a>", 1)[0].split("<tbody>", 1)[1]
    # The chart: one dashed vertical line with its label, and the description says where.
    chart = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert chart.count('class="version-marker"') == 1
    assert f"New question set: {_label(new)}" in chart
    assert f"was {_label(old)}" in chart.split("<desc", 1)[1].split("</desc>", 1)[0]

    rows = read_csv(
        client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id])),
        as_dicts=True,
    )
    marks = {(r["round"], r["bank_version"], r["new_question_set"]) for r in rows}
    assert marks == {
        ("First", str(old.version), "no"),
        ("Second", str(old.version), "no"),
        ("Third", str(new.version), "yes"),
    }

    api = client.get(f"/api/v1/organizations/{org.slug}/teams/{team.public_id}/history").json()
    assert [(p["title"], p["new_question_set"], p["previous_bank_version"]) for p in api] == [
        ("First", False, None),
        ("Second", False, None),
        ("Third", True, old.version),
    ]
    # Still compared by dimension key and percentage across the versions.
    assert [s["dimension"] for s in api[0]["scores"]] == [s["dimension"] for s in api[2]["scores"]]
    assert [s["percent"] for s in api[2]["scores"]][-1] == "83"  # 23.33 of 28 points


def test_a_history_on_one_bank_version_has_no_marker(client, org, executive):
    team = TeamFactory(organization=org)
    submitted_round(team=team, days_ago=100, points=[0, 1, 1])
    submitted_round(team=team, days_ago=10, points=[2, 2, 1])
    client.force_login(executive)
    html = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id]))
    assert "version-marker" not in html.content.decode()
    rows = read_csv(
        client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id])),
        as_dicts=True,
    )
    assert {r["new_question_set"] for r in rows} == {"no"}


def test_dashboard_does_not_rank_a_change_across_question_sets_as_a_move(
    client, org, executive, versions
):
    old, new = versions
    switched = TeamFactory(organization=org, name="Switched")
    steady = TeamFactory(organization=org, name="Steady")
    submitted_round(team=switched, days_ago=200, bank=old, points=[0, 0, 0])
    submitted_round(team=switched, days_ago=20, bank=new, points=[2, 2, 2])
    submitted_round(team=steady, days_ago=200, bank=old, points=[1, 1, 1])
    submitted_round(team=steady, days_ago=25, bank=old, points=[2, 1, 1])
    client.force_login(executive)

    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    movers = html.split("Biggest improvers", 1)[1].split("Trend across the organization", 1)[0]
    improvers = movers.split("Biggest decliners", 1)[0]
    assert 'Steady: <span class="change-value">\u25b2 +' in improvers
    assert "Switched" not in improvers
    assert "New question set, not compared" in movers
    assert 'Switched: <span class="change-value">\u25b2 +100 pp</span> ' in movers
    assert f"</span>, {_label(old)} → {_label(new)}" in movers
    # The heat map says so beside the change, the trend marks the quarter the new set began.
    heatmap = html.split('class="table align-middle heatmap"', 1)[1].split("</table>", 1)[0]
    switched_row = heatmap.split(">Switched</a>", 1)[1].split("</tr>", 1)[0]
    assert f"{_label(old)} → {_label(new)}" in switched_row
    assert "version-change" not in heatmap.split(">Steady</a>", 1)[1].split("</tr>", 1)[0]
    trend = html.split('id="trend-chart-title"', 1)[1].split("</svg>", 1)[0]
    assert trend.count('class="version-marker"') == 1
    assert f"New question set: {_label(new)}" in trend

    api = client.get(f"/api/v1/organizations/{org.slug}/dashboard").json()
    by_team = {row["team"]: row for row in api["items"]}
    assert by_team["Switched"]["change_across_versions"] is True
    assert by_team["Switched"]["bank"] == _label(new)
    assert by_team["Steady"]["change_across_versions"] is False


def test_dashboard_with_one_bank_version_has_no_marker(client, org, executive):
    team = TeamFactory(organization=org)
    submitted_round(team=team, days_ago=200, points=[0, 0, 1])
    submitted_round(team=team, days_ago=20, points=[2, 2, 1])
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert "New question set" not in html and "version-marker" not in html
