"""python manage.py demo_logins — print one demo login per role."""

from django.core.management.base import BaseCommand

from chiso.accounts.demo import logins
from chiso.surveys.demo import demo_link, demo_notes


class Command(BaseCommand):
    help = "Print the demo accounts."

    def handle(self, *args, **options):
        rows = logins()
        if not rows:
            self.stdout.write("No demo accounts: run `python manage.py load_demo` first.")
            return
        self.stdout.write("\nchiso demo: http://127.0.0.1:8000")
        self.stdout.write(f"{'Role':<40} {'User name':<18} {'Password':<18} Unit")
        for role, username, password, unit in rows:
            self.stdout.write(f"{role:<40} {username:<18} {password:<18} {unit}")
        link = demo_link()
        if link:
            self.stdout.write(f"\nDDCI survey, a business's invitation link (single use): http://127.0.0.1:8000{link}")
        for line in demo_notes():
            self.stdout.write(line)
        self.stdout.write("")
