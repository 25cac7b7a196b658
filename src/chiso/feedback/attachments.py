"""Attachments of a feedback: limits, the type read from the content (magic bytes, `filetype`),
metadata removed from images, random names under MEDIA_ROOT/feedback/.

Files are served only through a view that checks who asks; their names are neutral
("Tệp đính kèm 1.pdf"): a file name such as "CongTyMinhKhai_don.pdf" would name the filer.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from chiso.core.uploads import document_type_detect, upload_max_bytes


def limits() -> dict[str, int]:
    """settings.CHISO_FEEDBACK_ATTACHMENTS may override any of these; one file's limit is otherwise
    the feedback kind of CHISO_UPLOAD_MAX_BYTES (5 MB unless CHISO_UPLOAD_MAX_BYTES_FEEDBACK says otherwise)."""
    base = {"files": 3, "file_bytes": upload_max_bytes("feedback"), "total_bytes": 10 * 1024 * 1024}
    base.update(getattr(settings, "CHISO_FEEDBACK_ATTACHMENTS", {}))
    return base


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    extension: str
    content_type: str


def attachments_check(files: list[tuple[str, int, object]]) -> None:
    """Count and sizes, before anything is read: (name, size, _) per file."""
    limit = limits()
    if len(files) > limit["files"]:
        raise ValidationError(_("Attach at most %(n)s files.") % {"n": limit["files"]})
    for name, size, _f in files:
        if size > limit["file_bytes"]:
            raise ValidationError(
                _("%(name)s is %(size)s; each file may be at most %(limit)s.")
                % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit["file_bytes"])}
            )
    if sum(size for _n, size, _f in files) > limit["total_bytes"]:
        raise ValidationError(_("The files together may be at most %(limit)s.") % {"limit": filesizeformat(limit["total_bytes"])})


def attachment_type_check(name: str, content: bytes) -> CheckedFile:
    """What the content really is; refused unless it is an allowed type named as such."""
    detected = document_type_detect(name, content)
    if detected is None:
        raise ValidationError(
            _("%(name)s is not a PDF, JPG, PNG, Word (DOCX) or Excel (XLSX) file, whatever its name says.") % {"name": name}
        )
    if not detected.name_agrees:
        raise ValidationError(
            _("%(name)s is named as a .%(suffix)s file but its content is %(kind)s.")
            % {"name": name, "suffix": detected.suffix or "?", "kind": detected.extension.upper()}
        )
    if detected.extension == "jpg":
        content = jpeg_without_metadata(content)
    elif detected.extension == "png":
        content = png_without_metadata(content)
    return CheckedFile(content=content, extension=detected.extension, content_type=detected.content_type)


def jpeg_without_metadata(content: bytes) -> bytes:
    """Drop APP1–APP15 and COM segments (EXIF with GPS and camera owner, XMP, comments).
    The image data itself is copied byte for byte."""
    if content[:2] != b"\xff\xd8":
        return content
    out, i = [b"\xff\xd8"], 2
    while i + 4 <= len(content):
        if content[i] != 0xFF:
            break
        marker = content[i + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append(content[i:])
            return b"".join(out)
        length = struct.unpack(">H", content[i + 2:i + 4])[0]
        segment = content[i:i + 2 + length]
        if not (0xE1 <= marker <= 0xEF or marker == 0xFE):
            out.append(segment)
        i += 2 + length
    out.append(content[i:])
    return b"".join(out)


PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def png_without_metadata(content: bytes) -> bytes:
    """Drop the text, EXIF and time chunks of a PNG."""
    signature = b"\x89PNG\r\n\x1a\n"
    if not content.startswith(signature):
        return content
    out, i = [signature], len(signature)
    while i + 8 <= len(content):
        length = struct.unpack(">I", content[i:i + 4])[0]
        kind = content[i + 4:i + 8]
        chunk = content[i:i + 12 + length]
        if kind not in PNG_DROP:
            out.append(chunk)
        i += 12 + length
        if kind == b"IEND":
            break
    return b"".join(out)


def feedback_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "feedback"


def attachment_store(checked: CheckedFile) -> tuple[str, int, str]:
    """Write the file under a random name; (relative path, size, sha256)."""
    relative = Path("feedback") / f"{secrets.token_hex(16)}.{checked.extension}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(checked.content)
    return str(relative), len(checked.content), hashlib.sha256(checked.content).hexdigest()
