from django.core.management.base import BaseCommand, CommandError

from apps.scoring.services import round_recompute_differences
from apps.surveys.models import Round


class Command(BaseCommand):
    help = (
        "Re-score a round from its raw answers and report any difference from the stored snapshot."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", help="the round's id (the UUID in its page's address)")

    def handle(self, *args, round_id, **options):
        round_ = (
            Round.objects.filter(public_id=round_id).select_related("bank").first()
            if _is_uuid(round_id)
            else None
        )
        if round_ is None:
            raise CommandError(f"There is no round {round_id}.")
        differences = round_recompute_differences(round_)
        if differences:
            for difference in differences:
                self.stdout.write(difference)
            raise CommandError(f"{len(differences)} difference(s) from the stored snapshot.")
        self.stdout.write(
            self.style.SUCCESS(f"{round_}: the stored snapshot matches the raw answers.")
        )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
