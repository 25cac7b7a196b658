"""Every model change has its migration: the kept test schema (tests/conftest.py) is keyed by the
migration files, and a deployment builds its tables from them alone."""

import pytest


@pytest.mark.django_db
def test_no_model_change_is_without_its_migration(manage):
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
