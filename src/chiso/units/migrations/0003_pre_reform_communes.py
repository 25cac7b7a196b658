"""The block of the communes before the 2025 reform, for installations made before it existed."""

from django.db import migrations

from chiso.units.standard_blocks import ensure_standard_blocks


def create_blocks(apps, schema_editor):
    ensure_standard_blocks(apps.get_model("units", "Block"))


class Migration(migrations.Migration):
    dependencies = [("units", "0002_standard_blocks")]
    operations = [migrations.RunPython(create_blocks, migrations.RunPython.noop)]
