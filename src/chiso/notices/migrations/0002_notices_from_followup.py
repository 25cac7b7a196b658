"""The follow-up app's notices (tasks only) become general notices, kept with their dates and
read and e-mailed marks: kind "assigned" is now "task.assigned", and so on."""

from django.db import migrations

TASK_KINDS = {"assigned", "due_soon", "overdue", "awaiting", "confirmed", "rejected"}


def forwards(apps, schema_editor):
    Old = apps.get_model("followup", "Notice")
    New = apps.get_model("notices", "Notice")
    for old in Old.objects.order_by("pk").iterator():
        new = New.objects.create(
            user_id=old.user_id, kind=f"task.{old.kind}" if old.kind in TASK_KINDS else old.kind, object_type="followup.task",
            object_id=str(old.task_id), key=old.key, read_at=old.read_at, emailed_at=old.emailed_at,
        )
        New.objects.filter(pk=new.pk).update(created_at=old.created_at)  # auto_now_add took today's


def backwards(apps, schema_editor):
    Old = apps.get_model("followup", "Notice")
    New = apps.get_model("notices", "Notice")
    for new in New.objects.filter(object_type="followup.task", kind__startswith="task."):
        kind = new.kind.removeprefix("task.")
        if kind in TASK_KINDS:
            Old.objects.get_or_create(user_id=new.user_id, kind=kind, task_id=int(new.object_id), key=new.key,
                                      defaults={"read_at": new.read_at, "emailed_at": new.emailed_at})


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0001_initial"),
        ("followup", "0002_audit_trail_moved"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
