"""The executive dashboard: heat map, trend, levels, movers, filters, CSV, thresholds, queries;
the SQL twins of the percentage and quarter rules it reads, on PostgreSQL and SQLite."""

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.organizations.models import Role, Team
from apps.scoring import figures
from apps.scoring.charts import Band
from apps.scoring.dashboard import Dashboard, TeamRow
from apps.scoring.models import TeamScore
from apps.scoring.targets import EffectiveTarget
from tests.factories import TeamFactory
from tests.scenarios import closed_round_copies, submitted_round
from tests.support import dashboard_sql
from tests.support.downloads import read_csv

pytestmark = pytest.mark.django_db

DUE = dt.date(2099, 3, 31)


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE, email="exec@acme.example")


def test_dashboard_shows_every_team_trend_levels_and_movers(client, org, executive):
    rising, falling = (
        TeamFactory(organization=org, name="Rising"),
        TeamFactory(organization=org, name="Falling"),
    )
    submitted_round(team=rising, days_ago=200, title="R1", points=[0, 0, 1])
    submitted_round(team=rising, days_ago=20, title="R2", points=[2, 2, 1])
    submitted_round(team=falling, days_ago=200, title="F1", points=[2, 2, 2])
    submitted_round(team=falling, days_ago=20, title="F2", points=[1, 1, 1])
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert "Rising" in html and "Falling" in html and "R2" in html and "F2" in html
    assert "Biggest improvers" in html and 'Rising: <span class="change-value">\u25b2 +' in html
    # A fall is signed, marked and coloured, in pp, and says since when.
    assert (
        'Falling: <span class="decline"><span class="change-value">\u25bc -50 pp</span> '
        '<span class="change-since">since Q'
    ) in html
    assert 'id="maturity-grid-title"' in html and 'id="trend-chart-title"' in html
    assert (
        "83% · Optimized" in html
    )  # Rising's latest total: 70 of 84... per person 28, 28, 14 → 23.33/28


def test_rounds_under_their_threshold_are_left_out(client, org, executive):
    team = TeamFactory(organization=org, name="Small")
    submitted_round(team=team, days_ago=20, points=[2, 2])  # 2 of 3
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert (
        "No closed round with enough respondents" in html
        and "1 round stayed under its threshold" in html
    )
    rows = read_csv(client.get(reverse("scoring:dashboard_csv", args=[org.slug])))
    assert rows[1:] == []


def test_filter_by_team_and_csv(client, org, executive):
    one, two = TeamFactory(organization=org, name="One"), TeamFactory(organization=org, name="Two")
    submitted_round(team=one, days_ago=20, points=[1, 1, 1])
    submitted_round(team=two, days_ago=20, points=[2, 2, 2])
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
    client, org, executive, django_assert_max_num_queries
):
    client.force_login(executive)
    url = reverse("scoring:dashboard", args=[org.slug])
    submitted_round(team=TeamFactory(organization=org), days_ago=30, points=[1, 2, 0])
    # 12 for the dashboard itself, 9 for what #15 added inside the fragment: the organization
    # patterns (4, from the question levels stored at close), the target gaps (5; 1 without a
    # target). See test_dashboard_cold.
    with django_assert_max_num_queries(21) as small:
        client.get(url)
    for index in range(10):
        team = TeamFactory(organization=org)
        submitted_round(team=team, days_ago=90, points=[1, 1, 2])
        submitted_round(team=team, days_ago=10 + index, points=[2, 1, 2])
    with django_assert_max_num_queries(21) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_dashboard_statements_are_the_same_for_30_and_300_teams(
    client, org, executive, django_assert_max_num_queries
):
    """Drawn afresh (the cache empty) and from the cache, as many statements either way."""
    client.force_login(executive)
    url = reverse("scoring:dashboard", args=[org.slug])
    first = submitted_round(team=TeamFactory(organization=org), days_ago=30, points=[1, 2, 0])

    def statements() -> tuple[int, int]:
        cache.clear()
        with django_assert_max_num_queries(21) as cold:  # 12, and 9 for patterns and targets
            html = client.get(url).content.decode().split('id="roadmap-status"')[1]
        with django_assert_max_num_queries(8) as warm:  # the same, without a CSRF token
            assert client.get(url).content.decode().split('id="roadmap-status"')[1] == html
        rows = html.count('<tr><th scope="row"><a href=')
        assert rows == Team.objects.filter(organization=org).count()
        return len(cold.captured_queries), len(warm.captured_queries)

    closed_round_copies(first, TeamFactory.create_batch(29, organization=org))
    thirty = statements()
    closed_round_copies(first, TeamFactory.create_batch(270, organization=org))
    assert statements() == thirty


