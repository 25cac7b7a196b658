"""Used by the migrations that fold an app's own event table into the one audit trail (kept stable:
migrations import it)."""

from __future__ import annotations


def copy_events(apps, *, app_label: str, model_name: str, chain: list[tuple[str, str]], event_field: str = "code",
                reason_field: str = "reason", value_fields: tuple[str, str] | None = ("old_value", "new_value"),
                details_field: str | None = None) -> None:
    """Copy every row of `app_label.model_name` into AuditRecord, oldest first. `chain` names the
    foreign keys from the outermost object to the innermost as (field, model label), e.g.
    [("directive", "followup.directive"), ("task", "followup.task")]: the innermost one set is the
    record's object, the others its path."""
    Event = apps.get_model(app_label, model_name)
    AuditRecord = apps.get_model("audit", "AuditRecord")
    batch = []
    for e in Event.objects.order_by("pk").iterator(chunk_size=2000):
        refs = [(label, getattr(e, f"{name}_id")) for name, label in chain if getattr(e, f"{name}_id") is not None]
        if not refs:
            continue
        old, new = (getattr(e, value_fields[0]), getattr(e, value_fields[1])) if value_fields else ("", "")
        batch.append(AuditRecord(
            at=e.at, by_id=e.by_id, event=getattr(e, event_field), object_type=refs[-1][0], object_id=str(refs[-1][1]),
            path="/" + "".join(f"{label}:{pk}/" for label, pk in refs), field=getattr(e, "field", "") or "",
            old_value=old or "", new_value=new or "", reason=getattr(e, reason_field, "") or "",
            details=(getattr(e, details_field) or {}) if details_field else {},
        ))
        if len(batch) >= 2000:
            AuditRecord.objects.bulk_create(batch)
            batch = []
    AuditRecord.objects.bulk_create(batch)
