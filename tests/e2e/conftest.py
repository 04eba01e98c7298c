"""Browser tests: Debian's Chromium through Playwright, a live server, a real Celery worker."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _eager_celery():
    """Unlike the other tests, these enqueue to the real broker for a real worker."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield


@pytest.fixture
def celery_worker(transactional_db):
    """A Celery worker thread on the test broker (Redis), seeing the committed rows."""
    from celery.contrib.testing.worker import start_worker

    from apps.core.jobs import ALL_QUEUES
    from config.celery import app

    queues = list(ALL_QUEUES)  # every queue the deployed workers consume
    with app.connection_for_write() as connection:
        for queue in queues:  # nothing left over from an earlier run
            connection.default_channel.queue_purge(queue)
    options = app.conf.broker_transport_options
    # Redis answers an idle wait after this long (1 s by default): the worker stops that soon.
    app.conf.broker_transport_options = {**options, "polling_interval": 0.1}
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=queues
        ) as worker:
            yield worker
    finally:
        app.conf.broker_transport_options = options
