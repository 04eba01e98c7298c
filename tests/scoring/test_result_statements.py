"""What the result pages read (#14): the round result, its comments CSV and the team history in
a fixed number of statements from 10 to 1,000 responses, and each only what it shows: the
history's next steps come from the latest round's answers counted once (its aggregates already
read, no comments, no previous round), the comments CSV reads the comments without counting
the answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.scoring import selectors
from apps.scoring.next_steps import round_steps
from tests.support.downloads import read_csv
from tests.support.scored_rounds import NOTES, closed_round, import_bank
from tests.support.scored_rounds import commented_round as round_with_notes
from tests.support.scored_rounds import people_answering as _people

pytestmark = pytest.mark.django_db

# Statements per view, whatever the number of responses: the session, the person, the
# membership and their teams (4), the round or team, then
RESULT = 16  # its aggregates with the previous round's, bands, questions with their options,
# the answers counted, the comments, the steps' guidance, the targets, and the plans' sections
# and actions
HISTORY = 18  # the rounds, their aggregates, targets, the bank's bands and organization for
# the figures, the plan summary, the bands, questions with their options and answers counted of
# the latest round for its steps, the guidance, the plans' actions
COMMENTS_CSV = 12  # the aggregates, bands, the comments, the questions' names, and the
# download's audit entry (its savepoint, insert and release)


def _statements(client, name, org, arg) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name, args=[org.slug, arg.public_id]))
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    return [q["sql"] for q in captured.captured_queries]


def test_result_history_and_comments_csv_statements_are_flat_from_10_to_1000_responses(
    client, org, team, lead
):
    bank = import_bank()
    closed_round(bank, _people(3), team=team, days_ago=60)  # both have a previous round
    small = closed_round(bank, _people(10), team=team, days_ago=40)
    client.force_login(lead)
    before = {
        "result": _statements(client, "scoring:round_result", org, small),
        "comments": _statements(client, "scoring:round_comments_csv", org, small),
        "history": _statements(client, "scoring:team_history", org, team),
    }
    large = closed_round(bank, _people(1000), team=team, days_ago=20)
    after = {
        "result": _statements(client, "scoring:round_result", org, large),
        "comments": _statements(client, "scoring:round_comments_csv", org, large),
        "history": _statements(client, "scoring:team_history", org, team),
    }
    assert {name: len(sql) for name, sql in before.items()} == {
        name: len(sql) for name, sql in after.items()
    }
    assert len(after["result"]) <= RESULT
    assert len(after["history"]) <= HISTORY
    assert len(after["comments"]) <= COMMENTS_CSV


def _reads_answers(statements: list[str]) -> list[str]:
    return [sql for sql in statements if '"surveys_answer"' in sql]


def test_the_history_counts_the_latest_rounds_answers_once_and_reads_no_comments(
    client, org, team, lead
):
    round_ = round_with_notes(team)
    client.force_login(lead)
    statements = _statements(client, "scoring:team_history", org, team)
    answers = _reads_answers(statements)
    assert len(answers) == 1 and "COUNT(" in answers[0] and '"comment"' not in answers[0]
    assert sum('FROM "scoring_teamscore"' in sql for sql in statements) == 1
    # The steps are the result page's, to the letter.
    (point,) = selectors.team_history(team)[0]
    light = selectors.history_steps_result(point)
    assert light.questions and all(not q.comments for q in light.questions)
    full = selectors.round_team_result(round_)
    assert round_steps(light) == round_steps(full) != []
    html = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id])).content
    page = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id])).content
    first = round_steps(full)[0]
    assert html.decode().count(first.guidance) == page.decode().count(first.guidance) > 0


def test_the_comments_csv_reads_the_comments_without_counting_the_answers(client, org, team, lead):
    round_ = round_with_notes(team)
    client.force_login(lead)
    statements = _statements(client, "scoring:round_comments_csv", org, round_)
    answers = _reads_answers(statements)
    assert len(answers) == 1 and "COUNT(" not in answers[0]
    rows = read_csv(
        client.get(reverse("scoring:round_comments_csv", args=[org.slug, round_.public_id]))
    )
    full = selectors.round_team_result(round_)
    assert [row[5:] for row in rows[1:]] == [
        [q.code, q.text, note.answer, note.comment, note.evidence_url]
        for q in full.questions
        for note in q.comments
    ]
    assert sorted(row[8] for row in rows[1:]) == sorted(c for c, _ in NOTES.values())
