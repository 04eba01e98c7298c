"""Faults under the running app (gunicorn and a Celery worker in their own processes):
Redis stopped while people answer and submit, PostgreSQL gone and back."""

import email
import email.policy
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import global_settings
from django.db import connection
from django.urls import reverse

from apps.accounts.services import api_token_create
from apps.core.models import JobStatus, QueuedJob
from apps.organizations.models import Role
from apps.reports.models import Report, ReportStatus
from apps.surveys.models import Answer, Response
from tests.factories import RoundFactory
from tests.faults.harness import (
    CeleryWorker,
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    TcpProxy,
    app_env,
    celery_call,
    postgresql_bin,
    wait_until,
)
from tests.scenarios import invite, submitted_round
from tests.support.browsers import Browser

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"


class TimedBrowser(Browser):
    """Every request must be answered, and quickly: a hang is a failure too."""

    limit = 5.0

    def _open(self, request) -> int:
        started = time.monotonic()
        status = super()._open(request)
        took = time.monotonic() - started
        assert took < self.limit, f"{request.full_url} took {took:.1f}s"
        return status

    def fetch(self, path, headers=None) -> tuple[int, str, dict]:
        """GET with the body and headers, whatever the status."""
        request = urllib.request.Request(self.base_url + path, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                reply = response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            reply = error.code, error.read().decode(), dict(error.headers)
        assert time.monotonic() - started < self.limit
        return reply

    def htmx_post(self, path, data):
        csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            self.base_url + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"X-CSRFToken": csrf, "Referer": self.base_url + path, "HX-Request": "true"},
            method="POST",
        )
        return self._open(request)


def answer_everything(browser, token, round_) -> None:
    assert browser.get(f"/s/{token}/page/1/") == 200
    for question in round_.bank.questions.prefetch_related("choices"):
        choice = question.choices.all()[1]
        assert browser.htmx_post(f"/s/{token}/answer/", {f"q-{question.pk}": choice.pk}) == 200


def log_in(browser, email_address) -> None:
    assert browser.get("/accounts/login/") == 200
    status = browser.post("/accounts/login/", {"login": email_address, "password": PASSWORD})
    assert status == 302


def outbox(folder) -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail sent."""
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in folder.glob("*.eml")
    ]
    return sorted((message["To"], message["Subject"]) for message in messages)


@pytest.fixture(autouse=True)
def _real_password_hashing(settings):
    """The app in its own process checks passwords with the production hashers."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def scene(org, team, member_of, in_team):
    owner = member_of(Role.OWNER, email="olga@acme.example", password=PASSWORD)
    in_team(owner, team, is_lead=True)
    round_ = RoundFactory(team=team, created_by=owner)
    ada = invite(round_, ["ada@example.com"])["ada@example.com"]
    api_token = api_token_create(user=owner, name="BI")[1]
    return {"owner": owner, "round": round_, "ada": ada, "api_token": api_token, "org": org}


def test_redis_stopped_while_people_answer_submit_invite_and_ask_for_a_roadmap(scene, tmp_path):
    round_, org = scene["round"], scene["org"]
    # An earlier round closed at its threshold: the board brief has a team result to show.
    submitted_round(team=round_.team, title="Q3 check", points=[1, 1, 1], days_ago=100)
    QueuedJob.objects.all().delete()  # the set-up's own e-mails (sent in-process)
    redis = PrivateRedis(tmp_path).start()
    env = app_env(tmp_path, redis_url=redis.url)
    with Gunicorn(env, tmp_path) as web, CeleryWorker(env, tmp_path):
        redis.stop()

        # A respondent answers and submits: nothing needs Redis for that.
        ada = TimedBrowser(web.url)
        answer_everything(ada, scene["ada"], round_)
        assert ada.post(f"/s/{scene['ada']}/submit/") == 302
        # A lead logs in, invites a colleague and asks for a roadmap; someone resets a password.
        lead = TimedBrowser(web.url)
        log_in(lead, "olga@acme.example")
        invite_url = reverse("surveys:round_invite", args=[org.slug, round_.public_id])
        assert lead.post(invite_url, {"emails": "carol@example.com"}) == 302
        report_url = reverse("reports:request", args=[org.slug])
        assert lead.post(report_url, {"scope": "organization"}) in (200, 302)
        anonymous = TimedBrowser(web.url)
        assert anonymous.get("/accounts/password/reset/") == 200
        assert anonymous.post("/accounts/password/reset/", {"email": "olga@acme.example"}) == 302

        # Everything is saved; the e-mails and the roadmap wait in their tables.
        response = Response.objects.get(participant__round=round_)
        assert response.status == "submitted"
        assert Answer.objects.filter(response=response).count() == round_.bank.questions.count()
        assert QueuedJob.objects.filter(status=JobStatus.QUEUED).count() == 2
        assert Report.objects.get().status == ReportStatus.QUEUED

        # Redis is back: the worker reconnects, and the beat's sweeps publish what waited.
        redis.start()
        celery_call("apps.core.jobs.requeue_jobs", env)
        celery_call("apps.reports.tasks.reclaim_stuck_reports", env)
        wait_until(
            lambda: (
                not QueuedJob.objects.exclude(status=JobStatus.DONE).exists()
                and Report.objects.get().status == ReportStatus.READY
            ),
            90,
            f"jobs not done: see {tmp_path}/worker.log",
        )
        sent = outbox(tmp_path / "outbox")
        assert sent == [
            ("carol@example.com", f"Platform: please answer “{round_.title}”"),
            ("olga@acme.example", "Maturity: Reset your password"),
            ("olga@acme.example", "Your PDF is ready: Board brief"),
        ]
        # Sweeping again sends nothing twice.
        celery_call("apps.core.jobs.requeue_jobs", env)
        celery_call("apps.reports.tasks.reclaim_stuck_reports", env)
        time.sleep(2)
        assert outbox(tmp_path / "outbox") == sent
        assert Report.objects.count() == 1
    redis.stop()


