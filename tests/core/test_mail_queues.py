"""Account e-mail never waits behind bulk mail (issue #11): each kind has its queue, and a
worker of its own consumes the account queue."""

import email
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from apps.core import jobs
from apps.core.models import QueuedJob
from apps.core.tasks import send_account_email, send_rendered_email
from apps.organizations.models import Role
from apps.organizations.services import invitation_send
from apps.organizations.tasks import send_invitation_email
from apps.surveys import round_services
from apps.surveys.tasks import send_participant_email


@pytest.fixture
def published(monkeypatch):
    """The (task name, queue) of every message sent to the broker."""
    sent = []

    def record(self, args=None, kwargs=None, **options):
        sent.append((self.name, options.get("queue")))

    monkeypatch.setattr(jobs.run_job.__class__, "apply_async", record, raising=False)
    return sent


@pytest.mark.django_db
def test_account_mail_goes_to_the_account_queue(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(send_account_email, "Reset", "Body", ["ada@example.com"], None)
        old = jobs.enqueue(send_rendered_email, "Confirm", "Body", ["ada@example.com"], None)
    assert QueuedJob.objects.get(pk=job.pk).queue == "account"
    assert QueuedJob.objects.get(pk=old.pk).queue == "account"
    assert published == [("apps.core.jobs.run_job", "account")] * 2


@pytest.mark.django_db
def test_a_caller_may_name_the_queue(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(
            send_rendered_email, "News", "Body", ["a@example.com"], None, queue="bulk"
        )
    assert QueuedJob.objects.get(pk=job.pk).queue == "bulk"
    assert published == [("apps.core.jobs.run_job", "bulk")]


@pytest.mark.django_db
def test_invitations_and_reminders_go_to_the_bulk_queue(
    published, django_capture_on_commit_callbacks, org, round_, member_of
):
    from apps.organizations.access import organization_access

    owner = member_of(Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(
            actor=organization_access(owner, org.slug),
            email="new@example.com",
            role=Role.MEMBER,
            invited_by=owner,
        )
        round_services.participants_invite(
            round_=round_, emails=["p1@example.com", "p2@example.com"]
        )
    queues = dict(QueuedJob.objects.values_list("task", "queue").distinct())
    assert queues == {send_invitation_email.name: "bulk", send_participant_email.name: "bulk"}
    assert {queue for _, queue in published} == {"bulk"}


@pytest.mark.django_db
def test_the_sweep_and_the_admin_retry_publish_to_the_jobs_own_queue(published, settings):
    from django.utils import timezone

    settings.JOB_REQUEUE_GRACE_SECONDS = 0
    past = timezone.now() - timezone.timedelta(minutes=5)
    QueuedJob.objects.create(task=send_account_email.name, queue="account", run_after=past)
    QueuedJob.objects.create(task=send_invitation_email.name, queue="bulk", run_after=past)
    QueuedJob.objects.create(task="apps.reports.tasks.old", queue="", run_after=past)
    assert jobs.requeue_jobs() == 3
    assert sorted(queue or "" for _, queue in published) == ["", "account", "bulk"]


def test_celery_routes_the_tasks_when_called_directly():
    from config.celery import app

    router = app.amqp.router
    assert router.route({}, send_account_email.name)["queue"].name == "account"
    assert router.route({}, send_participant_email.name)["queue"].name == "bulk"
    assert router.route({}, send_invitation_email.name)["queue"].name == "bulk"
    assert router.route({}, jobs.run_job.name)["queue"].name == "celery"


def _worker(queue: str, outbox: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "tests/core/_queue_worker.py",
            "-Q",
            queue,
            "-P",
            "solo",
            "-n",
            f"{queue}-{os.getpid()}@h3",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=django_settings.BASE_DIR,
        env={**env, "EMAIL_OUTBOX_DIR": str(outbox)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_until_ready(app, names: list[str], seconds: float = 90) -> None:
    """Both workers answer a ping (a loaded machine may take a while to start them)."""
    wanted = {f"{name}@h3" for name in names}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answered = {name for reply in app.control.ping(timeout=1) or [] for name in reply}
        if wanted <= answered:
            return
    pytest.fail(f"the workers did not start within {seconds} s")


def _recipients(outbox: Path) -> list[str]:
    return [
        email.message_from_bytes(path.read_bytes())["To"] for path in sorted(outbox.glob("*.eml"))
    ]


@pytest.mark.django_db(transaction=True)
def test_an_account_mail_is_delivered_while_a_batch_of_bulk_mail_is_queued(tmp_path, settings):
    """Real Redis, two real workers (one process each, like compose's `worker` and
    `account-worker`), mail that takes 0.3 s a message: a password reset queued after 30
    invitations arrives long before the invitations are done, and both queues are consumed."""
    from config.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        for queue in ("account", "bulk", "celery"):
            conn.default_channel.queue_purge(queue)

    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        "EMAIL_URL": "outbox://",
        "SLOW_MAIL_SECONDS": "0.3",
        "DJANGO_DEBUG": "false",
    }
    if database.get("PASSWORD"):
        pytest.skip("the worker URL is built without a password")
    bulk_box, account_box = tmp_path / "bulk", tmp_path / "account"
    names = [f"bulk-{os.getpid()}", f"account-{os.getpid()}"]
    workers = [_worker("bulk", bulk_box, env), _worker("account", account_box, env)]
    try:
        _wait_until_ready(app, names)
        bulk_count = 30
        for i in range(bulk_count):
            jobs.enqueue(
                send_rendered_email,
                "Invitation",
                "Body",
                [f"bulk-{i}@example.com"],
                None,
                queue="bulk",
            )
        jobs.enqueue(send_account_email, "Reset your password", "Body", ["ada@example.com"], None)
        deadline = time.monotonic() + 30
        while not _recipients(account_box) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _recipients(account_box) == ["ada@example.com"]
        bulk_sent_meanwhile = len(_recipients(bulk_box))
        assert bulk_sent_meanwhile < bulk_count  # the batch was still being sent
        deadline = time.monotonic() + 30
        while len(_recipients(bulk_box)) < bulk_count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sorted(_recipients(bulk_box)) == sorted(
            f"bulk-{i}@example.com" for i in range(bulk_count)
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
