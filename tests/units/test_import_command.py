"""`manage.py import_units` as a shell script sees it."""


def test_import_units_command_exit_status(tmp_path):
    """The real exit status of `manage.py import_units`, as a shell script would see it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "CHISO_DEBUG": "1", "CHISO_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # a throw-away SQLite database of its own
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("code,name_vi,block\nS-A,Sở A,department\n", encoding="utf-8")
    bad.write_text("code,name_vi,block\nS-B,Sở B,nowhere\n", encoding="utf-8")
    ok = subprocess.run([sys.executable, "manage.py", "import_units", str(good)], cwd=root, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    failed = subprocess.run([sys.executable, "manage.py", "import_units", str(bad)], cwd=root, env=env, capture_output=True, text=True)
    assert failed.returncode != 0
    assert "bad.csv" in failed.stderr and "nowhere" in failed.stderr and "Traceback" not in failed.stderr
