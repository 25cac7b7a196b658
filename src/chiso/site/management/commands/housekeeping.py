"""python manage.py housekeeping — daily clean-up (run it from cron once a day; see README).

Expired sessions go (Django keeps them until asked), and so do survey drafts nobody can reach
any more and the uploaded files no answers name (chiso.surveys.collection.housekeeping). Nothing here is needed for correctness; it keeps the
database from holding what no one can use, which is also what anonymity asks.
"""

from django.core.management.base import BaseCommand

from chiso.site.tasks import housekeeping, housekeeping_task


class Command(BaseCommand):
    help = "Delete expired sessions, survey drafts that can no longer be opened and uploads no answers name."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the background worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = housekeeping_task.enqueue()
            self.stdout.write(f"Queued as task {result.id}.")
            return
        done = housekeeping()
        self.stdout.write(f"Expired sessions deleted: {done['sessions']}; unreachable drafts deleted: {done['drafts']}; "
                          f"uploaded files no answers name deleted: {done['media']}.")
