from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user (by e-mail) and print it. It is shown only once."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user's e-mail address")
        parser.add_argument("--name", default="Created from the command line")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(email__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"There is no user {username}.")
        _, token = api_token_create(user=user, name=name)
        self.stdout.write(token)
