"""python manage.py import_indicator_values FILE --framework QD766 --period 2023 --source "…" [--dry-run] [--replace-period]
[--numbers auto|vi|intl]."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.pending_imports import command_import
from chiso.frameworks.models import FrameworkVersion
from chiso.frameworks.queries import framework_version_for
from chiso.indices.values_import import AUTO, NUMBER_WRITINGS, indicator_values_import, indicator_values_preview
from chiso.units.models import Period


class Command(BaseCommand):
    help = ("Import indicator values (uCode, then one column per indicator) for the framework version that applies to a period; "
            "all or nothing. Values the file does not give stay unless --replace-period; --dry-run writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--framework", required=True, help="The framework's code.")
        parser.add_argument("--period", required=True, help="The period's code, e.g. 2023.")
        parser.add_argument("--source", required=True, help="Where the values come from.")
        parser.add_argument("--dry-run", action="store_true", help="Print the preview (added, changed, unchanged, removed); write nothing.")
        parser.add_argument("--replace-period", action="store_true",
                            help="Also withdraw the values of the file's indicators in the period that the file does not give.")
        parser.add_argument("--numbers", choices=NUMBER_WRITINGS, default=AUTO,
                            help="How numbers typed as text are written: vi (1.234,5), intl (1,234.5, as COINr's files) or "
                                 "auto (told by the file; a file that says both, or only holds cells like 1.000, is refused).")

    def handle(self, *args, file, framework, period, source, dry_run=False, replace_period=False, numbers=AUTO, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File %(name)s: not found.") % {"name": file})
        found = Period.objects.filter(code=period).first()
        if found is None:
            raise CommandError(_("No period has the code %(code)s.") % {"code": period})
        if not FrameworkVersion.objects.filter(framework__code=framework).exists():
            raise CommandError(_("No framework has the code %(code)s.") % {"code": framework})
        version = framework_version_for(framework, found)  # the version whose years hold the period's
        if version is None:
            raise CommandError(_("No version of framework %(code)s applies to the year %(year)s.") % {"code": framework, "year": found.year})
        arguments = {"version": version, "period": found, "file_name": path.name, "content": path.read_bytes(),
                     "source": source, "replace_period": replace_period, "numbers": numbers}
        count = command_import(self, dry_run=dry_run, preview=lambda: indicator_values_preview(**arguments),
                               write=lambda: indicator_values_import(**arguments, by=None))  # the operator, as the system
        if count is not None:
            self.stdout.write(_("%(count)s values recorded.") % {"count": count})
