"""What an uploaded file really is: its type read from the content (magic bytes), never from its name.

Evidence (assessments) and feedback attachments accept the same office documents; each app
words its own refusal, but the list of types and the detection live here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import filetype

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