def test_malformed_filters_fall_back_to_the_defaults(client, org, executive):
    team = TeamFactory(organization=org, name="Steady")
    submitted_round(team=team, days_ago=20, points=[1, 1, 1])
    client.force_login(executive)
    url = reverse("scoring:dashboard", args=[org.slug])
    response = client.get(url, {"team": "not-a-team", "period": "forever"})
    assert response.status_code == 200 and ">Steady</a>" in response.content.decode()
    csv_response = client.get(reverse("scoring:dashboard_csv", args=[org.slug]), {"team": "x"})
    assert csv_response.status_code == 200


def test_heat_map_rows_link_each_team_and_escape_names(client, org, executive):
    team = TeamFactory(organization=org, name="<b>R&D</b>")
    submitted_round(team=team, days_ago=20, title="Q3 <i>check</i>", points=[2, 2, 1])
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    history = reverse("scoring:team_history", args=[org.slug, team.public_id])
    assert f'<a href="{history}">&lt;b&gt;R&amp;D&lt;/b&gt;</a>' in html
    assert "Q3 &lt;i&gt;check&lt;/i&gt;" in html and "<b>R&D</b>" not in html
    # One round: no change yet.
    assert (
        'data-label="Change"><span class="change-value">0 pp</span> '
        '<span class="change-since">since Q' in html
    )


def test_a_round_nobody_scored_shows_its_team_without_scores(client, org, executive):
    """Everyone answered "don't know" or "not applicable" everywhere: the round met its
    threshold, and nothing in it is assessed."""
    team = TeamFactory(organization=org, name="Unsure")
    round_ = submitted_round(team=team, days_ago=20, title="All unknown", points=[1, 1, 1])
    TeamScore.objects.filter(round=round_, dimension__isnull=False).delete()
    TeamScore.objects.filter(round=round_).update(
        n=0, mean=None, median=None, minimum=None, maximum=None, stdev=None, level_number=None
    )
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert ">Unsure</a>" in html and "All unknown" in html
    assert html.count('<td class="" data-label=') == 2
    assert '<td class="heat- fw-semibold" data-label="Total"></td>' in html


# --- The SQL twins of the rules (tests/support/dashboard_sql.py)


def test_percent_in_sql_rounds_half_up_as_calculations_percent_does(org):
    assert dashboard_sql.percent_mismatches() == []


def test_quarters_in_sql_close_as_quarter_of_says(org):
    assert dashboard_sql.quarter_mismatches() == []


def test_sqlite_reads_the_same_dashboard(tmp_path):
    """A process of its own migrates a new SQLite database, checks the two rules there and
    builds the same organization: its dashboard reads as on PostgreSQL."""
    organization = dashboard_sql.build_organization()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.dashboard_sql", str(tmp_path / "db.sqlite3")],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    on_sqlite = json.loads(result.stdout.strip().splitlines()[-1])
    on_postgresql = json.loads(json.dumps(dashboard_sql.dashboard_summary(organization)))
    assert on_sqlite == on_postgresql
    assert [team[0] for team in on_postgresql["teams"]] == ["Alpha", "Beta"]
    assert on_postgresql["hidden"] == 1


