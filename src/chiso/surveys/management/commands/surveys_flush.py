"""Write held survey answers that make a batch, and everything held by surveys whose closing
time has passed; run every few minutes (cron or a systemd timer). See docs/security.md."""

from django.core.management.base import BaseCommand

from chiso.surveys.services import surveys_flush_held


class Command(BaseCommand):
    help = "Write held survey answers in shuffled batches (all of them for surveys that have closed)."

    def handle(self, *args, **options):
        for survey, written in surveys_flush_held():
            if written:
                self.stdout.write(f"{survey.code}: {written}")
