"""python manage.py import_service_stats FILE --period 2023 [--format chuan] [--dry-run] [--replace-period]."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.pending_imports import command_import
from chiso.services_stats.importing import import_message, service_stats_import, service_stats_preview
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
        record = command_import(self, dry_run=dry_run, preview=lambda: service_stats_preview(**arguments),
                                write=lambda: service_stats_import(**arguments, by=None))  # the operator, as the system
        if record is not None:
            self.stdout.write(import_message(record))
