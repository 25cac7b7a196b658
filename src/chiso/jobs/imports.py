"""Imports too large for a request: the upload is kept on the server and a background job reads,
checks and writes it, with progress on its Job row, then shows the counts or every problem.

The view decides with `import_in_background(files)`: above settings.CHISO_IMPORT_BACKGROUND_BYTES
(the bytes a CSV holds, or what an XLSX workbook expands to: read from its directory, nothing is
decompressed) the files are stored (`import_job_start`) and the person is sent to the job's page;
below it the import runs in the request as before. The files were bounded already by their kind's
upload limit (chiso.core.uploads); the stored copy is deleted when the job ends, well or not.

Each importer writes in one transaction of its own, so a job that fails (bad rows, or an error
while writing) leaves nothing half-written; the problems are kept on the job as the importer
words them (file, sheet, row, column) and listed on its page.
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from chiso.accounts.models import User
from chiso.core.tabular import ImportFailed

from .models import Job
from .services import job_run, job_start

BACKGROUND_BYTES = 256 * 1024  # about 2,500 rows of a CSV unit list
PROBLEMS_KEPT = 500  # on the job's page; an importer stops earlier anyway (tabular, MAX_PROBLEMS)
FOLDER = "import_jobs"
ABANDONED_SECONDS = 7 * 24 * 3600


def import_weight(content: bytes) -> int:
    """How much there is to read: a CSV's bytes, an XLSX workbook's size once expanded."""
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return sum(member.file_size for member in archive.infolist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            return len(content)  # damaged: the importer says so, in the request
    return len(content)


def background_threshold() -> int:
    return int(getattr(settings, "CHISO_IMPORT_BACKGROUND_BYTES", BACKGROUND_BYTES))


def import_in_background(files: list[tuple[str, bytes]]) -> bool:
    """Whether these files are imported by a background job rather than inside the request."""
    return sum(import_weight(content) for _name, content in files) > background_threshold()


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def _abandoned_drop() -> None:
    """Uploads of jobs that never ran (the worker was down for a day, the queue was emptied)."""
    root = _root()
    if not root.is_dir():
        return
    limit = time.time() - ABANDONED_SECONDS
    for path in root.iterdir():
        try:
            if path.stat().st_mtime < limit:
                shutil.rmtree(path, ignore_errors=True)
        except FileNotFoundError:
            continue


def import_job_start(*, kind: str, title: str, by, task, files: list[tuple[str, bytes]], **task_kwargs) -> Job:
    """Keep the files under MEDIA_ROOT/import_jobs/<random>/ and start `task(job_id=…, folder=…,
    user_id=…, language=…, **task_kwargs)`, which calls `import_job_run`."""
    _abandoned_drop()
    folder = secrets.token_urlsafe(18)
    path = _root() / folder
    path.mkdir(parents=True, mode=0o700)
    names = []
    for number, (name, content) in enumerate(files):
        (path / str(number)).write_bytes(content)
        names.append(name)
    (path / "names.json").write_text(json.dumps(names), encoding="utf-8")
    return job_start(kind=kind, title=title, by=by, task=task, folder=folder, user_id=getattr(by, "pk", None),
                     language=translation.get_language() or settings.LANGUAGE_CODE, **task_kwargs)


def _files(folder: str) -> list[tuple[str, bytes]]:
    path = _root() / folder
    names = json.loads((path / "names.json").read_text(encoding="utf-8"))
    return [(name, (path / str(number)).read_bytes()) for number, name in enumerate(names)]


def import_job_run(job_id: int, *, folder: str, user_id: int | None, language: str,
                   work: Callable[..., dict]) -> None:
    """Run `work(files=…, by=…, progress=…)` as the job, in the language of the person who started
    it; it returns the result ("message", "notes", "url"). ImportFailed fails the job with its
    problems; the stored files are deleted in every case."""
    if "/" in folder or folder.startswith("."):
        raise ValueError(folder)

    def run(progress):
        by = User.objects.filter(pk=user_id).first() if user_id else None
        files = _files(folder)
        progress(0, 3)
        try:
            return work(files=files, by=by, progress=progress)
        except ImportFailed as failure:
            raise ValidationError([str(problem) for problem in failure.problems[:PROBLEMS_KEPT]]) from None

    try:
        with translation.override(language):
            job_run(job_id, run)
    finally:
        shutil.rmtree(_root() / folder, ignore_errors=True)