def _grid_data():
    team = TeamRow(1, "p", "Alpha", "Q3", None, "llmops v1", trail=[(Decimal(40), Decimal(70))])
    return Dashboard(
        teams=[team],
        dimensions=[("application", "Application"), ("operational", "Operational")],
        trend=[],
        level_counts=[],
        hidden_rounds=0,
        bands=[Band("Defined", 25.0), Band("Managed", 54.0)],
    )


def test_the_maturity_grid_shades_the_target_zone_only_with_both_defaults():
    def target(key, level, name, min_score):
        return EffectiveTarget(
            "llmops", key, level, name, Decimal(min_score), Decimal(28), DUE, "organization"
        )

    both = {
        "application": target("application", 3, "Managed", 15),  # 54%
        "operational": target("operational", 2, "Defined", 7),  # 25%
    }
    svg = figures.maturity_grid(_grid_data(), targets=both)
    zone = svg[svg.index('<g class="target-zone">') :]
    zone = zone[: zone.index("</g>")]
    # The wide grid is 540 px from x=96, y=34: the zone runs from 54% across and 25% up to 100%.
    assert 'x="387.6"' in zone and 'y="34.0"' in zone and 'height="405.0"' in zone
    assert ">Target zone</text>" in zone
    assert "Application from 54% (Managed), Operational from 25% (Defined)" in svg
    for partial in ({}, None, {"application": both["application"]}):
        svg = figures.maturity_grid(_grid_data(), targets=partial)
        assert "target-zone" not in svg and "Target zone" not in svg


def test_team_names_in_the_highlight_menu_and_weak_practices_are_escaped(client, org, executive):
    def weak(index: int) -> int:
        return 0 if index == 0 else 2

    teams = [TeamFactory(organization=org, name=name) for name in ("R&D <Labs>", "Search")]
    for team in teams:
        submitted_round(team=team, points=[weak] * 3)
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    menu = html[
        html.index("data-grid-highlight>") : html.index(
            "</select>", html.index("data-grid-highlight>")
        )
    ]
    assert menu.count("<option") == 3 and '<option value="">All teams</option>' in menu
    for team in teams:
        assert f'<option value="{team.public_id}">' in menu
    assert "R&amp;D &lt;Labs&gt;" in menu and "<Labs>" not in html
    assert "Teams: R&amp;D &lt;Labs&gt;, Search</div>" in html
    # The Team filter: every team by its id, the chosen one selected.
    chosen = client.get(
        reverse("scoring:dashboard", args=[org.slug]), {"team": str(teams[1].public_id)}
    ).content.decode()
    team_filter = chosen[chosen.index('<select name="team"') :]
    team_filter = team_filter[: team_filter.index("</select>")]
    assert f'<option value="{teams[1].public_id}" selected>Search</option>' in team_filter
    assert f'<option value="{teams[0].public_id}">R&amp;D &lt;Labs&gt;</option>' in team_filter


def test_practices_weak_across_teams_top_three_then_show_all(client, org, executive):
    def four_weak(index: int) -> int:
        return 0 if index < 4 else 2  # APP-1 to APP-4 at Initial, the rest at the top

    for name in ("Search", "Support", "Billing"):
        submitted_round(team=TeamFactory(organization=org, name=name), points=[four_weak] * 3)
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    section = html[html.index('id="patterns"') :]
    top, rest = section.split("<details", 1)
    assert top.count("3 of 3 teams are at Initial on ") == 3
    assert "Teams: Billing, Search, Support" in top and "To reach Defined: <q>" in top
    assert "Show all 4 practices" in rest and rest.count("3 of 3 teams are at Initial on ") == 1
    # Beside each, the link that turns it into an organization action (plans' hook), the same
    # for every viewer; the organization plan is linked from the page.
    new = reverse("plans:organization_action_new", args=[org.slug])
    assert section.count(f'href="{new}?bank=') == 4
    assert reverse("plans:organization_plan", args=[org.slug]) in html


def test_no_practice_weak_across_teams_says_so(client, org, executive):
    submitted_round(team=TeamFactory(organization=org), points=[2, 2, 2])
    client.force_login(executive)
    html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert "No practice is weak across teams" in html
