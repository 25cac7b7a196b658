"""Issue 19, point 11: an upload above the limit gets a clean Vietnamese 413 page from the server
under gunicorn, as in production (runserver's case: tests/browser/test_par_cycle.py) — never a 500,
never a reset connection — and the server goes on answering."""

import datetime
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from chiso.accounts.models import Role
from chiso.assessments.services import cycle_create
from chiso.frameworks.services import framework_import

from .test_security import _database_for_other_processes, _free_port, _wait_for  # the same server start as there

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 100_000  # CHISO_UPLOAD_MAX_BYTES_EVIDENCE for the server: 97,7 KB
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PAR = {
    "framework": {"code": "PAR-413", "name_vi": "Chỉ số CCHC thử", "method": "points"},
    "version": {"label": "thử", "blocks": ["department"]},
    "iMeta": [
        {"iCode": "PAR", "Level": 2, "Type": "Aggregate", "max_points": 3, "name_vi": "Chỉ số CCHC"},
        {"iCode": "F1", "Level": 1, "Parent": "PAR", "Type": "Indicator", "max_points": 3, "evidence": True,
         "name_vi": "Ban hành kế hoạch CCHC năm"},
    ],
}


def _multipart(name: str, content: bytes, boundary: str = "----chiso413") -> tuple[bytes, str]:
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _post(url: str, body: bytes, content_type: str, cookie: str = "", csrf: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": content_type, "Cookie": cookie, "X-CSRFToken": csrf})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_an_evidence_upload_above_the_limit_with_a_vietnamese_413(tmp_path, make_unit, make_user, period, blocks):
    version = framework_import(file_name="par.yaml", content=yaml.safe_dump(PAR, allow_unicode=True).encode(), by=None).version
    unit = make_unit("S-413", name_vi="Sở Thử nghiệm")
    officer = make_user("canbo.413", Role.UNIT_OFFICER, unit=unit)
    cycle = cycle_create(version=version, period=period, block=blocks["department"], by=make_user("thuky.413", Role.SECRETARIAT),
                         self_assessment_due=timezone.now() + datetime.timedelta(days=10))
    assessment = cycle.assessments.get(unit=unit)
    item = assessment.items.get(code="F1")
    client = Client()
    client.force_login(officer)  # the session is in the database the server reads
    csrf = get_random_string(32)  # a CSRF secret of our own, sent as cookie and header alike
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; {settings.CSRF_COOKIE_NAME}={csrf}"

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PYTEST", "DATABASE_URL", "DJANGO_"))}
    env.update(PYTHONPATH=str(ROOT / "src"), CHISO_SECRET_KEY=settings.SECRET_KEY, CHISO_DEBUG="1",  # the session signed here
               CHISO_VAR_DIR=str(tmp_path / "var"),
               CHISO_MEDIA_ROOT=str(tmp_path / "media"), DATABASE_URL=_database_for_other_processes(tmp_path),
               CHISO_UPLOAD_MAX_BYTES_EVIDENCE=str(LIMIT), CHISO_LOG_LEVEL="ERROR")
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("wb")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "chiso.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--timeout", "30", "--control-socket", str(tmp_path / "gunicorn.ctl")],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)

    def server_log() -> str:
        log.flush()
        return log_path.read_text(errors="replace")[-3000:]

    try:
        _wait_for(port)
        base = f"http://127.0.0.1:{port}"
        upload = f"{base}/assessments/{assessment.pk}/items/{item.pk}/upload/"
        # far above the limit: refused from its announced size, the body read and dropped
        status, page = _post(upload, *_multipart("lon.pdf", PDF + b"0" * 2_000_000), cookie=cookie, csrf=csrf)
        assert status == 413, server_log()
        assert "<html" in page and 'lang="vi"' in page and "97,7\xa0KB" in page and "vượt" in page
        assert "Server Error" not in page and "Traceback" not in page
        # just above the limit (inside the margin for the form's own fields): stopped while it streams in
        status, page = _post(upload, *_multipart("vua.pdf", PDF + b"0" * (LIMIT + 1000)), cookie=cookie, csrf=csrf)
        assert status == 413 and "vua.pdf" in page and "97,7\xa0KB" in page, (status, page[-1500:], server_log())
        # the server still answers, and nothing was stored
        with urllib.request.urlopen(f"{base}/accounts/login/", timeout=30) as answer:
            assert answer.status == 200 and "Đăng nhập" in answer.read().decode()
        assert server.poll() is None
        assert not list((tmp_path / "media").rglob("*.pdf"))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    errors = log_path.read_text(errors="replace")
    assert "Traceback" not in errors and "Internal Server Error" not in errors, errors[-3000:]
