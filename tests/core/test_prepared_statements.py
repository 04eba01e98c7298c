"""The respondent's hot statements (the link lookup, the autosave) are prepared once per
database connection, still counted and logged with their values; a failed one leaves the
connection usable; and DATABASE_PREPARED_STATEMENTS=false prepares nothing (#14)."""

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.prepared import prepared_cursor
from tests.factories import RoundFactory, published_bank
from tests.scenarios import invite

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plan cache"),
]


def prepared(fragment: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this connection's prepared statements containing
    `fragment`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return cursor.fetchall()


@pytest.fixture
def link(team, lead):
    round_ = RoundFactory(team=team, bank=published_bank(), created_by=lead)
    return round_, invite(round_, ["ada@example.com"])["ada@example.com"]


def test_the_link_lookup_and_the_autosave_are_planned_once_and_then_reused(client, link):
    round_, token = link
    questions = list(round_.bank.questions.prefetch_related("choices"))
    for n in range(8):  # PostgreSQL plans a prepared statement 5 times, then keeps a plan
        question = questions[n % len(questions)]
        choice = list(question.choices.all())[n % 2]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse("surveys:answer", args=[token]),
                {f"q-{question.pk}": choice.pk},
                HTTP_HX_REQUEST="true",
            )
        assert response.status_code == 200 and "Saved" in response.content.decode()
        # Counted and logged as any statement, with its values in place.
        (saving,) = captured.captured_queries
        assert saving["sql"].startswith("WITH held AS"), saving["sql"]
        assert f"CAST({question.pk} AS bigint)" in saving["sql"], saving["sql"]
        assert client.get(reverse("surveys:page", args=[token, 1])).status_code == 200
    (autosave,) = prepared("INSERT INTO surveys_answer AS a")
    assert sum(autosave) == 8 and autosave[0] >= 1  # a generic plan: no planning per request
    lookups = prepared("WHERE p.token_hash = $1")
    assert lookups and sum(sum(plans) for plans in lookups) >= 8


def test_a_failed_prepared_statement_leaves_the_connection_usable():
    for attempt in range(3):
        with pytest.raises(DataError), transaction.atomic(), prepared_cursor() as cursor:
            cursor.execute("SELECT CAST(%s AS integer)", ["not a number"])
        with prepared_cursor() as cursor:
            cursor.execute("SELECT CAST(%s AS integer)", [str(attempt)])
            assert cursor.fetchone() == (attempt,)


def test_turned_off_nothing_is_prepared(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with prepared_cursor() as cursor:
        cursor.execute("SELECT 40 + %s AS turned_off_check", [2])
        assert cursor.fetchone() == (42,)
    assert prepared("turned_off_check") == []
