"""`make backup`: the database and the report files into a new directory, with a manifest."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format; or the SQLite file) and every stored "
        "report file into a new directory, with manifest.json (row counts per table, files)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            help="where to write it (new or empty); default var/backups/<UTC date and time>",
        )

    def handle(self, *args, directory, **options):
        target = Path(
            directory
            or settings.BASE_DIR / "var" / "backups" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        )
        try:
            manifest = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = manifest["files"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up to {target}: {manifest['database']['rows']} rows in "
                f"{len(manifest['database']['tables'])} tables, {files['objects']} files "
                f"({files['bytes']} bytes) from {files['from']}."
            )
        )
        if files["missing"]:
            self.stderr.write(
                f"{len(files['missing'])} files the database refers to were gone from the "
                f"storage when copied (deleted meanwhile?): {', '.join(files['missing'][:5])}"
            )
