"""Settings come from the environment; production refuses to start without a secret key."""

import datetime
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "src" / "chiso" / "settings.py"


def settings_under(monkeypatch, **env) -> dict:
    """The settings module as a process started with exactly ENV (plus what is not chiso's or the
    test run's) would read it: run afresh here, so no Python start per case. The deployment check
    below starts a real `manage.py` with production settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PYTEST", "DATABASE_URL"))}
    clean.update(env)
    with monkeypatch.context() as patched:
        for name in list(os.environ):
            patched.delenv(name)
        for name, value in clean.items():
            patched.setenv(name, value)
        return runpy.run_path(str(SETTINGS), run_name="chiso_settings_under_test")


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="CHISO_SECRET_KEY is not set"):
        settings_under(monkeypatch, CHISO_VAR_DIR=str(tmp_path))


def test_production_starts_with_a_key_and_reads_database_url(tmp_path, monkeypatch):
    found = settings_under(monkeypatch, CHISO_VAR_DIR=str(tmp_path), CHISO_SECRET_KEY="x" * 50,
                           DATABASE_URL="postgres://u@127.0.0.1:5432/chiso")
    assert found["DEBUG"] is False
    assert found["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert found["DATABASES"]["default"]["HOST"] == "127.0.0.1" and found["DATABASES"]["default"]["NAME"] == "chiso"


def test_demo_mode_uses_embedded_sqlite_under_var(tmp_path, monkeypatch):
    found = settings_under(monkeypatch, CHISO_VAR_DIR=str(tmp_path), CHISO_DEBUG="1")
    assert found["DEBUG"] is True
    assert found["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(found["DATABASES"]["default"]["NAME"]).parent == tmp_path
    assert (tmp_path / "secret_key").exists()  # kept outside git, per checkout
    assert found["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()


def test_vietnamese_number_and_date_formats():
    with translation.override("vi"):
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1.234,5"
        assert formats.date_format(datetime.date(2023, 3, 13), "SHORT_DATE_FORMAT") == "13/03/2023"
    with translation.override("en"):
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1,234.5"


def test_time_zone_is_vietnam(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh" and settings.USE_TZ


PRODUCTION = {"CHISO_SECRET_KEY": "k" * 20 + "Zq8#vL2$wP9@xR4&nT6!mB1^cY7*hJ3%", "CHISO_ALLOWED_HOSTS": "chiso.example.gov.vn",
              "CHISO_CSRF_TRUSTED_ORIGINS": "https://chiso.example.gov.vn"}


def read_settings(monkeypatch, names, **env):
    found = settings_under(monkeypatch, **env)
    return {name: found[name] for name in names}


def test_production_behind_https_sends_hsts_and_redirects_to_https(tmp_path, monkeypatch):
    found = read_settings(monkeypatch, ["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE"],
                          CHISO_VAR_DIR=str(tmp_path), **PRODUCTION)
    assert found == {"SECURE_HSTS_SECONDS": 31536000, "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                     "SESSION_COOKIE_SECURE": True}


def test_without_an_https_origin_or_when_told_so_there_is_no_hsts_or_redirect(tmp_path, monkeypatch):
    plain = read_settings(monkeypatch, ["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"], CHISO_VAR_DIR=str(tmp_path),
                          **dict(PRODUCTION, CHISO_CSRF_TRUSTED_ORIGINS="http://chiso.internal"))
    assert plain == {"SECURE_HSTS_SECONDS": 0, "SECURE_SSL_REDIRECT": False}
    told = read_settings(monkeypatch, ["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"], CHISO_VAR_DIR=str(tmp_path),
                         CHISO_HTTPS_REDIRECT="0", CHISO_HSTS_SECONDS="600", **PRODUCTION)
    assert told == {"SECURE_HSTS_SECONDS": 600, "SECURE_SSL_REDIRECT": False}


def test_the_deployment_check_passes_with_production_settings(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PYTEST", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))}
    clean.update(PRODUCTION, CHISO_VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT / "src"))
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            capture_output=True, text=True, env=clean, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cache_comes_from_chiso_cache_url(tmp_path, monkeypatch):
    names = ["CACHES"]
    embedded = read_settings(monkeypatch, names, CHISO_VAR_DIR=str(tmp_path), **PRODUCTION)["CACHES"]
    assert embedded["default"]["BACKEND"].endswith("FileBasedCache") and embedded["default"]["LOCATION"] == str(tmp_path / "cache")
    assert embedded["local"]["BACKEND"].endswith("LocMemCache")  # each process's own copies, by name
    redis = read_settings(monkeypatch, names, CHISO_VAR_DIR=str(tmp_path), CHISO_CACHE_URL="redis://cache.internal:6379/1", **PRODUCTION)["CACHES"]
    assert redis["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["default"]["LOCATION"] == "redis://cache.internal:6379/1"
    database = read_settings(monkeypatch, names, CHISO_VAR_DIR=str(tmp_path), CHISO_CACHE_URL="db://chiso_cache", **PRODUCTION)["CACHES"]
    assert database["default"] == {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "chiso_cache"}
