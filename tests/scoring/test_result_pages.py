"""Round result and team history: pages and CSV, thresholds, roles and query bounds."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Role
from apps.scoring.csv_export import safe_cell
from apps.surveys import round_services
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


def run_round(round_, invite, points_per_person, *, close=True):
    invite(round_, [f"{round_.pk}-p{i}@example.com" for i in range(len(points_per_person))])
    questions = list(round_.bank.questions.prefetch_related("choices").order_by("pk"))
    for participant, points in zip(
        round_.participants.order_by("email"), points_per_person, strict=True
    ):
        for index, question in enumerate(questions):
            wanted = points(index) if callable(points) else points
            choice = next(c for c in question.choices.all() if c.points == wanted)
            round_services.answer_save(
                participant=participant, question_id=question.pk, choice_id=choice.pk
            )
        round_services.response_submit(participant=participant)
    if close:
        round_services.round_close(round_=round_)
    return round_


def round_at(team, days_ago: int, **fields):
    """A round that opened `days_ago` days ago and is still open for answers."""
    now = timezone.now()
    return RoundFactory(
        team=team,
        opens_at=now - timedelta(days=days_ago),
        closes_at=now + timedelta(days=10),
        **fields,
    )


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_round_result_shows_scores_levels_chart_distributions_and_disagreement(
    client, org, round_, lead, invite
):
    run_round(round_, invite, [0, 1, 2])
    client.force_login(lead)
    html = client.get(
        reverse("scoring:round_result", args=[org.slug, round_.public_id])
    ).content.decode()
    assert "<svg" in html and 'role="img"' in html and '<title id="round-chart-title">' in html
    assert "7 / 14" in html and "14 / 28" in html and "2 · Defined" in html
    assert "where the team disagrees" in html and "disagreement" in html  # 0 vs 2 on every question
    assert "<strong>1</strong> \u00d7" in html


def test_change_since_the_previous_round(client, org, team, lead, invite):
    run_round(round_at(team, 100, title="Q1"), invite, [1, 1, 1])
    later = run_round(round_at(team, 5, title="Q2"), invite, [2, 2, 2])
    client.force_login(lead)
    html = client.get(
        reverse("scoring:round_result", args=[org.slug, later.public_id])
    ).content.decode()
    assert "change since Q1" in html and "+50 pts" in html


def test_below_the_threshold_only_n_of_m_needed_shows_everywhere(
    client, org, team, round_, lead, invite
):
    run_round(round_, invite, [2, 2])  # 2 of 3
    client.force_login(lead)
    page = client.get(
        reverse("scoring:round_result", args=[org.slug, round_.public_id])
    ).content.decode()
    assert "2 of 3 needed" in page and "<svg" not in page and "Answers per question" not in page
    rows = read_csv(
        client.get(reverse("scoring:round_result_csv", args=[org.slug, round_.public_id]))
    )
    assert rows[1][6] == "2 of 3 needed" and "28" not in "".join(rows[1])
    history = client.get(
        reverse("scoring:team_history", args=[org.slug, team.public_id])
    ).content.decode()
    assert "2 of 3 needed" in history
    rows = read_csv(
        client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id]))
    )
    assert rows[1][7] == "2 of 3 needed"


def test_team_history_lists_rounds_with_a_line_chart_and_csv(client, org, team, lead, invite):
    run_round(round_at(team, 100, title='=HYPERLINK("x")'), invite, [0, 1, 1])
    run_round(round_at(team, 5, title="Later"), invite, [2, 2, 1])
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
    client, org, team, round_, member_of, in_team, invite
):
    run_round(round_, invite, [1, 1, 1])
    person = member_of(Role.MEMBER)
    client.force_login(person)
    url = reverse("scoring:round_result", args=[org.slug, round_.public_id])
    assert client.get(url).status_code == 403
    in_team(person, team)
    assert client.get(url).status_code == 200


def test_result_and_history_queries_do_not_grow(
    client, org, team, lead, invite, django_assert_max_num_queries
):
    client.force_login(lead)
    run_round(round_at(team, 210), invite, [2, 2, 2])
    small = run_round(round_at(team, 200), invite, [1, 2, 0])  # has a previous round, like `large`
    history_url = reverse("scoring:team_history", args=[org.slug, team.public_id])
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("scoring:round_result", args=[org.slug, small.public_id]))
    with django_assert_max_num_queries(20) as history_one:
        client.get(history_url)
    large = None
    for days_ago in (150, 120, 90, 60, 30):
        large = run_round(round_at(team, days_ago), invite, [1, 2, 0, 1, 2, 2, 1, 0, 1, 2])
    with django_assert_max_num_queries(20) as many:
        client.get(reverse("scoring:round_result", args=[org.slug, large.public_id]))
    with django_assert_max_num_queries(20) as history_many:
        client.get(history_url)
    assert len(one.captured_queries) == len(many.captured_queries)
    assert len(history_one.captured_queries) == len(history_many.captured_queries)


def test_a_bank_disagreement_threshold_flags_smaller_spreads(client, org, team, lead, invite):
    import json

    from apps.surveys.bank_services import SHIPPED_BANKS_DIR, bank_import

    plain = round_at(team, 30, title="Plain")  # on the shipped bank: no threshold
    data = json.loads((SHIPPED_BANKS_DIR / "llmops.json").read_text())
    strict = bank_import({**data, "disagreement_threshold": 0.5}, publish=True, version=90)
    strict_round = round_at(team, 20, bank=strict)
    for round_ in (plain, strict_round):
        run_round(round_, invite, [0, 1, 1])  # one point apart on every question
    client.force_login(lead)

    def page(round_):
        url = reverse("scoring:round_result", args=[org.slug, round_.public_id])
        return client.get(url).content.decode()

    badge = '<span class="badge text-bg-warning">disagreement</span>'
    assert badge not in page(plain)  # one point of 0-2 is less than two levels' worth
    assert page(strict_round).count(badge) == 14  # but more than half a point: every question
