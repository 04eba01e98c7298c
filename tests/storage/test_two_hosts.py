"""Two of everything, no shared disk: two gunicorn processes and two Celery workers, each in a
working directory and a temporary folder of its own (as on separate hosts), sharing only
PostgreSQL, Redis and the bucket (a real SeaweedFS)."""

import email
import email.policy
import os
import re
import signal
import subprocess
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import global_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.core.models import JobStatus, QueuedJob
from apps.organizations.models import Role
from apps.reports.models import Report, ReportStatus
from tests.factories import RoundFactory
from tests.faults.harness import ROOT, CeleryWorker, Gunicorn, Process, wait_until
from tests.scenarios import submitted_round
from tests.support.browsers import Browser

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"


class InItsOwnFolder(Process):
    """A process whose working directory is its host's folder, not the checkout."""

    def start(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=self.env["HOST_FOLDER"],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self


class HostGunicorn(Gunicorn, InItsOwnFolder):
    pass


class HostWorker(CeleryWorker, InItsOwnFolder):
    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def received_builds(self) -> int:
        """How many report builds this worker has taken from the queue."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return sum("tasks.build_report[" in line and "received" in line for line in lines)


def host(tmp_path: Path, name: str, storage_url: str) -> dict:
    """The environment of one machine: its own folder, temp folder, outbox and (unused) media."""
    folder = tmp_path / name
    (folder / "tmp").mkdir(parents=True)
    db = connection.settings_dict
    return {
        **os.environ,
        "HOST_FOLDER": str(folder),
        "TMPDIR": str(folder / "tmp"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "EMAIL_URL": "outbox://",
        "EMAIL_OUTBOX_DIR": str(folder / "outbox"),
        "MEDIA_ROOT": str(folder / "media"),  # must stay empty: files go to the bucket
        "STORAGE_URL": storage_url,
        "JOB_REQUEUE_GRACE_SECONDS": "0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


def beat(task: str, workers: list[HostWorker]) -> str:
    """Publish `task` as celery beat does on its schedule; once a worker has run it, what it
    returned (as the worker logged it)."""
    from config.celery import app

    sent = app.send_task(task)
    done = re.compile(rf"{re.escape(task)}\[{sent.id}\] succeeded in [\d.]+s: (.*)")

    def returned():
        return next((m[1] for w in workers if (m := done.search(w.log.read_text()))), None)

    return wait_until(returned, 60, f"{task} did not run")


def fetch(browser: Browser, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(browser.base_url + path)
    try:
        with browser.opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def outboxes(tmp_path: Path) -> list[tuple[str, str]]:
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in tmp_path.glob("*/outbox/*.eml")
    ]
    return sorted((message["To"], message["Subject"]) for message in messages)


@pytest.fixture(autouse=True)
def _real_password_hashing(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


def test_two_webs_and_two_workers_share_only_the_database_redis_and_the_bucket(
    org, team, member_of, in_team, s3_server, tmp_path
):
    from apps.core.jobs import ALL_QUEUES
    from config.celery import app

    app.conf.task_always_eager = False  # this process only publishes (as the beat does)
    owner = member_of(Role.OWNER, email="olga@acme.example", password=PASSWORD)
    in_team(owner, team, is_lead=True)
    closed = submitted_round(team=team, title="Q3 check", points=[1, 2, 1], days_ago=30)
    open_round = RoundFactory(team=team, title="Q4 check", created_by=owner)
    QueuedJob.objects.all().delete()  # the set-up's own e-mails (sent in-process)
    with app.connection_for_write() as conn:
        for queue in ALL_QUEUES:
            conn.default_channel.queue_purge(queue)
    bucket = s3_server.new_bucket("maturity-two-hosts")
    url = s3_server.url(bucket)
    hosts = {name: host(tmp_path, name, url) for name in ("web-a", "web-b", "worker-1", "worker-2")}
    web_a = HostGunicorn(hosts["web-a"], tmp_path / "web-a", workers=1)
    web_b = HostGunicorn(hosts["web-b"], tmp_path / "web-b", workers=1)
    workers = [HostWorker(hosts[n], tmp_path / n) for n in ("worker-1", "worker-2")]
    processes = [*workers, web_a, web_b]  # the workers boot while each web waits to answer
    try:
        for process in processes:
            process.start()
        for worker in workers:  # both consume before anything is asked
            wait_until(lambda w=worker: "ready." in w.log.read_text(), 60, f"see {worker.log}")
        slug = org.slug
        person = Browser(web_a.url)  # one browser; its session (in the database) works on both
        assert person.get("/accounts/login/") == 200
        assert person.post("/accounts/login/", {"login": owner.email, "password": PASSWORD}) == 302

        # 1. A retro pack asked for through web A, built by whichever worker claims it,
        # downloaded through web B.
        request_url = reverse("reports:request", args=[slug])
        form = {"scope": "round", "object_id": str(closed.public_id)}
        assert person.post(request_url, form) == 302
        report = Report.objects.get()
        wait_until(
            lambda: Report.objects.get(pk=report.pk).status == ReportStatus.READY,
            120,
            f"not built: see {tmp_path}/worker-*/worker.log",
        )
        report.refresh_from_db()
        person.base_url = web_b.url
        status, body = fetch(person, reverse("reports:download", args=[slug, report.public_id]))
        assert status == 200 and body.startswith(b"%PDF")
        assert body == s3_server.read(bucket, report.file.name)
        assert sum(w.received_builds() for w in workers) == 1

        # 2. An invitation sent through web B is delivered once, by one of the workers.
        invite_url = reverse("surveys:round_invite", args=[slug, open_round.public_id])
        assert person.post(invite_url, {"emails": "carol@example.com"}) == 302
        wait_until(
            lambda: (
                QueuedJob.objects.exists()
                and not QueuedJob.objects.exclude(status=JobStatus.DONE).exists()
            ),
            60,
            "the invitation was not sent",
        )
        assert beat("apps.core.jobs.requeue_jobs", workers) == "0"  # a sweep: nothing again
        expected = ("carol@example.com", f"Platform: please answer “{open_round.title}”")
        assert [m for m in outboxes(tmp_path) if m[0] == "carol@example.com"] == [expected]

        # 3. A worker killed while it builds: the other finishes the job, once.
        before = [w.received_builds() for w in workers]
        person.base_url = web_a.url
        assert person.post(request_url, {"scope": "team", "object_id": str(team.public_id)}) == 302
        history = Report.objects.get(scope="team")
        wait_until(
            lambda: Report.objects.get(pk=history.pk).status == ReportStatus.RUNNING,
            60,
            "not claimed",
            interval=0.005,
        )
        builder = next(
            w for w, seen in zip(workers, before, strict=True) if w.received_builds() > seen
        )
        builder.kill()  # mid-build: claimed, no file yet
        survivor = next(w for w in workers if w is not builder)
        assert Report.objects.get(pk=history.pk).status == ReportStatus.RUNNING
        Report.objects.filter(pk=history.pk).update(  # past the hard time limit, as the beat sees
            started_at=timezone.now() - timedelta(seconds=600)
        )
        beat("apps.reports.tasks.reclaim_stuck_reports", [survivor])
        wait_until(
            lambda: Report.objects.get(pk=history.pk).status == ReportStatus.READY,
            120,
            f"the other worker did not finish it: see {survivor.log}",
        )
        history.refresh_from_db()
        assert history.attempts == 2
        person.base_url = web_b.url
        status, body = fetch(person, reverse("reports:download", args=[slug, history.public_id]))
        assert status == 200 and body.startswith(b"%PDF")
        assert len(s3_server.keys(bucket)) == 2  # one object per report: nothing built twice
        for name in hosts:  # no process wrote a report file to its own disk
            assert not list((tmp_path / name / "media").rglob("*.pdf")), name
    finally:
        for process in processes:
            process.stop()
