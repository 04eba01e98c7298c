"""A Celery worker in a process of its own (as deployed), on the test database and the test
broker, building reports: tests/e2e/test_report_worker.py kills one in the middle of a build,
tests/storage/test_reports_in_bucket.py has one write into a bucket. With the helpers both
use to wait for a report and read its PDF back."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from apps.reports.models import Report

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "celery"  # where report builds are queued
WORKER = [
    *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"),
    *("--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"),
    *("-Q", QUEUE),
]


def worker_env(media_root: Path, **settings: str) -> dict:
    """The worker's environment: the test database (not the one DATABASE_URL names), its own
    media folder, and `settings` (e.g. STORAGE_URL)."""
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    return {
        **os.environ,
        "DATABASE_URL": database,
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **settings,
    }


def purge_queue() -> None:
    """Nothing left over from an earlier test for the worker to take."""
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)


def kill(worker: subprocess.Popen) -> None:
    """SIGKILL, as a machine going away would: no warm shutdown, no task finished."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


@contextmanager
def worker_process(env: dict):
    """A worker process with `env`, killed on the way out (if the test has not already)."""
    worker = subprocess.Popen(
        WORKER,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield worker
    finally:
        kill(worker)


def wait_for(predicate, timeout: float = 60.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def status_of(report_id) -> str:
    return Report.objects.filter(pk=report_id).values_list("status", flat=True).first()


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "downloaded.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
