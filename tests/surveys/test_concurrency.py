"""Many people submitting at once, and one person submitting twice at once, over real HTTP."""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from apps.scoring.models import DimensionScore
from apps.surveys import round_services
from apps.surveys.models import Answer, Participant, Response
from tests.factories import RoundFactory, TeamFactory


class Browser:
    """A minimal HTTP client with its own cookies (for the CSRF token): one person's browser."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def get(self, path: str) -> int:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict | None = None) -> int:
        csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            self.base_url + path,
            data=urllib.parse.urlencode(data or {}).encode(),
            headers={"X-CSRFToken": csrf, "Referer": self.base_url + path},
            method="POST",
        )
        return self._open(request)

    def _open(self, request) -> int:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def ready_to_submit(round_, emails) -> dict[str, str]:
    """Invite people and save a complete set of answers for each, directly through the services."""
    round_services.participants_invite(round_=round_, emails=emails)
    questions = list(round_.bank.questions.prefetch_related("choices"))
    tokens = {}
    for participant in Participant.objects.filter(round=round_):
        for index, question in enumerate(questions):
            choice = question.choices.all()[(index + participant.pk) % 3]
            round_services.answer_save(
                participant=participant, question_id=question.pk, choice_id=choice.pk
            )
        tokens[participant.email] = round_services.participant_token(participant)
    return tokens


def run_at_once(jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        results[index] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


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
