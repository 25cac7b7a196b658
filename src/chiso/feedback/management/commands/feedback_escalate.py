"""Escalate overdue feedback; run once a day (cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from chiso.feedback.services import feedback_escalate


class Command(BaseCommand):
    help = "Escalate feedback that is past its deadline (to the unit and the secretariat, then the leaders)."

    def handle(self, *args, **options):
        for feedback, level in feedback_escalate():
            self.stdout.write(f"{feedback.number}: level {level}")
