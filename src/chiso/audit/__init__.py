"""Nhật ký — the one audit trail of every change in chiso: written by `audit_record()` on the one path
of each change, read by `history()`; append-only down to the database."""
