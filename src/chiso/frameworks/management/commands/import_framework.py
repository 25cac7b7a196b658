"""python manage.py import_framework FILE [--code CODE] — exit status 0 only on success."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chiso.core.tabular import ImportFailed
from chiso.frameworks.services import framework_import


class Command(BaseCommand):
    help = "Import a framework (YAML, XLSX or COINr iMeta CSV) as a new version; the same content changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code", help="framework code, for a COINr iMeta CSV")

    def handle(self, *args, file, code=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"File {file}: not found.")
        try:
            outcome = framework_import(file_name=path.name, content=path.read_bytes(), framework_code=code, by=None)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Nothing was imported: {len(failure.problems)} problem(s).") from None
        for warning in outcome.warnings:
            self.stderr.write(warning)
        state = "imported as" if outcome.created else "unchanged:"
        self.stdout.write(f"{path.name}: {state} {outcome.version}")
