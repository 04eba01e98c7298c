from django.core.management.base import BaseCommand

from apps.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo organization, its teams and logins (idempotent)."

    def handle(self, *args, **options):
        organization = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo organization ready: {organization.name}"))
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.email:<26} {login.role:<10} {login.what_to_try}")
        self.stdout.write("  (the owner is also a Django admin superuser: /admin/)")
