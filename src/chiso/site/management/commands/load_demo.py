"""python manage.py load_demo — the demo province (Cao Bằng); a second run changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chiso.site.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo province: Cao Bằng's units, lineage, periods and one account per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="load even with CHISO_DEBUG off (the demo accounts have a public password)",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "The demo has accounts with a public password; it loads only with CHISO_DEBUG=1 "
                "(or --allow-production on a throw-away server)."
            )
        demo_load()
        self.stdout.write(self.style.SUCCESS("Demo province loaded."))
