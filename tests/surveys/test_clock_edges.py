"""Clock edges: a round closing while people submit. Either a submission is in (and counted in
the team's result), or the person is told the round closed and their draft is kept."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.scoring.models import TeamScore
from apps.surveys import round_services
from apps.surveys.models import Answer, Response, Round, RoundStatus
from tests.factories import RoundFactory, TeamFactory
from tests.scenarios import ready_to_submit
from tests.support.browsers import Browser, run_at_once


@pytest.mark.django_db(transaction=True)
def test_a_round_closed_while_twenty_people_submit_counts_exactly_those_who_got_in(live_server):
    round_ = RoundFactory(team=TeamFactory(), min_respondents=2)
    tokens = ready_to_submit(round_, [f"person{i}@example.com" for i in range(20)])
    browsers = {token: Browser(live_server.url) for token in tokens.values()}
    for token, browser in browsers.items():
        assert browser.get(f"/s/{token}/review/") == 200

    def close():
        """The lead closes the round once the first few submissions are in."""
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if Response.objects.filter(round=round_, status="submitted").count() >= 3:
                    break
                time.sleep(0.005)
            return round_services.round_close(round_=Round.objects.get(pk=round_.pk))
        finally:
            connection.close()  # this thread's own connection

    jobs = [(lambda b=b, t=t: b.post(f"/s/{t}/submit/")) for t, b in browsers.items()]
    jobs.insert(10, close)
    results = run_at_once(jobs)
    closed, statuses = results.pop(10), results

    assert closed is True
    assert set(statuses) <= {302, 410}, statuses
    submitted = Response.objects.filter(round=round_, status="submitted")
    assert submitted.count() == statuses.count(302)
    # The result stored at close counts every submission that got in, and no other.
    overall = TeamScore.objects.filter(round=round_, dimension__isnull=True)
    assert (overall.values_list("n", flat=True).first() or 0) == statuses.count(302)
    # Those who were too late keep their complete drafts.
    questions = round_.bank.questions.count()
    for draft in Response.objects.filter(round=round_).exclude(status="submitted"):
        assert Answer.objects.filter(response=draft).count() == questions
    assert Response.objects.filter(round=round_).count() == 20


@pytest.mark.django_db
def test_the_deadline_passing_between_review_and_submit_is_explained_and_keeps_the_draft(
    client, round_, invite
):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    participant = round_.participants.get()
    for question in round_.bank.questions.prefetch_related("choices"):
        round_services.answer_save(
            participant=participant, question_id=question.pk, choice_id=question.choices.first().pk
        )
    assert client.get(reverse("surveys:review", args=[token])).status_code == 200
    # The close date passes; the beat has not closed the round yet (it is still "open").
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(reverse("surveys:submit", args=[token]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This survey has closed" in page and "Your saved answers are kept." in page
    draft = Response.objects.get(participant=participant)
    assert draft.status != "submitted"
    assert draft.answers.count() == round_.bank.questions.count()
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.OPEN
    # When the beat closes it, the late draft is not counted.
    assert round_services.rounds_close_due() == 1
    assert not TeamScore.objects.filter(round=round_, n__gt=0).exists()


@pytest.mark.django_db
def test_one_microsecond_before_the_deadline_is_in_and_at_the_deadline_is_out(round_):
    deadline = timezone.now() + dt.timedelta(hours=1)
    Round.objects.filter(pk=round_.pk).update(closes_at=deadline)
    round_.refresh_from_db()
    assert not round_.is_over(deadline - dt.timedelta(microseconds=1))
    assert round_.is_over(deadline)
