"""Durable jobs: a queued e-mail survives a broker that is down, runs once, retries with a
back-off, and a dead worker's job goes back to the queue."""

import datetime as dt

import pytest
from celery import shared_task
from django.core import mail
from django.utils import timezone

from apps.core import jobs
from apps.core.models import JobStatus, QueuedJob
from apps.core.tasks import send_rendered_email

pytestmark = pytest.mark.django_db

calls = []


@shared_task(name="tests.flaky")
def flaky(fail_times: int) -> None:
    calls.append(fail_times)
    if len(calls) <= fail_times:
        raise ConnectionError("SMTP server went away")


@pytest.fixture(autouse=True)
def _no_calls():
    calls.clear()


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses every message, as a stopped Redis does."""

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(send_rendered_email.__class__, "apply_async", refuse, raising=False)
    monkeypatch.setattr(jobs.run_job.__class__, "apply_async", refuse, raising=False)


def test_with_the_broker_down_the_job_waits_and_the_sweep_sends_it_once(
    broker_down, monkeypatch, settings, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(send_rendered_email, "Hello", "Body", ["ada@example.com"], None)
    assert "Broker unreachable" in caplog.text
    assert QueuedJob.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert mail.outbox == []

    settings.JOB_REQUEUE_GRACE_SECONDS = 0
    monkeypatch.undo()  # the broker is back (tests run tasks eagerly)
    jobs.broker_pause_end()  # as BROKER_PAUSE_SECONDS after the failure
    assert jobs.requeue_jobs() == 1
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    done = QueuedJob.objects.get(pk=job.pk)
    assert done.status == JobStatus.DONE and done.args == []  # the link it carried is erased
    # A late duplicate message, or another sweep, sends nothing more.
    assert jobs.run(job.pk) is False
    assert jobs.requeue_jobs() == 0
    assert len(mail.outbox) == 1


def test_with_the_broker_down_a_request_queueing_many_jobs_tries_it_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(jobs.run_job.__class__, "apply_async", refuse, raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(200):
            jobs.enqueue(send_rendered_email, "Hello", "Body", [f"p{n}@example.com"], None)
    assert len(attempts) == 1
    assert QueuedJob.objects.filter(status=JobStatus.QUEUED).count() == 200
    jobs.broker_pause_end()
    monkeypatch.undo()
    assert jobs.publish(jobs.run_job, QueuedJob.objects.first().pk) is True


def test_the_sweep_leaves_fresh_jobs_to_their_own_message(settings, broker_down):
    settings.JOB_REQUEUE_GRACE_SECONDS = 120
    jobs.enqueue(send_rendered_email, "Hello", "Body", ["ada@example.com"], None)
    assert jobs.due() == []
    later = timezone.now() + dt.timedelta(seconds=121)
    assert len(jobs.due(now=later)) == 1


def test_a_failing_job_is_retried_with_a_back_off_then_marked_failed(settings):
    job = QueuedJob.objects.create(task="tests.flaky", args=[99], run_after=timezone.now())
    assert jobs.run(job.pk) is False
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert "SMTP server went away" in job.error
    assert job.run_after > timezone.now() + dt.timedelta(seconds=50)
    assert jobs.run(job.pk) is False  # not before its time
    assert len(calls) == 1
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        QueuedJob.objects.filter(pk=job.pk).update(run_after=timezone.now())
        jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == jobs.MAX_ATTEMPTS


def test_a_job_that_fails_once_succeeds_on_the_retry():
    job = QueuedJob.objects.create(task="tests.flaky", args=[1], run_after=timezone.now())
    jobs.run(job.pk)
    QueuedJob.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert jobs.run(job.pk) is True
    assert QueuedJob.objects.get(pk=job.pk).status == JobStatus.DONE


def test_a_job_left_running_by_a_dead_worker_is_queued_again(settings):
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    job = QueuedJob.objects.create(
        task="tests.flaky",
        args=[0],
        status=JobStatus.RUNNING,
        started_at=long_ago,
        run_after=long_ago,
    )
    settings.JOB_REQUEUE_GRACE_SECONDS = 0
    assert jobs.due(now=timezone.now() + dt.timedelta(seconds=1)) == [job.pk]
    assert jobs.run(job.pk) is True and calls == [0]


def test_finished_jobs_are_deleted_after_a_week():
    old = timezone.now() - dt.timedelta(days=8)
    QueuedJob.objects.create(task="x", status=JobStatus.DONE, run_after=old, finished_at=old)
    keep = QueuedJob.objects.create(task="x", status=JobStatus.QUEUED, run_after=old)
    assert jobs.delete_finished() == 1
    assert list(QueuedJob.objects.values_list("pk", flat=True)) == [keep.pk]


def test_an_admin_sees_failed_jobs_without_their_arguments_and_retries_them(
    client, django_user_model
):
    from django.urls import reverse

    admin_user = django_user_model.objects.create_superuser(email="root@example.com")
    client.force_login(admin_user)
    job = QueuedJob.objects.create(
        task=send_rendered_email.name,
        args=["Your link", "https://example.com/s/secret-link/", ["ada@example.com"], None],
        status=JobStatus.FAILED,
        attempts=6,
        error="SMTPException: refused",
        run_after=timezone.now(),
    )
    page = client.get(reverse("admin:core_queuedjob_changelist")).content.decode()
    assert "send_rendered_email" in page and "SMTPException: refused" in page
    detail = client.get(reverse("admin:core_queuedjob_change", args=[job.pk])).content.decode()
    assert "secret-link" not in detail
    client.post(
        reverse("admin:core_queuedjob_changelist"),
        {"action": "retry_now", "_selected_action": [job.pk]},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE  # run again (eagerly in tests)
    assert [m.subject for m in mail.outbox] == ["Your link"]
