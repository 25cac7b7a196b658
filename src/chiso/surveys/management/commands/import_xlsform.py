"""python manage.py import_xlsform FILE [--check] — exit status 0 only for a valid form."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed, size_check
from chiso.surveys.services import questionnaire_import
from chiso.surveys.collection.xlsform import warning_text


class Command(BaseCommand):
    help = "Import an XLSForm questionnaire (all or nothing); --check only validates it."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the XLSForm workbook (.xlsx or .xls)")
        parser.add_argument("--check", action="store_true", help="validate only; store nothing")

    def handle(self, *args, file, check=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File %(name)s: not found.") % {"name": file})
        try:
            size_check(kind="xlsform", file_name=path.name, size=path.stat().st_size)  # before it is read
            result = questionnaire_import(file_name=path.name, content=path.read_bytes(), check_only=check, by=None)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("The form is not valid: %(count)s problem(s).") % {"count": len(failure.problems)}) from None
        for warning in result.parsed.warnings:
            self.stderr.write(_("Warning: %(warning)s") % {"warning": warning_text(warning)})
        if check:
            self.stdout.write(_("%(form)s version %(version)s is valid.") % {"form": result.parsed.form_id, "version": result.parsed.version or "—"})
        elif result.created:
            self.stdout.write(_("Imported %(form)s version %(version)s.") % {"form": result.version.questionnaire.form_id, "version": result.version.version})
        else:
            self.stdout.write(_("%(form)s version %(version)s was already imported; nothing changed.") % {"form": result.version.questionnaire.form_id, "version": result.version.version})
