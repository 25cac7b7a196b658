"""The follow-up app's notices become general notices, kept with their dates and marks."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from chiso.accounts.models import Role


@pytest.mark.django_db(transaction=True)
def test_followup_notices_are_carried_over(make_unit, make_user):
    unit = make_unit("S-M", name_vi="Sở thử")  # users and units as they are now: only follow-up goes back
    user = make_user("canbo.m", Role.UNIT_OFFICER, unit=unit)
    executor = MigrationExecutor(connection)
    before = [("followup", "0002_audit_trail_moved"), ("notices", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Directive, Task, OldNotice = (old.get_model("followup", name) for name in ("Directive", "Task", "Notice"))
    directive = Directive.objects.create(number="1/TB", date=datetime.date(2023, 1, 2), issuer="UBND", summary="Thử")
    task = Task.objects.create(directive=directive, text="Việc", lead_unit_id=unit.pk, deadline=datetime.date(2023, 3, 31),
                               due_date=datetime.date(2023, 3, 31))
    created = timezone.make_aware(datetime.datetime(2023, 1, 3, 8, 0))
    first = OldNotice.objects.create(user_id=user.pk, kind="assigned", task=task)
    OldNotice.objects.filter(pk=first.pk).update(created_at=created)
    OldNotice.objects.create(user_id=user.pk, kind="overdue", task=task, key="2023-03-31", read_at=created)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    after = [("followup", "0003_notices_moved"), ("notices", "0002_notices_from_followup")]
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("notices", "Notice")
    rows = {n.kind: n for n in new.objects.all()}
    assert set(rows) == {"task.assigned", "task.overdue"}
    assert rows["task.assigned"].created_at == created and rows["task.assigned"].object_id == str(task.pk)
    assert rows["task.overdue"].key == "2023-03-31" and rows["task.overdue"].read_at == created
    assert rows["task.overdue"].object_type == "followup.task"

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest of the suite runs on the latest schema
