"""`make restore FROM=…`: a backup into an empty database and an empty bucket or folder."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup (made by `backup`) into the empty database DATABASE_URL names and the "
        "empty file storage; refuses a database with any table or a storage with any file."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the backup's directory (with manifest.json)")

    def handle(self, *args, directory, **options):
        try:
            restored = restore(directory)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored['rows']} rows in {restored['tables']} tables and "
                f"{restored['files']} files into {restored['to']}; they match the manifest."
            )
        )
        self.stdout.write(
            "Start the workers and beat: the sweeps publish again the report jobs and e-mails "
            "that were queued or running when the backup was taken."
        )
