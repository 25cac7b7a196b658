"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

from django.utils import formats, translation

ROOT = Path(__file__).resolve().parents[2]


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PYTEST", "DATABASE_URL"))}
    clean.update(env, PYTHONPATH=str(ROOT / "src"), DJANGO_SETTINGS_MODULE="chiso.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"],
        capture_output=True, text=True, env=clean, cwd=ROOT,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_settings(CHISO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "CHISO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_key_and_reads_database_url(tmp_path):
    result = run_settings(
        CHISO_VAR_DIR=str(tmp_path), CHISO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@127.0.0.1:5432/chiso"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


def test_demo_mode_uses_embedded_sqlite_under_var(tmp_path):
    result = run_settings(CHISO_VAR_DIR=str(tmp_path), CHISO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]
    assert (tmp_path / "secret_key").exists()  # kept outside git, per checkout


def test_vietnamese_number_and_date_formats():
    import datetime

    with translation.override("vi"):
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1.234,5"
        assert formats.date_format(datetime.date(2023, 3, 13), "SHORT_DATE_FORMAT") == "13/03/2023"
    with translation.override("en"):
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1,234.5"


def test_time_zone_is_vietnam(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh" and settings.USE_TZ
