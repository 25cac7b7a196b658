"""What an uploaded file really is, and how big it may be: its type read from the content (magic
bytes), never from its name; its size, and for an XLSX/ZIP archive what it expands to, checked
before anything parses it.

Evidence (assessments) and feedback attachments accept the same office documents; each app
words its own refusal, but the list of types and the detection live here once. So do the size
limits of every upload and import (settings.CHISO_UPLOAD_MAX_BYTES) and the archive check that
every XLSX path runs before openpyxl or pyxform opens the file.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

log = logging.getLogger(__name__)

# detected extension → (content type, extensions a file of that type may carry, label)
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", {"pdf"}, "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}, "DOCX"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}, "XLSX"),
    "jpg": ("image/jpeg", {"jpg", "jpeg"}, "JPG"),
    "png": ("image/png", {"png"}, "PNG"),
}
ACCEPT = ",".join(sorted({f".{e}" for _t, exts, _l in DOCUMENT_TYPES.values() for e in exts}))
HEAD_BYTES = 8192  # enough for every signature filetype reads


@dataclass(frozen=True)
class DetectedType:
    extension: str  # as detected: pdf, docx, xlsx, jpg, png
    content_type: str
    label: str
    suffix: str  # what the name says, lower case, without the dot

    @property
    def name_agrees(self) -> bool:
        return self.suffix in DOCUMENT_TYPES[self.extension][1]


def document_type_detect(name: str, head: bytes) -> DetectedType | None:
    """The allowed document type of `head` (the file's first bytes), or None for anything else."""
    kind = filetype.guess(head[:HEAD_BYTES]) if head else None
    if kind is None or kind.extension not in DOCUMENT_TYPES:
        return None
    content_type, _extensions, label = DOCUMENT_TYPES[kind.extension]
    return DetectedType(extension=kind.extension, content_type=content_type, label=label,
                        suffix=Path(name).suffix.lower().lstrip("."))


# --- Limits: every upload and import is bounded before it is parsed ------------------------------
#
# The numbers live in settings (read from the environment once, see settings.py); the messages name
# the setting so the administrator knows which one to raise.

UPLOAD_KINDS = {
    # kind → (default bytes, what the file is, for the message)
    "units": (5 * 1024 * 1024, _lazy("a unit list")),
    "frame": (20 * 1024 * 1024, _lazy("a sample frame")),
    "responses": (20 * 1024 * 1024, _lazy("an export of responses")),
    "service_stats": (10 * 1024 * 1024, _lazy("a one-stop-shop export")),
    "tasks": (5 * 1024 * 1024, _lazy("a table of tasks")),
    "indicator_values": (10 * 1024 * 1024, _lazy("a table of indicator values")),
    "indicator_rules": (5 * 1024 * 1024, _lazy("a table of indicator rules")),
    "national_results": (10 * 1024 * 1024, _lazy("a table of national results")),
    "framework": (5 * 1024 * 1024, _lazy("a framework file")),
    "xlsform": (5 * 1024 * 1024, _lazy("an XLSForm")),
    "evidence": (20 * 1024 * 1024, _lazy("an evidence file")),
    "feedback": (5 * 1024 * 1024, _lazy("an attachment")),
    "survey_media": (10 * 1024 * 1024, _lazy("a photo, recording or file answering a survey question")),
}


def upload_setting_name(kind: str) -> str:
    return f"CHISO_UPLOAD_MAX_BYTES_{kind.upper()}"


def upload_max_bytes(kind: str) -> int:
    """The size limit for one file of `kind` (settings.CHISO_UPLOAD_MAX_BYTES[kind])."""
    configured = getattr(settings, "CHISO_UPLOAD_MAX_BYTES", {}) or {}
    return int(configured.get(kind) or UPLOAD_KINDS[kind][0])


def upload_too_large(kind: str, size: int) -> str | None:
    """The refusal for a file of `size` bytes, or None when it is within the limit of its kind."""
    limit = upload_max_bytes(kind)
    if size <= limit:
        return None
    return _("The file is %(size)s; %(what)s may be at most %(limit)s (setting %(setting)s). "
             "Split the file, or ask the administrator to raise the limit.") % {
        "size": filesizeformat(size), "what": UPLOAD_KINDS[kind][1], "limit": filesizeformat(limit),
        "setting": upload_setting_name(kind)}


def import_limits() -> dict[str, int]:
    """Rows, columns and what an XLSX/ZIP archive may expand to."""
    return {
        "rows": int(getattr(settings, "CHISO_IMPORT_MAX_ROWS", 200_000)),
        "columns": int(getattr(settings, "CHISO_IMPORT_MAX_COLUMNS", 1_000)),
        "uncompressed_bytes": int(getattr(settings, "CHISO_IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)),
        "compression_ratio": int(getattr(settings, "CHISO_IMPORT_MAX_COMPRESSION_RATIO", 100)),
        "members": 10_000,
    }


# A member smaller than this may compress as well as it likes: only big members can be bombs.
RATIO_FLOOR_BYTES = 1024 * 1024


def archive_problems(content: bytes) -> list[str]:
    """What is wrong with an XLSX (or any ZIP) archive, read from its directory before anything is
    decompressed: a damaged archive, too many members, members that expand too far. Empty when fine.

    zipfile never yields more than a member's declared size (and fails its CRC otherwise), so the
    declared sizes bound what openpyxl or pyxform can be made to read.
    """
    limits = import_limits()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return [str(DAMAGED)]
    if len(members) > limits["members"]:
        return [_("The workbook holds %(count)s parts; at most %(limit)s are read.") % {
            "count": len(members), "limit": limits["members"]}]
    problems = []
    total = sum(member.file_size for member in members)
    if total > limits["uncompressed_bytes"]:
        problems.append(_("The workbook expands to %(size)s when opened; at most %(limit)s is read "
                          "(setting CHISO_IMPORT_MAX_UNCOMPRESSED_BYTES). Remove empty formatted rows "
                          "and columns, or split the workbook.") % {
            "size": filesizeformat(total), "limit": filesizeformat(limits["uncompressed_bytes"])})
    for member in members:
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > limits["compression_ratio"] * max(member.compress_size, 1):
            problems.append(_("The part %(name)s expands %(ratio)s times when opened; at most %(limit)s times is "
                              "accepted (setting CHISO_IMPORT_MAX_COMPRESSION_RATIO): the file is damaged or built "
                              "to exhaust the server.") % {
                "name": member.filename, "ratio": member.file_size // max(member.compress_size, 1),
                "limit": limits["compression_ratio"]})
            break
    return problems


DAMAGED = _lazy("The file is damaged or is not an Excel workbook (.xlsx).")


class BoundedUploadHandler(FileUploadHandler):
    """Stops reading a file once it passes `limit`, so a client that hides the size (or lies
    about it) cannot fill the disk; the view finds the file's name in request._upload_too_large."""

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                self.request._upload_too_large = self.file_name
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


DRAIN_AT_MOST = 1024 * 1024 * 1024  # beyond this a client is not waiting for a page: just answer


def body_drain(request, declared: int | None = None) -> None:
    """Read and drop the body of a request refused for its size (in chunks, nothing kept), so that
    the client, still sending, receives the 413 page rather than a reset connection — under
    gunicorn as under runserver. No "Connection: close" header instead: runserver's WSGI server
    refuses hop-by-hop headers from the application (a 500)."""
    declared = int(request.META.get("CONTENT_LENGTH") or 0) if declared is None else declared
    if declared > DRAIN_AT_MOST:
        return
    try:
        while request.read(1024 * 1024):
            pass
    except Exception:  # noqa: BLE001 — best effort: a client that hung up, a body shorter than announced
        log.info("request body not drained: %s", request.path)
