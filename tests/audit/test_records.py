"""The one audit trail: written by audit_record(), read by history(), never changed or deleted."""

import pytest
from django.db import DatabaseError, connection, transaction

from chiso.audit.models import AppendOnly, AuditRecord
from chiso.audit.queries import history
from chiso.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_a_record_names_its_object_and_parents_and_history_finds_it_from_either(make_unit, make_user):
    unit, other = make_unit(), make_unit()
    user = make_user("thuky", "secretariat")
    record = audit_record(event="unit.updated", obj=unit, by=user, field="name_vi", old="A", new="B", reason="đổi tên")
    audit_record(event="unit.updated", obj=other, by=user, parents=(unit,), field="name_vi", old="C", new="D")

    assert record.path == f"/units.unit:{unit.pk}/"
    assert [r.new_value for r in history(unit)] == ["B", "D"]
    assert [r.new_value for r in history(other)] == ["D"]
    assert record.by == user and record.reason == "đổi tên"


def test_records_cannot_be_changed_or_deleted_through_the_orm(make_unit):
    record = audit_record(event="unit.updated", obj=make_unit(), by=None, old="1", new="2")
    record.new_value = "3"
    with pytest.raises(AppendOnly):
        record.save()
    with pytest.raises(AppendOnly):
        record.delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=record.pk).update(new_value="3")
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=record.pk).delete()


def test_the_database_refuses_an_update_or_delete_typed_by_hand(make_unit):
    record = audit_record(event="unit.updated", obj=make_unit(), by=None, old="1", new="2")
    table = AuditRecord._meta.db_table
    if connection.vendor == "sqlite":
        # The test suite lets its own flush through (tests/conftest.py); a real database does not.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_maintenance")
    try:
        for sql in (f"UPDATE {table} SET new_value = '3' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
            with pytest.raises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [record.pk])
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO audit_maintenance VALUES (1)")
    assert AuditRecord.objects.get(pk=record.pk).new_value == "2"
