"""The embedded default (`make run`: SQLite and the media folder) backs up and restores too."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The live database: migrated, with one account (`createsuperuser --noinput`).
SET_UP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("createsuperuser", interactive=False, email="ops@example.com")
"""


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_sqlite_and_the_media_folder_round_trip(tmp_path):
    base = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "CELERY_FILESYSTEM_BROKER_DIR": str(tmp_path / "broker"),
        "DJANGO_SUPERUSER_PASSWORD": "a-long-enough-password",
    }
    live = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}"}
    live["MEDIA_ROOT"] = str(tmp_path / "media")
    made = manage("shell", "-c", SET_UP, env=live)  # one process: a Django start costs seconds
    assert made.returncode == 0, made.stderr
    report = tmp_path / "media" / "reports" / "2026" / "11" / "acme-round-1.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(b"%PDF-1.7 a report")

    done = manage("backup", str(tmp_path / "backup"), env=live)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["database"]["tables"] == counts(tmp_path / "live.sqlite3")
    assert manifest["database"]["tables"]["accounts_user"] == 1
    assert (manifest["files"]["kind"], manifest["files"]["objects"]) == ("folder", 1)

    restored = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}
    restored["MEDIA_ROOT"] = str(tmp_path / "restored-media")
    done = manage("restore", str(tmp_path / "backup"), env=restored)
    assert done.returncode == 0, done.stderr
    assert counts(tmp_path / "restored.sqlite3") == manifest["database"]["tables"]
    copy = tmp_path / "restored-media" / "reports" / "2026" / "11" / "acme-round-1.pdf"
    assert copy.read_bytes() == b"%PDF-1.7 a report"

    again = manage("restore", str(tmp_path / "backup"), env=restored)
    assert again.returncode != 0
    assert "restored.sqlite3 is not empty" in again.stderr
    assert "point DATABASE_URL at a new file" in again.stderr
