"""PDF reports built by real Celery workers on Redis: requested through the view, downloaded, read
back with pdftotext; and a worker killed in the middle of a build."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.reports import services
from apps.reports.models import Report, ReportStatus
from tests.scenarios import submit_responses

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout=30.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def status_of(report_id) -> str:
    return Report.objects.filter(pk=report_id).values_list("status", flat=True).first()


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "downloaded.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_retro_pack_requested_on_the_page_is_built_by_the_worker(
    client, celery_worker, org, team, round_, lead, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    submit_responses(round_, [0, 1, 1])
    client.force_login(lead)
    client.post(
        reverse("reports:request", args=[org.slug]),
        {"scope": "round", "object_id": str(round_.public_id)},
    )
    report = Report.objects.get()
    assert wait_for(lambda: status_of(report.pk) == ReportStatus.READY), status_of(report.pk)
    response = client.get(reverse("reports:download", args=[org.slug, report.public_id]))
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "TEAM RETRO PACK" in text and "Platform · Q4 check" in text and "Defined" in text
    assert "What to discuss" in text and "Appendix: answers per question" in text
    assert response["Content-Disposition"].startswith(
        'attachment; filename="acme_platform_q4-check_'
    )
    steps = text.split("What to do next")[1].split("Appendix: answers per question")[0]
    # The first step quotes the bank's guidance for the next level of its question.
    from apps.surveys.models import Guidance

    quotes = [
        g.text[:40] for g in Guidance.objects.filter(bank=round_.bank, question__isnull=False)
    ]
    first_step = steps.split("2.")[0]
    assert any(" ".join(quote.split()) in " ".join(first_step.split()) for quote in quotes)


def _worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            "celery",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_building_leaves_a_job_that_completes_once(round_, lead, tmp_path):
    from config.celery import app

    submit_responses(round_, [1, 2, 1])
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        + "/"
        + connection.settings_dict["NAME"],
        "MEDIA_ROOT": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    first = _worker(env)
    try:
        report = services.report_request(scope="round", obj=round_, requested_by=lead)
        assert wait_for(
            lambda: status_of(report.pk) == ReportStatus.RUNNING, timeout=60, step=0.005
        )
        os.killpg(first.pid, signal.SIGKILL)  # mid-build: the claim is taken, no file yet
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert status_of(report.pk) == ReportStatus.RUNNING
    # Past the hard time limit the beat task gives the job back; a second worker builds it.
    Report.objects.filter(pk=report.pk).update(
        started_at=timezone.now() - timedelta(seconds=django_settings.CELERY_TASK_TIME_LIMIT + 60)
    )
    second = _worker(env)
    try:
        from apps.reports.tasks import reclaim_stuck_reports

        reclaim_stuck_reports.delay()
        assert wait_for(lambda: status_of(report.pk) == ReportStatus.READY, timeout=60)
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(timeout=10)
    report.refresh_from_db()
    assert report.attempts == 2
    assert len(list(tmp_path.rglob("*.pdf"))) == 1  # exactly one file
    assert Report.objects.count() == 1
