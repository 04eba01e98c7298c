"""Check that the file storage (a folder or an S3-compatible bucket) takes a write, and create the
bucket when asked: docker-compose's one-shot `bucket` service runs it before the app starts."""

import time

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from apps.core import filestore


class Command(BaseCommand):
    help = "Check the report file storage (write, read, delete); --create-bucket makes the bucket."

    def add_arguments(self, parser):
        parser.add_argument("--create-bucket", action="store_true", help="create a missing bucket")
        parser.add_argument(
            "--wait", type=int, default=0, help="seconds to keep trying while the server starts"
        )

    def handle(self, *args, create_bucket, wait, **options):
        deadline = time.monotonic() + wait
        while True:
            try:
                where = filestore.check(default_storage, create_bucket=create_bucket)
                break
            except filestore.StorageFailed as failed:
                if time.monotonic() >= deadline:
                    raise CommandError(failed.message) from None
                time.sleep(2)
        self.stdout.write(f"Storage OK: {where}")