def outage_while_answering(
    scene, tmp_path, database_port: int, go_down, come_back, values=list
) -> None:
    """Ada answers; the database goes away (503s, quickly); it comes back (the same gunicorn
    serves again, and her next answer is saved). `values` runs a query on the database the
    app uses."""
    round_, token, api_token = scene["round"], scene["ada"], scene["api_token"]
    question = round_.bank.questions.prefetch_related("choices").first()
    first, second = question.choices.all()[:2]
    env = app_env(tmp_path, database_port=database_port)
    with Gunicorn(env, tmp_path) as web:
        ada = TimedBrowser(web.url)
        assert ada.get(f"/s/{token}/page/1/") == 200
        assert ada.htmx_post(f"/s/{token}/answer/", {f"q-{question.pk}": first.pk}) == 200
        processes = web.processes()

        go_down()
        assert ada.get(f"/s/{token}/page/1/") == 503
        assert ada.htmx_post(f"/s/{token}/answer/", {f"q-{question.pk}": second.pk}) == 503
        assert ada.get("/healthz") == 503
        api = TimedBrowser(web.url)
        api_request_headers = {"Authorization": f"Bearer {api_token}"}
        status, body, headers = api.fetch("/api/v1/organizations", api_request_headers)
        assert status == 503 and headers["Retry-After"] == "10"
        assert "briefly unavailable" in body
        status, body, headers = ada.fetch(f"/s/{token}/")
        assert status == 503 and "Back in a moment" in body

        come_back()
        wait_until(lambda: ada.get("/healthz") == 200, 20, "the app did not recover")
        assert ada.htmx_post(f"/s/{token}/answer/", {f"q-{question.pk}": second.pk}) == 200
        assert ada.get(f"/s/{token}/page/1/") == 200
        assert api.fetch("/api/v1/organizations", api_request_headers)[0] == 200
        assert web.processes() == processes  # served by the same processes, none restarted
    saved = Answer.objects.filter(response__participant__round=round_)
    # The answer saved after recovery replaced the one saved before the outage.
    assert values(saved.values_list("choice_id", flat=True)) == [second.pk]


def test_postgresql_connections_cut_answer_503_quickly_and_recover(scene, tmp_path):
    """A proxy drops every connection and refuses new ones, as a failover does."""
    with TcpProxy() as database:
        outage_while_answering(scene, tmp_path, database.port, database.cut, database.restore)


@pytest.mark.skipif(
    postgresql_bin() is None,
    reason="needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb and pg_ctl)",
)
def test_postgresql_stopped_and_started_for_real_under_the_running_app(scene, tmp_path):
    """A PostgreSQL server of the test's own, holding a copy of the scene, stops (a fast
    shutdown ends every session) and starts again under the running app."""
    with PrivatePostgres(tmp_path) as server:
        server.copy_database(connection.settings_dict)
        outage_while_answering(
            scene, tmp_path, server.port, server.stop, server.start, values=server.values
        )
        # The app answered from its own server: the test database never saw Ada's answers.
        assert not Answer.objects.filter(response__participant__round=scene["round"]).exists()
