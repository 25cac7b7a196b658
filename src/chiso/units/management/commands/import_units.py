"""python manage.py import_units FILE [FILE …] — exit status 0 only when everything was imported."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed, size_check
from chiso.units.importing import units_import


class Command(BaseCommand):
    help = "Import units and lineage from CSV or XLSX files (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="unit lists and lineage lists (CSV or XLSX)")

    def handle(self, *args, files, **options):
        paths = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(_("File %(name)s: not found.") % {"name": name})
            paths.append(path)
        try:
            for path in paths:  # refused by size before it is read
                size_check(kind="units", file_name=path.name, size=path.stat().st_size)
            summary = units_import(files=[(path.name, path.read_bytes()) for path in paths], by=None)  # the operator, as the system
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was imported: %(count)s problem(s).") % {"count": len(failure.problems)}
            ) from None
        for warning in summary.warnings:
            self.stderr.write(str(warning))
        self.stdout.write(
            _("Units: %(c)s created, %(u)s updated, %(n)s unchanged. Lineage: %(lc)s created, %(lu)s updated, %(ln)s unchanged.")
            % {
                "c": summary.units_created,
                "u": summary.units_updated,
                "n": summary.units_unchanged,
                "lc": summary.lineage_created,
                "lu": summary.lineage_updated,
                "ln": summary.lineage_unchanged,
            }
        )
