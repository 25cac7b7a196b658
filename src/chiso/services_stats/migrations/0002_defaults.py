"""The standard column mapping and the on-time target (> 98 %)."""

from django.db import migrations

from chiso.services_stats.defaults import ensure_defaults


def create(apps, schema_editor):
    ensure_defaults(apps.get_model("services_stats", "SourceFormat"), apps.get_model("services_stats", "RateTarget"))


class Migration(migrations.Migration):
    dependencies = [("services_stats", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
