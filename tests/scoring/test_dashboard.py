"""The executive dashboard: heat map, trend, levels, movers, filters, CSV, thresholds, queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Role
from tests.factories import RoundFactory, TeamFactory
from tests.scoring.test_result_pages import read_csv, run_round

pytestmark = pytest.mark.django_db


def round_at(team, days_ago, **fields):
    now = timezone.now()
    return RoundFactory(
        team=team,
        opens_at=now - timedelta(days=days_ago),
        closes_at=now + timedelta(days=5),
        **fields,
    )


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE, email="exec@acme.example")


def test_dashboard_shows_every_team_trend_levels_and_movers(client, org, invite, executive):
    rising, falling = (
        TeamFactory(organization=org, name="Rising"),
        TeamFactory(organization=org, name="Falling"),
    )
    run_round(round_at(rising, 200, title="R1"), invite, [0, 0, 1])
    run_round(round_at(rising, 20, title="R2"), invite, [2, 2, 1])
    run_round(round_at(falling, 200, title="F1"), invite, [2, 2, 2])
    run_round(round_at(falling, 20, title="F2"), invite, [1, 1, 1])
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert "Rising" in html and "Falling" in html and "R2" in html and "F2" in html
    assert "Biggest improvers" in html and "Rising: +" in html and "Falling: -50 pts" in html
    assert 'id="maturity-grid-title"' in html and 'id="trend-chart-title"' in html
    assert (
        "83% · Optimized" in html
    )  # Rising's latest total: 70 of 84... per person 28, 28, 14 → 23.33/28


def test_rounds_under_their_threshold_are_left_out(client, org, invite, executive):
    team = TeamFactory(organization=org, name="Small")
    run_round(round_at(team, 20), invite, [2, 2])  # 2 of 3
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert (
        "No closed round with enough respondents" in html
        and "1 round stayed under its threshold" in html
    )
    rows = read_csv(client.get(reverse("scoring:dashboard_csv", args=[org.slug])))
    assert rows[1:] == []


def test_filter_by_team_and_csv(client, org, invite, executive):
    one, two = TeamFactory(organization=org, name="One"), TeamFactory(organization=org, name="Two")
    run_round(round_at(one, 20), invite, [1, 1, 1])
    run_round(round_at(two, 20), invite, [2, 2, 2])
    client.force_login(executive)
    html = client.get(
        reverse("scoring:dashboard", args=[org.slug]), {"team": str(one.public_id)}
    ).content.decode()
    assert ">One</a>" in html and ">Two</a>" not in html
    rows = read_csv(
        client.get(reverse("scoring:dashboard_csv", args=[org.slug]), {"period": "all"})
    )
    assert rows[0][:4] == ["team", "latest_round", "closed", "bank_version"]
    assert [r[0] for r in rows[1:]] == ["One", "Two"]
    assert rows[2][3] == "llmops v1"


def test_dashboard_queries_do_not_grow_with_teams_and_rounds(
    client, org, invite, executive, django_assert_max_num_queries
):
    client.force_login(executive)
    url = reverse("scoring:dashboard", args=[org.slug])
    run_round(round_at(TeamFactory(organization=org), 30), invite, [1, 2, 0])
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for index in range(10):
        team = TeamFactory(organization=org)
        run_round(round_at(team, 90), invite, [1, 1, 2])
        run_round(round_at(team, 10 + index), invite, [2, 1, 2])
    with django_assert_max_num_queries(12) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_malformed_filters_fall_back_to_the_defaults(client, org, invite, executive):
    team = TeamFactory(organization=org, name="Steady")
    run_round(round_at(team, 20), invite, [1, 1, 1])
    client.force_login(executive)
    url = reverse("scoring:dashboard", args=[org.slug])
    response = client.get(url, {"team": "not-a-team", "period": "forever"})
    assert response.status_code == 200 and ">Steady</a>" in response.content.decode()
    csv_response = client.get(reverse("scoring:dashboard_csv", args=[org.slug]), {"team": "x"})
    assert csv_response.status_code == 200


def test_heat_map_rows_link_each_team_and_escape_names(client, org, invite, executive):
    team = TeamFactory(organization=org, name="<b>R&D</b>")
    run_round(round_at(team, 20, title="Q3 <i>check</i>"), invite, [2, 2, 1])
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    history = reverse("scoring:team_history", args=[org.slug, team.public_id])
    assert f'<a href="{history}">&lt;b&gt;R&amp;D&lt;/b&gt;</a>' in html
    assert "Q3 &lt;i&gt;check&lt;/i&gt;" in html and "<b>R&D</b>" not in html
    assert '<td class="text-end">0 pts</td>' in html  # one round: no change yet
