"""The standard blocks, so that a fresh installation can import units at once."""

from django.db import migrations

from chiso.units.standard_blocks import ensure_standard_blocks


def create_blocks(apps, schema_editor):
    ensure_standard_blocks(apps.get_model("units", "Block"))


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(create_blocks, migrations.RunPython.noop)]
