"""Many people submitting at once, and one person submitting twice at once, over real HTTP."""

import pytest

from apps.scoring.models import DimensionScore
from apps.surveys.models import Answer, Participant, Response
from tests.factories import RoundFactory, TeamFactory
from tests.scenarios import ready_to_submit
from tests.support.browsers import Browser, run_at_once


@pytest.mark.django_db(transaction=True)
def test_fifty_people_submit_at_once_and_every_answer_is_stored_once(live_server):
    round_ = RoundFactory(team=TeamFactory(), min_respondents=2)
    tokens = ready_to_submit(round_, [f"person{i}@example.com" for i in range(50)])
    browsers = {}
    for email, token in tokens.items():
        browsers[email] = Browser(live_server.url)
        assert browsers[email].get(f"/s/{token}/review/") == 200  # sets the CSRF cookie
    jobs = [
        (lambda b=browsers[email], t=token: b.post(f"/s/{t}/submit/"))
        for email, token in tokens.items()
    ]
    statuses = run_at_once(jobs)
    assert statuses == [302] * 50
    question_count = round_.bank.questions.count()
    assert Response.objects.filter(round=round_, status="submitted").count() == 50
    assert Answer.objects.filter(response__round=round_).count() == 50 * question_count
    assert DimensionScore.objects.filter(response__round=round_).count() == 50 * 2
    assert not Participant.objects.filter(round=round_, submitted_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_person_submitting_twice_at_once_submits_once(live_server):
    round_ = RoundFactory(team=TeamFactory())
    (token,) = ready_to_submit(round_, ["twice@example.com"]).values()
    tab_one, tab_two = Browser(live_server.url), Browser(live_server.url)
    for tab in (tab_one, tab_two):
        assert tab.get(f"/s/{token}/review/") == 200
    statuses = run_at_once(
        [lambda: tab_one.post(f"/s/{token}/submit/"), lambda: tab_two.post(f"/s/{token}/submit/")]
    )
    assert statuses == [302, 302]
    assert Response.objects.filter(round=round_, status="submitted").count() == 1
    assert DimensionScore.objects.filter(response__round=round_).count() == 2
    assert Answer.objects.filter(response__round=round_).count() == round_.bank.questions.count()
