"""The holidays of 2022–2026 and the standard feedback types, so a fresh installation counts
working days and offers topics at once."""

from django.db import migrations

from chiso.feedback.defaults import ensure_defaults


def create(apps, schema_editor):
    ensure_defaults(apps.get_model("feedback", "Holiday"), apps.get_model("feedback", "FeedbackType"))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
