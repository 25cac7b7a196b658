"""E-mail units, appraisers and the council what is due or overdue (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from chiso.assessments.services import reminders_send


class Command(BaseCommand):
    help = "Send PAR Index assessment reminders: tasks due within --days days or overdue, once a day per assessment."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="remind this many days ahead (default 3)")
        parser.add_argument("--base-url", default="", help="e.g. https://chiso.caobang.gov.vn, for links in the e-mails")

    def handle(self, *args, days, base_url, **options):
        sent = reminders_send(days_ahead=days, base_url=base_url.rstrip("/"))
        self.stdout.write(f"{sent} e-mail(s) sent")
