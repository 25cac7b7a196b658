"""Answers in progress (drafts) and answers waiting for their batch (held) are sealed
(chiso.core.sealed): the column becomes text, and the rows already there are sealed in place."""

from django.db import migrations

import chiso.core.sealed

SEALED = [("surveys_draft", ("answers",)), ("surveys_heldresponse", ("answers", "rated_units"))]


def seal_existing(apps, schema_editor):
    import json

    from chiso.core.sealed import PREFIX, seal

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, columns in SEALED:
            for column in columns:
                cursor.execute(f"SELECT id, {column} FROM {table}")
                for pk, text in cursor.fetchall():
                    if text is None or text.startswith(PREFIX):
                        continue
                    cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [seal(json.loads(text)), pk])


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0008_computations_keep_their_respondents"),
    ]

    operations = [
        migrations.AlterField(
            model_name="draft",
            name="answers",
            field=chiso.core.sealed.SealedJSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="heldresponse",
            name="answers",
            field=chiso.core.sealed.SealedJSONField(verbose_name="answers"),
        ),
        migrations.AlterField(
            model_name="heldresponse",
            name="rated_units",
            field=chiso.core.sealed.SealedJSONField(blank=True, default=list, verbose_name="rated units"),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
