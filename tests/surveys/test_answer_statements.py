"""Answers save in one statement (#14): an autosave request runs at most 3, a page of any size
at most 4, a submit at most 12; "Next" does not write again what autosave stored; and every
refusal is as clear as when each rule was checked in turn, races included."""

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.surveys import bank_services, round_selectors, round_services
from apps.surveys.models import Answer, AnswerKind, Participant, Response, Round, RoundStatus
from tests.factories import RoundFactory, TeamFactory, published_bank
from tests.scenarios import invite
from tests.surveys.bank_data_v2 import _question, v2_bank

pytestmark = pytest.mark.django_db


def pages_bank(slug="pages"):
    """Page 1 holds one question (E-1), page 2 ten (O-1 to O-10; every third offers N/A)."""
    data = v2_bank(slug)
    data["dimensions"][0]["questions"] = [_question("E-1", "How do you evaluate prompts?")]
    data["dimensions"][1]["questions"] = [
        _question(f"O-{n}", f"Operations question {n}?", allow_na=n % 3 == 0) for n in range(1, 11)
    ]
    return bank_services.bank_import(data, publish=True)


@pytest.fixture
def pages_round(team, lead):
    return RoundFactory(team=team, bank=pages_bank(), title="Pages", created_by=lead)


@pytest.fixture
def ada(pages_round):
    return invite(pages_round, ["ada@example.com"])["ada@example.com"]


def questions(round_, *codes):
    found = {q.code: q for q in round_.bank.questions.prefetch_related("choices")}
    return [found[code] for code in codes] if codes else list(found.values())


def option(question, n=0):
    return question.choices.order_by("points")[n]


def autosave(client, token, question, value, **notes):
    data = {f"q-{question.pk}": value}
    data.update({f"{field}-{question.pk}": text for field, text in notes.items()})
    return client.post(reverse("surveys:answer", args=[token]), data, HTTP_HX_REQUEST="true")


def writes(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))
    ]


def stored(question):
    return Answer.objects.filter(question=question).values_list("kind", "choice_id").first()


# --- Statement counts


def test_an_autosave_takes_at_most_three_statements_first_answer_change_and_last_page(
    client, pages_round, ada, django_assert_max_num_queries
):
    e1, o1, o3, o10 = questions(pages_round, "E-1", "O-1", "O-3", "O-10")
    for question, value in (
        (e1, option(e1).pk),  # the first answer starts the response too
        (e1, option(e1, 2).pk),  # a change of mind
        (o1, "dk"),
        (o3, "na"),
        (o10, option(o10, 3).pk),
    ):
        with django_assert_max_num_queries(3) as captured:
            response = autosave(client, ada, question, value, comment="", evidence="")
        assert response.status_code == 200 and "Saved" in response.content.decode()
        assert len(writes(captured)) == 1  # the statement that saves it
    assert stored(e1) == (AnswerKind.CHOICE, option(e1, 2).pk)
    assert stored(o1) == (AnswerKind.DONT_KNOW, None)
    assert stored(o3) == (AnswerKind.NOT_APPLICABLE, None)
    assert Response.objects.count() == 1


@pytest.mark.parametrize("number, count", [(1, 1), (2, 10)])
def test_a_page_saves_in_one_statement_and_at_most_four_whatever_its_size(
    client, pages_round, ada, number, count, django_assert_max_num_queries
):
    dimension = pages_round.bank.dimensions.order_by("order")[number - 1]
    page = list(dimension.questions.order_by("order").prefetch_related("choices"))
    assert len(page) == count
    data = {}
    for n, question in enumerate(page):
        data[f"q-{question.pk}"] = option(question, n % 4).pk
        data[f"comment-{question.pk}"] = f"Note {n}" if n % 2 else ""
        data[f"evidence-{question.pk}"] = "wiki.example.com/p" if n == 0 else ""
    with django_assert_max_num_queries(4) as captured:
        response = client.post(reverse("surveys:page", args=[ada, number]), data)
    assert response.status_code == 302
    assert len(writes(captured)) == 1
    saved = {a.question_id: a for a in Answer.objects.all()}
    assert len(saved) == count
    for n, question in enumerate(page):
        assert saved[question.pk].choice_id == option(question, n % 4).pk
        assert saved[question.pk].comment == (f"Note {n}" if n % 2 else "")
    assert saved[page[0].pk].evidence_url == "https://wiki.example.com/p"


