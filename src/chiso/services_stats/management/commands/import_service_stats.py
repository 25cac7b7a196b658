"""python manage.py import_service_stats FILE --period 2023 [--format chuan] [--dry-run] [--replace-period]."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed
from chiso.services_stats.importing import service_stats_import, service_stats_preview
from chiso.services_stats.models import SourceFormat
from chiso.units.models import Period


class Command(BaseCommand):
    help = ("Import a one-stop-shop statistics file for a period (all or nothing). A file never removes the units it "
            "does not list unless --replace-period; --dry-run prints what would change and writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--period", required=True, help="The period's code, e.g. 2023.")
        parser.add_argument("--format", dest="format_code", default="chuan", help="The source format's code (default: chuan).")
        parser.add_argument("--dry-run", action="store_true", help="Print the preview (added, changed, unchanged, removed); write nothing.")
        parser.add_argument("--replace-period", action="store_true", help="Also remove the figures of the units the file does not list.")

    def handle(self, *args, file, period, format_code, dry_run=False, replace_period=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File %(name)s: not found.") % {"name": file})
        found = Period.objects.filter(code=period).first()
        if found is None:
            raise CommandError(_("No period has the code %(code)s.") % {"code": period})
        source_format = SourceFormat.objects.filter(code=format_code).first()
        if source_format is None:
            raise CommandError(_("No source format has the code %(code)s.") % {"code": format_code})
        arguments = {"period": found, "file_name": path.name, "content": path.read_bytes(), "source_format": source_format,
                     "replace_period": replace_period}
        try:
            if dry_run:
                for line in service_stats_preview(**arguments).lines():
                    self.stdout.write(line)
                self.stdout.write(_("Dry run: nothing was written."))
                return
            record = service_stats_import(**arguments, by=None)  # the operator, as the system
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("Nothing was imported: %(count)s problem(s).") % {"count": len(failure.problems)}) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        from chiso.services_stats.views import import_message

        self.stdout.write(import_message(record))
