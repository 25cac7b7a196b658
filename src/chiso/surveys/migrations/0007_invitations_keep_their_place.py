# Invitations keep their place in the table even when PostgreSQL cannot prune old row versions.
#
# Marking an invitation "in progress" (its draft opens) and "completed" (its batch is written)
# happens in the order respondents answer. Each is an UPDATE, which writes a new version of the
# row: in the same page when the page has room (a HOT update, what 0004's fillfactor of 50 was
# for), at the end of the table otherwise, which lines the completed invitations up in the order
# of their batches, as the responses are, and a pg_dump then pairs them (rank correlation 0.87
# in issue 17). Room in a page comes back only when the page is pruned, and a page is not pruned
# while any transaction is older than the dead versions: a pg_dump running, a long report, a
# replica with hot_standby_feedback, or another test's open connection. With a fillfactor of 20
# a page is filled to a fifth, leaving room for four new versions of every row in it without any
# pruning; an invitation gets two (in progress, completed), three if it is revoked. The table is
# rewritten in the order of its ids so that the pages already written get the room too (and lose
# the order earlier completions left). docs/security.md, "What the database holds".

from django.db import migrations

FILLFACTOR = 20


def room_in_every_page(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE surveys_invitation SET (fillfactor = {FILLFACTOR})")
        cursor.execute("CLUSTER surveys_invitation USING surveys_invitation_pkey")


def as_before(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE surveys_invitation SET (fillfactor = 50)")


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0006_offline_collection"),
    ]

    operations = [
        migrations.RunPython(room_in_every_page, as_before),
    ]
