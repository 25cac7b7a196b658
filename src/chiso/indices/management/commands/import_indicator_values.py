"""python manage.py import_indicator_values FILE --framework QD766 --period 2023 --source "…" [--dry-run] [--replace-period]."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed
from chiso.frameworks.models import FrameworkVersion
from chiso.indices.values_import import indicator_values_import, indicator_values_preview
from chiso.units.models import Period


class Command(BaseCommand):
    help = ("Import indicator values (uCode, then one column per indicator) for a framework's latest version and a period; "
            "all or nothing. Values the file does not give stay unless --replace-period; --dry-run writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--framework", required=True, help="The framework's code.")
        parser.add_argument("--period", required=True, help="The period's code, e.g. 2023.")
        parser.add_argument("--source", required=True, help="Where the values come from.")
        parser.add_argument("--dry-run", action="store_true", help="Print the preview (added, changed, unchanged, removed); write nothing.")
        parser.add_argument("--replace-period", action="store_true",
                            help="Also withdraw the values of the file's indicators in the period that the file does not give.")

    def handle(self, *args, file, framework, period, source, dry_run=False, replace_period=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File %(name)s: not found.") % {"name": file})
        found = Period.objects.filter(code=period).first()
        if found is None:
            raise CommandError(_("No period has the code %(code)s.") % {"code": period})
        version = FrameworkVersion.objects.filter(framework__code=framework).order_by("-number").first()
        if version is None:
            raise CommandError(_("No framework has the code %(code)s.") % {"code": framework})
        arguments = {"version": version, "period": found, "file_name": path.name, "content": path.read_bytes(),
                     "source": source, "replace_period": replace_period}
        try:
            if dry_run:
                for line in indicator_values_preview(**arguments).lines():
                    self.stdout.write(line)
                self.stdout.write(_("Dry run: nothing was written."))
                return
            count = indicator_values_import(**arguments, by=None)  # the operator, as the system
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("Nothing was imported: %(count)s problem(s).") % {"count": len(failure.problems)}) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(_("%(count)s values recorded.") % {"count": count})
