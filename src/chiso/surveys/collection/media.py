"""Media and location questions (issue 20): `geopoint`, `image`, `file`, `audio`.

They identify a respondent, so only a survey that is not anonymous (`Survey.anonymous` off) may
ask them: `media_refusal` names the questions that stop an anonymous survey from being created,
opened or given a version with them. A geopoint is typed (or filled by the browser's
geolocation, static/surveys/geopoint.js) as "latitude longitude [altitude [accuracy]]"; a photo,
a recording or a file is stored under MEDIA_ROOT/surveys/<survey code>/, its type read from its
content and its size bounded (core.uploads, kind "survey_media"); the answer holds the stored
file's name, and exports carry that name.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from chiso.core.uploads import DOCUMENT_TYPES, upload_too_large

from chiso.surveys.collection.formdef import MEDIA_TYPES, UPLOAD_TYPES, FormDef
from chiso.surveys.models import Response

UPLOAD_KIND = "survey_media"
# what each question type takes, by the extension filetype reads from the content
IMAGE_EXTENSIONS = {"jpg", "png", "webp", "gif", "heic"}
AUDIO_EXTENSIONS = {"mp3", "m4a", "ogg", "wav", "amr", "aac", "flac", "webm"}
FILE_EXTENSIONS = set(DOCUMENT_TYPES) | IMAGE_EXTENSIONS | AUDIO_EXTENSIONS


class MediaRefused(Exception):
    """A file or a location that cannot be kept: the message says why, in the page's language."""


# --- which surveys may ask them --------------------------------------------------------------------

def media_questions(form: FormDef) -> list:
    return [element for element in form.root.walk() if element.type in MEDIA_TYPES]


def media_refusal(*, anonymous: bool, form: FormDef) -> str | None:
    """Why an anonymous survey cannot use this questionnaire, naming its questions; or None."""
    if not anonymous:
        return None
    found = media_questions(form)
    if not found:
        return None
    return _("This survey is anonymous, and the questionnaire asks for a location, a photo, a recording or a file "
             "(questions: %(names)s): they identify a respondent. Make the survey not anonymous, or use a version "
             "without these questions.") % {"names": ", ".join(f"{e.name} ({e.type})" for e in found)}


# --- geopoint ------------------------------------------------------------------------------------

def geopoint_problem(value: str) -> str | None:
    """ODK's geopoint text: latitude longitude, then altitude and accuracy if known."""
    parts = value.replace(",", " ").split()
    message = _("Enter a location as latitude and longitude (e.g. 21.0285 105.8542), then altitude and accuracy in metres if known.")
    if not 2 <= len(parts) <= 4:
        return message
    try:
        numbers = [Decimal(p) for p in parts]
    except InvalidOperation:
        return message
    if not all(n.is_finite() for n in numbers):
        return message
    if not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180) or (len(numbers) == 4 and numbers[3] < 0):
        return _("The latitude must be between -90 and 90 and the longitude between -180 and 180.")
    return None


# --- uploads -------------------------------------------------------------------------------------

def media_folder(survey) -> Path:
    return Path(settings.MEDIA_ROOT) / "surveys" / survey.code


def _accepted(element, extension: str, mime: str) -> bool:
    allowed = {"image": IMAGE_EXTENSIONS, "audio": AUDIO_EXTENSIONS, "file": FILE_EXTENSIONS}[element.type]
    if extension not in allowed:
        return False
    accept = accept_of(element)
    if not accept:
        return True
    for token in (t.strip().lower() for t in accept.split(",") if t.strip()):
        if token.startswith(".") and token[1:] in (extension, "jpeg" if extension == "jpg" else extension):
            return True
        if token.endswith("/*") and mime.startswith(token[:-1]):
            return True
        if token == mime:
            return True
    return False


def accept_of(element) -> str:
    """The XLSForm's `body::accept`, or the browser hint for the type."""
    return str(element.control.get("accept") or element.raw.get("accept") or "")


