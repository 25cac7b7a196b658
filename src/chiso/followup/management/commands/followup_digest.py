"""python manage.py followup_digest — the daily digest of follow-up notices (run it from cron once a day)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from chiso.followup.notifications import digest_message, notices_digest
from chiso.followup.tasks import followup_digest_task
from chiso.jobs.services import job_start


class Command(BaseCommand):
    help = "Create reminders for approaching and passed deadlines and e-mail each person one digest."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="remind this many days before a deadline (default: CHISO_FOLLOWUP_REMINDER_DAYS or 7)")
        parser.add_argument("--today", help="the day to run for, YYYY-MM-DD (default: today in the province's time zone)")
        parser.add_argument("--base-url", help="start the links in the e-mails with this, e.g. https://chiso.caobang.gov.vn (default: CHISO_BASE_URL)")
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the background worker instead")

    def handle(self, *args, days=None, today=None, enqueue=False, base_url=None, **options):
        if enqueue:
            job = job_start(kind="followup_digest", title="Daily follow-up digest", by=None, task=followup_digest_task)
            self.stdout.write(f"Queued as job {job.pk}.")
            return
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date like 2023-03-31.") from None
        self.stdout.write(digest_message(notices_digest(today=day, days=days, base_url=base_url)))
