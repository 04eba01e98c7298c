import os

from django.core.management.base import BaseCommand, CommandError

from apps.surveys.bank_format import BankFormatError, read_bank_file
from apps.surveys.bank_services import BankNotReady, bank_import


class Command(BaseCommand):
    help = "Import a question bank from a JSON file, as a draft (or published with --publish)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--publish", action="store_true", help="publish it at once")

    def handle(self, *args, file, publish, **options):
        try:
            with open(file, "rb") as handle:
                # The same limits as the admin's import: size, nesting, then counts.
                data = read_bank_file(handle, size=os.fstat(handle.fileno()).st_size)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except BankFormatError as error:
            raise CommandError(f"{file} was not imported: {' '.join(error.problems)}") from None
        try:
            bank = bank_import(data, publish=publish)
        except (BankFormatError, BankNotReady) as error:
            details = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(
                f"{file} was not imported; nothing was written:\n{details}"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported {bank} ({bank.get_status_display().lower()}).")
        )
