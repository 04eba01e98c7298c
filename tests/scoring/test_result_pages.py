"""Round result and team history: pages and CSV, thresholds, roles and query bounds."""

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from apps.scoring.csv_export import safe_cell
from tests.scenarios import round_at, submit_responses, submitted_round
from tests.support.downloads import read_csv

pytestmark = pytest.mark.django_db


def test_round_result_shows_scores_levels_chart_distributions_and_disagreement(
    client, org, round_, lead
):
    submit_responses(round_, [0, 1, 2])
    client.force_login(lead)
    html = client.get(
        reverse("scoring:round_result", args=[org.slug, round_.public_id])
    ).content.decode()
    assert "<svg" in html and 'role="img"' in html and '<title id="round-chart-title">' in html
    assert "7.00 / 14.00" in html and "14.00 / 28.00" in html and "2 · Defined" in html
    assert "where the team disagrees" in html and "disagreement" in html  # 0 vs 2 on every question
    # How many chose each answer: a distribution chart per question, the table in full beside it.
    # Each drawn twice: wide, and compact for phones.
    assert html.count('<title id="question-') == 2 * 14 and "The answers in full" in html


def test_change_since_the_previous_round(client, org, team, lead):
    submitted_round(team=team, days_ago=100, title="Q1", points=[1, 1, 1])
    later = submitted_round(team=team, days_ago=5, title="Q2", points=[2, 2, 2])
    client.force_login(lead)
    html = client.get(
        reverse("scoring:round_result", args=[org.slug, later.public_id])
    ).content.decode()
    assert "change since Q1" in html and "\u25b2 +50 pp" in html


def test_a_previous_round_on_another_question_set_is_named_not_compared(client, org, team, lead):
    from tests.factories import published_bank

    submitted_round(team=team, days_ago=100, title="Q1", points=[1, 1, 1])
    later = submitted_round(
        team=team, days_ago=5, title="Q2", points=[2, 2, 2], bank=published_bank(version=2)
    )
    client.force_login(lead)
    html = client.get(
        reverse("scoring:round_result", args=[org.slug, later.public_id])
    ).content.decode()
    assert "New question set: the previous round, Q1, used llmops v1" in html
    assert " pts</td>" not in html and "change since" not in html


def test_below_the_threshold_only_n_of_m_needed_shows_everywhere(client, org, team, round_, lead):
    submit_responses(round_, [2, 2])  # 2 of 3
    client.force_login(lead)
    page = client.get(
        reverse("scoring:round_result", args=[org.slug, round_.public_id])
    ).content.decode()
    assert (
        "2 of the 3 responses needed" in page
        and "<svg" not in page
        and "Answers per question" not in page
    )
    rows = read_csv(
        client.get(reverse("scoring:round_result_csv", args=[org.slug, round_.public_id]))
    )
    assert rows[1][6] == "2 of the 3 responses needed" and "28" not in "".join(rows[1])
    history = client.get(
        reverse("scoring:team_history", args=[org.slug, team.public_id])
    ).content.decode()
    assert "2 of the 3 responses needed" in history
    rows = read_csv(
        client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id]))
    )
    assert rows[1][7] == "2 of the 3 responses needed"


def test_team_history_lists_rounds_with_a_line_chart_and_csv(client, org, team, lead):
    submitted_round(team=team, days_ago=100, title='=HYPERLINK("x")', points=[0, 1, 1])
    submitted_round(team=team, days_ago=5, title="Later", points=[2, 2, 1])
    client.force_login(lead)
    html = client.get(
        reverse("scoring:team_history", args=[org.slug, team.public_id])
    ).content.decode()
    assert "<polyline" in html and "Application maturity" in html and "llmops v1" in html
    rows = read_csv(
        client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id]))
    )
    assert rows[0][:5] == ["team", "round", "closed", "bank", "bank_version"]
    assert {r[1] for r in rows[1:]} == {'\'=HYPERLINK("x")', "Later"}  # neutralised formula
    assert all(r[4] == "1" for r in rows[1:])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("plain", "plain"),
        (-2, "-2"),
    ],
)
def test_csv_cells_are_neutralised_against_formula_injection(value, cell):
    assert safe_cell(value) == cell


def test_a_member_sees_their_team_result_above_the_threshold_but_not_other_teams(
    client, org, team, round_, member_of, in_team
):
    submit_responses(round_, [1, 1, 1])
    person = member_of(Role.MEMBER)
    client.force_login(person)
    url = reverse("scoring:round_result", args=[org.slug, round_.public_id])
    assert client.get(url).status_code == 403
    in_team(person, team)
    assert client.get(url).status_code == 200


def test_result_and_history_queries_do_not_grow(
    client, org, team, lead, django_assert_max_num_queries
):
    client.force_login(lead)
    submitted_round(team=team, days_ago=210, points=[2, 2, 2])
    # `small` has a previous round, like `large`.
    small = submitted_round(team=team, days_ago=200, points=[1, 2, 0])
    history_url = reverse("scoring:team_history", args=[org.slug, team.public_id])
    # Beyond the scores: the targets and next steps (#15; on the history page those of the
    # latest visible round, so its question rows too) and the sections of the plans' hooks.
    result_bound, history_bound = 26, 30
    with django_assert_max_num_queries(result_bound) as one:
        client.get(reverse("scoring:round_result", args=[org.slug, small.public_id]))
    with django_assert_max_num_queries(history_bound) as history_one:
        client.get(history_url)
    large = None
    for days_ago in (150, 120, 90, 60, 30):
        large = submitted_round(team=team, days_ago=days_ago, points=[1, 2, 0, 1, 2, 2, 1, 0, 1, 2])
    with django_assert_max_num_queries(result_bound) as many:
        client.get(reverse("scoring:round_result", args=[org.slug, large.public_id]))
    with django_assert_max_num_queries(history_bound) as history_many:
        client.get(history_url)
    assert len(one.captured_queries) == len(many.captured_queries)
    assert len(history_one.captured_queries) == len(history_many.captured_queries)


def test_a_bank_disagreement_threshold_flags_smaller_spreads(client, org, team, lead):
    import json

    from apps.surveys.bank_services import SHIPPED_BANKS_DIR, bank_import

    plain = round_at(team, 30, title="Plain")  # on the shipped bank: no threshold
    data = json.loads((SHIPPED_BANKS_DIR / "llmops.json").read_text())
    strict = bank_import({**data, "disagreement_threshold": 0.5}, publish=True, version=90)
    strict_round = round_at(team, 20, bank=strict)
    for round_ in (plain, strict_round):
        submit_responses(round_, [0, 1, 1])  # one point apart on every question
    client.force_login(lead)

    def page(round_):
        url = reverse("scoring:round_result", args=[org.slug, round_.public_id])
        return client.get(url).content.decode()

    badge = '<span class="badge text-bg-warning">disagreement</span>'
    assert badge not in page(plain)  # one point of 0-2 is less than two levels' worth
    assert page(strict_round).count(badge) == 14  # but more than half a point: every question
