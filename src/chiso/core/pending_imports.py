"""Imports shown before they are written: what a file would add, change, leave and remove, and the
uploaded file kept on the server between that preview and the person's confirmation.

A pending import is a folder under MEDIA_ROOT/pending_imports/<random id>/ holding the file and
what the preview was made with (who, which importer, its choices, a fingerprint of the data it
compared against). Only its owner can confirm it, within PENDING_LIFETIME; a confirmation whose
data changed since the preview is refused (the fingerprint differs), so what is written is
exactly what was shown; a large file is then written by a background job (chiso.jobs.imports).
Shared by the importers of one-stop-shop statistics, national results and indicator values.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.http import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .tabular import ImportFailed

PENDING_LIFETIME = 2 * 3600  # seconds
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

ADDED, CHANGED, UNCHANGED, REMOVED = "added", "changed", "unchanged", "removed"
STATUSES = (ADDED, CHANGED, UNCHANGED, REMOVED)


@dataclass
class PreviewRow:
    """One row of a preview: a unit (or province, or unit × indicator) and what happens to it.
    `cells` are (column, old as shown, new as shown): every cell for an added or removed row, the
    differing ones for a changed row."""

    status: str
    subject: str
    cells: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[PreviewRow]
    replace_period: bool = False
    fingerprint: str = ""
    notes: list = field(default_factory=list)

    def of(self, status: str) -> list[PreviewRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def writes(self) -> int:
        counts = self.counts
        return counts[ADDED] + counts[CHANGED] + counts[REMOVED]

    def lines(self) -> list[str]:
        """The preview as text, for management commands (--dry-run)."""
        counts = self.counts
        out = [_("Added: %(added)s, changed: %(changed)s, unchanged: %(unchanged)s, to be removed: %(removed)s.") % counts]
        labels = {ADDED: _("added"), CHANGED: _("changed"), REMOVED: _("to be removed")}
        for row in self.rows:
            if row.status == UNCHANGED:
                continue
            cells = "; ".join(f"{c}: {o} → {n}" if row.status == CHANGED else f"{c}: {n if row.status == ADDED else o}"
                              for c, o, n in row.cells)
            out.append(f"[{labels[row.status]}] {row.subject}" + (f" — {cells}" if cells else ""))
        return out


def fingerprint(items) -> str:
    """A short digest of the data a preview compared against (any JSON-able, sorted by the caller)."""
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()[:32]


def fingerprint_check(expected: str | None, actual: str) -> None:
    if expected is not None and expected != actual:
        raise ValidationError(_("The data changed since the preview (someone else imported or edited it). "
                                "Nothing was written: upload the file again to see a new preview."))


# --- the file kept between preview and confirmation -------------------------------------

@dataclass
class Pending:
    token: str
    kind: str
    user_id: int | None
    file_name: str
    params: dict
    fingerprint: str
    created: float
    folder: Path

    @property
    def content(self) -> bytes:
        return (self.folder / "content").read_bytes()


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "pending_imports"


def _expired_drop(root: Path) -> None:
    if not root.is_dir():
        return
    limit = time.time() - PENDING_LIFETIME
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            continue


def pending_store(*, kind: str, by, file_name: str, content: bytes, params: dict, fingerprint: str) -> str:
    """Keep an uploaded file until it is confirmed; the random id to confirm it with."""
    root = _root()
    _expired_drop(root)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(parents=True, mode=0o700)
    (folder / "content").write_bytes(content)
    meta = {"kind": kind, "user_id": getattr(by, "pk", None), "file_name": file_name, "params": params,
            "fingerprint": fingerprint, "created": time.time()}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def pending_load(*, token: str, kind: str, by) -> Pending:
    """The pending import `token` of `by`; a readable refusal when it is gone, expired or another's."""
    gone = ValidationError(_("This preview has expired or was already imported. Upload the file again."))
    if not TOKEN.match(token or ""):
        raise gone
    folder = _root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        raise gone from None
    if meta.get("kind") != kind or meta.get("user_id") != getattr(by, "pk", None):
        raise gone
    if meta["created"] < time.time() - PENDING_LIFETIME:
        shutil.rmtree(folder, ignore_errors=True)
        raise gone
    return Pending(token=token, kind=kind, user_id=meta["user_id"], file_name=meta["file_name"], params=meta["params"],
                   fingerprint=meta["fingerprint"], created=meta["created"], folder=folder)


def pending_drop(token: str) -> None:
    if TOKEN.match(token or ""):
        shutil.rmtree(_root() / token, ignore_errors=True)


# --- management commands ---------------------------------------------------------------

def command_import(command, *, dry_run: bool, preview, write):
    """An import command's run: with --dry-run print `preview()`'s lines (and its notes on stderr) and
    write nothing; otherwise return `write()`'s result. Every problem goes to stderr, then CommandError."""
    try:
        if dry_run:
            shown = preview()
            for note in shown.notes:
                command.stderr.write(str(note))
            for line in shown.lines():
                command.stdout.write(line)
            command.stdout.write(_("Dry run: nothing was written."))
            return None
        return write()
    except ImportFailed as failure:
        for problem in failure.problems:
            command.stderr.write(str(problem))
        raise CommandError(_("Nothing was imported: %(count)s problem(s).") % {"count": len(failure.problems)}) from None
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None


# --- the confirmation step of an import page ----------------------------------------------

def pending_confirm(request, *, kind: str, back: str, write):
    """The "Xác nhận nhập" step every import page shares: `write(pending)` with the person's pending
    import returns the page to go to (a job's page, the result) or a success message, then the kept
    file is dropped; a refusal (expired, another's, changed since the preview, a problem in the file)
    is told as a message on `back`, nothing written."""
    try:
        pending = pending_load(token=request.POST.get("token", ""), kind=kind, by=request.user)
        outcome = write(pending)
    except ImportFailed as failure:
        messages.error(request, " ".join(str(p) for p in failure.problems[:5]))
        return redirect(back)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    pending_drop(pending.token)
    if isinstance(outcome, HttpResponseBase):
        return outcome
    message, target = outcome
    messages.success(request, message)
    return redirect(target)