def max_pixels_of(element) -> int | None:
    value = element.bind.get("orx:max-pixels")  # pyxform's reading of the parameters column
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def media_store(*, survey, element, uploaded) -> str:
    """Keep one uploaded file for a question; the stored name (the answer) is returned.

    The type is read from the content (never from the name or the browser's word), the size is
    bounded by the "survey_media" upload limit, and an image larger than the question's
    `max-pixels` is scaled down (as ODK Collect does). Raises MediaRefused."""
    if element.type not in UPLOAD_TYPES:
        raise MediaRefused(_("This question does not take a file."))
    too_large = upload_too_large(UPLOAD_KIND, uploaded.size)
    if too_large:
        raise MediaRefused(too_large)
    content = uploaded.read()
    kind = filetype.guess(content[:8192]) if content else None
    if kind is None or not _accepted(element, kind.extension, kind.mime):
        raise MediaRefused(_("The file %(name)s is not of a type this question takes (%(types)s).") % {
            "name": Path(uploaded.name or "").name[:80],
            "types": accept_of(element) or {"image": _("a photo"), "audio": _("a recording"), "file": "PDF, DOCX, XLSX, JPG, PNG"}[element.type]})
    limit = max_pixels_of(element) if element.type == "image" else None
    if limit and kind.extension in ("jpg", "png", "webp"):
        content = _scaled(content, limit, kind.extension)
    folder = media_folder(survey)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{element.name}-{secrets.token_hex(8)}.{kind.extension}"
    (folder / name).write_bytes(content)
    return name


def _scaled(content: bytes, limit: int, extension: str) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as image:
            if max(image.size) <= limit:
                return content
            image.thumbnail((limit, limit))
            out = io.BytesIO()
            image.save(out, format={"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[extension])
            return out.getvalue()
    except Exception as error:  # noqa: BLE001 — a damaged picture is refused, not a 500
        raise MediaRefused(_("The picture is damaged and cannot be read.")) from error


def answer_at(answers: dict, address: str) -> str:
    """The value kept at an address such as `nguoi[2]/anh` in nested answers ("" if none)."""
    scope = answers or {}
    parts = address.split("/")
    for part in parts[:-1]:
        name, index = part[:-1].split("[")
        entries = scope.get(name) or []
        if len(entries) < int(index):
            return ""
        scope = entries[int(index) - 1]
    value = scope.get(parts[-1], "")
    return "" if value is None else str(value)


def page_uploads(*, draft, files, addresses: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The page's file questions: a file sent is stored and its name becomes the answer; no file
    sent keeps the answer already kept. Returns (values, errors by address)."""
    form = draft.version.form
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for address in addresses:
        element = form.elements.get(address.rsplit("/", 1)[-1])
        if element is None or element.type not in UPLOAD_TYPES:
            continue
        uploaded = files.get(address) if files else None
        if uploaded is None or not uploaded.size:
            values[address] = answer_at(draft.answers, address)
            continue
        try:
            values[address] = media_store(survey=draft.survey, element=element, uploaded=uploaded)
        except MediaRefused as refused:
            values[address] = answer_at(draft.answers, address)
            errors[address] = str(refused)
    return values, errors


def stored_file(survey, name: str) -> Path | None:
    """The stored file behind an answer, or None (a name that is not plain never leaves the folder)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = media_folder(survey) / name
    return path if path.is_file() else None


# --- the secretariat's download ----------------------------------------------------------------------

def answer_strings(value):
    """Every string in nested answers (a stored file's name is one)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from answer_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from answer_strings(item)


def media_archive(survey, target) -> int:
    """Write into `target` (a binary file) a ZIP of the files that written responses name (not those
    of drafts left unfinished, nor a file replaced before sending); the number of files is returned."""
    folder = media_folder(survey)
    stored = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    named = set()
    if stored:
        for answers in Response.objects.filter(survey=survey).values_list("answers", flat=True).iterator(chunk_size=500):
            named.update(s for s in answer_strings(answers) if s in stored)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(named):
            archive.write(folder / name, arcname=name)
    return len(named)