def test_next_after_autosave_writes_nothing_and_only_what_changed(
    client, pages_round, ada, django_assert_max_num_queries
):
    page = questions(pages_round, *(f"O-{n}" for n in range(1, 11)))
    data = {}
    for question in page:
        autosave(client, ada, question, option(question, 1).pk)
        data.update(
            {
                f"q-{question.pk}": option(question, 1).pk,
                f"comment-{question.pk}": "",
                f"evidence-{question.pk}": "",
            }
        )
    before = dict(Answer.objects.values_list("question_id", "updated_at"))
    url = reverse("surveys:page", args=[ada, 2])
    assert client.get(url).status_code == 200  # the page was shown before it is posted
    # Only the link's one read (its saved answers with it): nothing to write.
    with django_assert_max_num_queries(1) as captured:
        assert client.post(url, data)["Location"] == reverse("surveys:review", args=[ada])
    assert writes(captured) == []
    assert dict(Answer.objects.values_list("question_id", "updated_at")) == before
    # One answer and one comment changed since: only that row is written.
    data[f"q-{page[4].pk}"] = option(page[4], 3).pk
    data[f"comment-{page[7].pk}"] = "  We page on-call.  "
    with django_assert_max_num_queries(2) as captured:
        client.post(url, data)
    assert len(writes(captured)) == 1
    after = dict(Answer.objects.values_list("question_id", "updated_at"))
    assert {pk for pk in after if after[pk] != before[pk]} == {page[4].pk, page[7].pk}
    assert Answer.objects.get(question=page[7]).comment == "We page on-call."


def test_a_page_post_reads_the_pages_and_answers_the_page_shows(client, pages_round, ada):
    (o1,) = questions(pages_round, "O-1")
    autosave(client, ada, o1, "dk")
    participant = Participant.objects.select_related("round").get()
    plan = round_selectors.answering_pages(participant)
    shown = round_selectors.dimension_pages(pages_round.bank_id)
    assert plan.pages == [[q.pk for q in page["questions"]] for page in shown]
    assert plan.answers == round_selectors.participant_answers(participant)
    assert plan.answers[o1.pk]["value"] == "dk"


def test_every_request_of_the_path_reads_the_link_once_and_each_bank_once_per_process(
    client, pages_round, ada, django_assert_num_queries, django_assert_max_num_queries
):
    """The link's participant, round, team, organization, bank and saved answers come in one
    statement; a published bank's pages and level rules are read once per process."""
    from apps.scoring import own_result

    round_selectors._bank_pages.clear()
    own_result._bank_rules.clear()
    intro = reverse("surveys:intro", args=[ada])
    with django_assert_num_queries(3):  # the link; the bank's questions and their choices
        assert client.get(intro).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(intro).status_code == 200
    pages = [reverse("surveys:page", args=[ada, n]) for n in (1, 2)]
    for url in pages:
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    for question in questions(pages_round):
        chosen = option(question).pk
        with django_assert_num_queries(1):  # the autosave: its statement, through the link
            assert autosave(client, ada, question, chosen).status_code == 200
    with django_assert_num_queries(1):  # "Next" after autosave: the link, nothing to write
        assert client.post(pages[1], {})["Location"] == reverse("surveys:review", args=[ada])
    with django_assert_num_queries(1):
        assert client.get(reverse("surveys:review", args=[ada])).status_code == 200
    bank = Round.objects.select_related("bank").get().bank
    with django_assert_max_num_queries(5):  # the bank's rules: bands, specs, levels, dimensions
        own_result.bank_rules(bank)
    # The link; BEGIN, the draft held in its round with its answers, the snapshot and both
    # rows marked submitted in one statement, COMMIT.
    with django_assert_num_queries(5):
        assert client.post(reverse("surveys:submit", args=[ada])).status_code == 302
    with django_assert_num_queries(2):  # the link; the snapshot with the team's counts
        assert client.get(reverse("scoring:done", args=[ada])).status_code == 200


