"""python manage.py import_national_results FILE [--index PCI] [--year 2016] [--dry-run] [--replace-period]."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.pending_imports import command_import
from chiso.indices.national import national_results_import, national_results_preview


class Command(BaseCommand):
    help = ("Import published PCI, PAPI, PAR Index or SIPAS results per province (all or nothing). A file never removes "
            "the provinces it does not list unless --replace-period; --dry-run prints what would change and writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--index", dest="index_code")
        parser.add_argument("--year", type=int)
        parser.add_argument("--dry-run", action="store_true", help="Print the preview (added, changed, unchanged, removed); write nothing.")
        parser.add_argument("--replace-period", action="store_true",
                            help="Also remove the results of the provinces the file does not list, for each index and year in it.")

    def handle(self, *args, file, index_code=None, year=None, dry_run=False, replace_period=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File %(name)s: not found.") % {"name": file})
        arguments = {"file_name": path.name, "content": path.read_bytes(), "index_code": index_code, "year": year,
                     "replace_period": replace_period}
        summary = command_import(self, dry_run=dry_run, preview=lambda: national_results_preview(**arguments),
                                 write=lambda: national_results_import(**arguments, by=None))  # the operator, as the system
        if summary is None:
            return
        for note in summary.notes:
            self.stderr.write(str(note))
        self.stdout.write(summary.preview.lines()[0])
        self.stdout.write(_("%(file)s: %(count)s results imported (%(indices)s).") % {
            "file": path.name, "count": summary.count,
            "indices": "; ".join(f"{code} {', '.join(map(str, sorted(years)))}" for code, years in sorted(summary.years.items()))})
