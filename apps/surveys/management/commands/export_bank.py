import json

from django.core.management.base import BaseCommand, CommandError

from apps.surveys.bank_services import bank_export
from apps.surveys.models import BankStatus, QuestionBank


class Command(BaseCommand):
    help = "Print a question bank as JSON (the latest published version unless --version is given)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version picks a bank version; it replaces Django's "print Django's version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--version", type=int, dest="bank_version", help="the version to export"
        )

    def handle(self, *args, slug, bank_version, **options):
        banks = QuestionBank.objects.filter(slug=slug)
        if bank_version is not None:
            bank = banks.filter(version=bank_version).first()
            missing = f"There is no version {bank_version} of bank '{slug}'."
        else:
            bank = banks.filter(status=BankStatus.PUBLISHED).order_by("-version").first()
            missing = f"Bank '{slug}' has no published version (use --version to export a draft)."
        if bank is None:
            raise CommandError(missing)
        self.stdout.write(json.dumps(bank_export(bank), indent=2, ensure_ascii=False))
