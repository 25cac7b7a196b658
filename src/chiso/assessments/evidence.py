"""Evidence files: the type read from the content (magic bytes), a size limit, random names under
MEDIA_ROOT/evidence/ (outside the web root: only a permission-checked view serves them)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.core.uploads import DOCUMENT_TYPES, document_type_detect, upload_max_bytes


def evidence_max_bytes() -> int:
    """The upload limit: settings.CHISO_EVIDENCE_MAX_BYTES where a deployment still sets it, else the
    evidence kind of CHISO_UPLOAD_MAX_BYTES (20 MB unless CHISO_UPLOAD_MAX_BYTES_EVIDENCE says otherwise)."""
    return int(getattr(settings, "CHISO_EVIDENCE_MAX_BYTES", None) or upload_max_bytes("evidence"))


def evidence_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence"


def too_large_message(name: str | None = None, size: int | None = None) -> str:
    limit = filesizeformat(evidence_max_bytes())
    if size:
        return _("The upload is %(size)s; the limit is %(limit)s. Split or compress the file, or reference the document by its number and date.") % {
            "size": filesizeformat(size), "limit": limit}
    if name:
        return _("%(name)s is larger than the limit of %(limit)s. Split or compress it, or reference the document by its number and date.") % {
            "name": name, "limit": limit}
    return _("The file is larger than the limit of %(limit)s. Split or compress it, or reference the document by its number and date.") % {"limit": limit}


@dataclass(frozen=True)
class CheckedType:
    extension: str
    content_type: str


def evidence_type_check(name: str, head: bytes) -> CheckedType:
    """What the content is, and that it is what the name says; ValidationError otherwise."""
    allowed = ", ".join(label for _t, _e, label in DOCUMENT_TYPES.values())
    detected = document_type_detect(name, head)
    if detected is None:
        raise ValidationError(
            _("%(name)s is not a PDF, Word (DOCX), Excel (XLSX) or image (JPG, PNG) file, whatever its name says. Allowed: %(allowed)s.")
            % {"name": name, "allowed": allowed}
        )
    if not detected.name_agrees:
        raise ValidationError(
            _("%(name)s is named as a .%(suffix)s file but its content is %(label)s. Rename it or upload the right file.")
            % {"name": name, "suffix": detected.suffix or "?", "label": detected.label}
        )
    return CheckedType(extension=detected.extension, content_type=detected.content_type)


@dataclass(frozen=True)
class StoredFile:
    relative_path: str
    size: int
    sha256: str
    checked: CheckedType


def evidence_store(*, name: str, chunks) -> StoredFile:
    """Check and write an upload (an iterable of byte chunks) under a random name.

    The whole file is checked: its type from the first bytes, its size as it is written (the
    size a client declares is not trusted). Nothing stays on disk when a check fails.
    """
    limit = evidence_max_bytes()
    digest = hashlib.sha256()
    size = 0
    checked = None
    now = timezone.now()
    folder = evidence_root() / f"{now:%Y}" / f"{now:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    target = None
    handle = None
    buffered = b""
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ValidationError(too_large_message(name=name))
            digest.update(chunk)
            if checked is None:
                buffered += chunk
                if len(buffered) < 8192:
                    continue
                checked = evidence_type_check(name, buffered)
                target = folder / f"{secrets.token_hex(16)}.{checked.extension}"
                handle = target.open("xb")
                handle.write(buffered)
            else:
                handle.write(chunk)
        if checked is None:
            checked = evidence_type_check(name, buffered)
            target = folder / f"{secrets.token_hex(16)}.{checked.extension}"
            handle = target.open("xb")
            handle.write(buffered)
        handle.close()
    except BaseException:
        if handle is not None and not handle.closed:
            handle.close()
        if target is not None and target.exists():
            target.unlink()
        raise
    return StoredFile(
        relative_path=str(target.relative_to(Path(settings.MEDIA_ROOT))), size=size, sha256=digest.hexdigest(), checked=checked,
    )


def evidence_path(relative_path: str) -> Path | None:
    """The file on disk, only if it is inside the evidence folder."""
    root = evidence_root().resolve()
    path = (Path(settings.MEDIA_ROOT) / relative_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