def test_the_same_answer_again_is_saved_so_already_and_written_once(client, pages_round, ada):
    """Through the link the statement writes nothing; the request then asks why (nothing
    refuses it: it is saved so already) rather than writing again."""
    (e1,) = questions(pages_round, "E-1")
    chosen = option(e1).pk
    assert autosave(client, ada, e1, chosen).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        again = autosave(client, ada, e1, chosen)
    assert again.status_code == 200 and "Saved" in again.content.decode()
    assert len(writes(captured)) == 1
    assert stored(e1) == (AnswerKind.CHOICE, chosen)


def test_submit_takes_at_most_twelve_statements(
    client, pages_round, ada, django_assert_max_num_queries
):
    for question in questions(pages_round):
        autosave(client, ada, question, option(question).pk)
    with django_assert_max_num_queries(12):
        response = client.post(reverse("surveys:submit", args=[ada]))
    assert response["Location"] == reverse("scoring:done", args=[ada])
    assert Response.objects.get().status == "submitted"


# --- Notes with the autosave


def test_the_autosave_asks_the_note_fields_to_save_only_when_they_hold_something(
    client, pages_round, ada
):
    e1, o1, o2 = questions(pages_round, "E-1", "O-1", "O-2")
    quiet = autosave(client, ada, e1, option(e1).pk, comment="", evidence="  ")
    assert "HX-Trigger" not in quiet
    typed = autosave(client, ada, o1, option(o1).pk, comment="Typed first", evidence="")
    assert "answer-saved" in typed["HX-Trigger"]
    # A page that does not say what its note fields hold: they are asked, as before.
    assert "answer-saved" in autosave(client, ada, o2, option(o2).pk)["HX-Trigger"]
    html = client.get(reverse("surveys:page", args=[ada, 2])).content.decode()
    assert f'hx-params="q-{o1.pk},comment-{o1.pk},evidence-{o1.pk}"' in html


def test_a_note_saves_in_one_statement_and_unchanged_writes_nothing(
    client, pages_round, ada, django_assert_max_num_queries
):
    (e1,) = questions(pages_round, "E-1")
    autosave(client, ada, e1, option(e1).pk)
    url = reverse("surveys:note", args=[ada])
    with django_assert_max_num_queries(2) as captured:
        saved = client.post(url, {f"comment-{e1.pk}": "Monthly"}, HTTP_HX_REQUEST="true")
    assert "Comment saved" in saved.content.decode() and len(writes(captured)) == 1
    with CaptureQueriesContext(connection) as captured:
        again = client.post(url, {f"comment-{e1.pk}": "Monthly "}, HTTP_HX_REQUEST="true")
    assert again.status_code == 204 and len(writes(captured)) == 1  # tried, nothing changed
    assert Answer.objects.get().comment == "Monthly"
    pasted = client.post(url, {f"comment-{e1.pk}": "Week\x00ly"}, HTTP_HX_REQUEST="true")
    assert pasted.status_code == 200 and Answer.objects.get().comment == "Weekly"


# --- Refusals, as clear as before


def test_refusals_of_an_autosave_say_why_and_store_nothing(client, pages_round, ada, team):
    e1, o1, o2, o3 = questions(pages_round, "E-1", "O-1", "O-2", "O-3")
    foreign = published_bank("llmops").questions.prefetch_related("choices").first()
    for question, value, status, message in (
        (e1, option(o1).pk, 400, "That answer does not belong to the question."),
        (e1, "not-a-number", 400, "That answer does not belong to the question."),
        (e1, "9" * 30, 400, "That answer does not belong to the question."),
        (foreign, option(foreign).pk, 400, "That question is not part of this survey."),
        (o2, "na", 400, 'This question cannot be answered "not applicable".'),
    ):
        response = autosave(client, ada, question, value)
        assert response.status_code == status and message in response.content.decode()
    huge = client.post(
        reverse("surveys:answer", args=[ada]), {f"q-{'9' * 30}": "1"}, HTTP_HX_REQUEST="true"
    )
    assert huge.status_code == 400 and "not part of this survey" in huge.content.decode()
    assert not Answer.objects.exists()
    no_dk = bank_services.bank_import({**v2_bank("nodk"), "allow_dont_know": False}, publish=True)
    bo = invite(RoundFactory(team=team, bank=no_dk), ["bo@example.com"])["bo@example.com"]
    refused = autosave(client, bo, no_dk.questions.get(code="E-1"), "dk")
    assert refused.status_code == 400
    assert "This survey does not offer" in refused.content.decode()
    assert autosave(client, ada, o3, "na").status_code == 200  # where it is offered


