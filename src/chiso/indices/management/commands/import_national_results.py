"""python manage.py import_national_results FILE [--index PCI] [--year 2016]."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed
from chiso.indices.national import national_results_import


class Command(BaseCommand):
    help = "Import published PCI, PAPI, PAR Index or SIPAS results per province (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--index", dest="index_code")
        parser.add_argument("--year", type=int)

    def handle(self, *args, file, index_code=None, year=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File %(name)s: not found.") % {"name": file})
        try:
            summary = national_results_import(file_name=path.name, content=path.read_bytes(), index_code=index_code,
                                              year=year, by=None)  # the operator, as the system
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("Nothing was imported: %(count)s problem(s).") % {"count": len(failure.problems)}) from None
        for note in summary.notes:
            self.stderr.write(str(note))
        self.stdout.write(_("%(file)s: %(count)s results imported (%(indices)s).") % {
            "file": path.name, "count": summary.count,
            "indices": "; ".join(f"{code} {', '.join(map(str, sorted(years)))}" for code, years in sorted(summary.years.items()))})
