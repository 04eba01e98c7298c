"""A Celery worker for tests/core/test_mail_queues.py: `python tests/core/_queue_worker.py -Q
account`. Its outbox takes SLOW_MAIL_SECONDS per message, like a slow SMTP server."""

import os
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from apps.core import outbox  # noqa: E402
from config.celery import app  # noqa: E402

_send = outbox.OutboxBackend.send_messages


def _slow_send(self, messages):
    time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0")) * len(messages))
    return _send(self, messages)


outbox.OutboxBackend.send_messages = _slow_send

if __name__ == "__main__":
    app.worker_main(["worker", *sys.argv[1:]])