def test_a_closed_a_passed_and_a_not_yet_open_round_refuse_and_keep_the_draft(
    client, pages_round, ada
):
    (e1,) = questions(pages_round, "E-1")
    autosave(client, ada, e1, option(e1).pk)
    closed = Round.objects.filter(pk=pages_round.pk)
    closed.update(status=RoundStatus.CLOSED, closed_at=timezone.now())
    refused = autosave(client, ada, e1, option(e1, 1).pk)
    assert refused.status_code == 410 and "This survey has closed." in refused.content.decode()
    closed.update(status=RoundStatus.OPEN, closed_at=None, closes_at=timezone.now())
    assert autosave(client, ada, e1, option(e1, 1).pk).status_code == 410  # its moment passed
    page = client.post(reverse("surveys:page", args=[ada, 1]), {f"q-{e1.pk}": option(e1, 1).pk})
    assert page.status_code == 410
    closed.update(
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    refused = autosave(client, ada, e1, option(e1, 1).pk)
    assert refused.status_code == 403 and "has not opened yet" in refused.content.decode()
    assert stored(e1) == (AnswerKind.CHOICE, option(e1).pk)


def test_a_submitted_response_refuses_answers_notes_and_pages(client, pages_round, ada):
    for question in questions(pages_round):
        autosave(client, ada, question, option(question).pk)
    client.post(reverse("surveys:submit", args=[ada]))
    participant = Participant.objects.get()
    (e1,) = questions(pages_round, "E-1")
    # The page itself sends a submitted person to their result; the service refuses anyway.
    with pytest.raises(round_services.AlreadySubmitted, match="answers can no longer change"):
        round_services.answer_save(
            participant=participant, question_id=e1.pk, choice_id=option(e1, 3).pk
        )
    with pytest.raises(round_services.AlreadySubmitted, match="notes can no longer change"):
        round_services.answers_save(
            participant=participant,
            answers=[round_services.AnswerInput(e1.pk, comment="Too late")],
        )
    assert autosave(client, ada, e1, option(e1, 3).pk).status_code == 409
    assert stored(e1) == (AnswerKind.CHOICE, option(e1).pk)
    assert not Answer.objects.exclude(comment="").exists()


def test_a_page_with_a_foreign_choice_is_refused_clearly(client, pages_round, ada):
    e1, o1 = questions(pages_round, "E-1", "O-1")
    response = client.post(reverse("surveys:page", args=[ada, 1]), {f"q-{e1.pk}": option(o1).pk})
    assert response.status_code == 400
    assert "That answer does not belong to the question." in response.content.decode()
    assert not Answer.objects.exists()


def test_a_note_on_an_unanswered_question_asks_for_the_answer_first(client, pages_round, ada):
    e1, o1 = questions(pages_round, "E-1", "O-1")
    note = reverse("surveys:note", args=[ada])
    refused = client.post(note, {f"comment-{e1.pk}": "First"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 409 and "Choose an answer first" in refused.content.decode()
    page = client.post(reverse("surveys:page", args=[ada, 2]), {f"comment-{o1.pk}": "No answer"})
    assert page.status_code == 400 and "Choose an answer first" in page.content.decode()
    assert ">No answer</textarea>" in page.content.decode()  # what was typed stays
    emptied = client.post(note, {f"comment-{e1.pk}": ""}, HTTP_HX_REQUEST="true")
    assert emptied.status_code == 204  # nothing typed, nothing to keep
    assert not Answer.objects.exists() and not Response.objects.exists()  # nobody started


# --- One rule in Python and in SQL


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.CLOSED])
@pytest.mark.parametrize(
    "opens, closes",
    [(-10, 10), (0, 10), (1, 10), (-10, 0), (-10, 1), (-10, -1), (5, 10)],
)
def test_the_sql_rule_of_a_round_taking_answers_is_check_accepting(
    status, opens, closes, monkeypatch
):
    """Offsets in microseconds from `now`: the edges are where the two could drift apart."""
    now = timezone.now()
    moment = dt.timedelta(microseconds=1)
    round_ = RoundFactory(team=TeamFactory())
    Round.objects.filter(pk=round_.pk).update(
        status=status, opens_at=now + opens * moment, closes_at=now + closes * moment
    )
    round_.refresh_from_db()
    monkeypatch.setattr(timezone, "now", lambda: now)  # check_accepting reads the clock
    try:
        round_services.check_accepting(round_)
        python = True
    except round_services.AnsweringError:
        python = False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM surveys_round rd WHERE rd.id = %s AND "
            + round_services.accepting_answers_sql("rd"),
            [round_.pk, *round_services._moment(now)],
        )
        sql = cursor.fetchone()[0] == 1
    assert python == sql == round_.is_accepting_answers(now)


