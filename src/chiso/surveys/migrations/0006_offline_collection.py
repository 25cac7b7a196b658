# Offline collection by enumerators: the submission keys of forms sent from a device.

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0005_participants_and_paper_double_entry"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfflineKey",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("key", models.CharField(max_length=64, unique=True)),
                ("survey", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="surveys.survey")),
            ],
            options={
                "verbose_name": "offline submission key",
                "verbose_name_plural": "offline submission keys",
            },
        ),
    ]
