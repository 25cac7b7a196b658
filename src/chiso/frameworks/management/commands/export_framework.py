"""python manage.py export_framework CODE VERSION FILE — .yaml, .xlsx or .csv (COINr iMeta)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chiso.frameworks.models import FrameworkVersion
from chiso.frameworks.queries import version_document
from chiso.frameworks.views import EXPORTS


class Command(BaseCommand):
    help = "Export one framework version to YAML, XLSX or COINr's iMeta CSV (chosen by the file's extension)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("version", type=int)
        parser.add_argument("file")

    def handle(self, *args, code, version, file, **options):
        fmt = Path(file).suffix.lower().lstrip(".").replace("yml", "yaml")
        if fmt not in EXPORTS:
            raise CommandError(f"{file}: use a .yaml, .xlsx or .csv file name.")
        try:
            found = FrameworkVersion.objects.select_related("framework").get(framework__code=code, number=version)
        except FrameworkVersion.DoesNotExist:
            raise CommandError(f"No framework {code} version {version}.") from None
        writer, _content_type = EXPORTS[fmt]
        Path(file).write_bytes(writer(version_document(found)))
        self.stdout.write(f"{found} → {file}")