def test_the_statement_checks_the_round_itself_not_the_page_s_copy(pages_round, ada):
    """A round closed after the request read it: the statement refuses, and says so."""
    participant = Participant.objects.select_related("round").get()
    (e1,) = questions(pages_round, "E-1")
    Round.objects.filter(pk=pages_round.pk).update(
        status=RoundStatus.CLOSED, closed_at=timezone.now()
    )
    assert participant.round.status == RoundStatus.OPEN  # what the request read
    with pytest.raises(round_services.RoundClosed, match="This survey has closed"):
        round_services.answer_save(
            participant=participant, question_id=e1.pk, choice_id=option(e1).pk
        )
    assert not Response.objects.exists()  # nor is a response started in a closed round


# --- Races, with two connections


@pytest.mark.django_db(transaction=True)
def test_an_answer_racing_a_submit_waits_for_it_and_leaves_the_submitted_response_as_is():
    round_ = RoundFactory(team=TeamFactory(), bank=pages_bank("race"))
    invite(round_, ["ada@example.com"])
    participant = Participant.objects.get()
    every = questions(round_)
    for question in every:
        round_services.answer_save(
            participant=participant, question_id=question.pk, choice_id=option(question).pk
        )
    locked, outcome = threading.Event(), {}

    def submit():
        try:
            with transaction.atomic():
                # Hold the response as the submit does, for a moment longer.
                Response.objects.select_for_update().get(participant=participant)
                locked.set()
                time.sleep(0.5)
                round_services.response_submit(participant=participant)
        finally:
            connection.close()

    thread = threading.Thread(target=submit)
    thread.start()
    locked.wait(5)
    started = time.monotonic()
    try:
        round_services.answer_save(
            participant=participant, question_id=every[0].pk, choice_id=option(every[0], 3).pk
        )
    except round_services.AlreadySubmitted as error:
        outcome["error"] = error
    thread.join()
    assert time.monotonic() - started > 0.3  # it waited for the submit
    assert "already submitted" in outcome["error"].message
    assert Response.objects.get().status == "submitted"
    assert stored(every[0]) == (AnswerKind.CHOICE, option(every[0]).pk)


@pytest.mark.django_db(transaction=True)
def test_first_answers_from_two_tabs_at_once_start_one_response_and_save_both():
    round_ = RoundFactory(team=TeamFactory(), bank=pages_bank("tabs"))
    invite(round_, ["ada@example.com"])
    participant = Participant.objects.select_related("round").get()
    e1, o1 = questions(round_, "E-1", "O-1")
    start = threading.Barrier(2)
    errors = []

    def answer(question):
        try:
            start.wait(5)
            round_services.answer_save(
                participant=participant, question_id=question.pk, choice_id=option(question).pk
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(q,)) for q in (e1, o1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 2


# --- SQLite, the embedded default of `make run`


def test_the_same_statements_save_answers_on_sqlite(tmp_path):
    """A process of its own migrates a new SQLite database and answers, refuses and submits
    there (tests/support/sqlite_answering.py)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.sqlite_answering", str(tmp_path / "db.sqlite3")],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip().splitlines()[-1] == "ok"
