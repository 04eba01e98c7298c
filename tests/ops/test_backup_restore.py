"""`make backup` / `make restore`: the demo, with more answers and reports in a real bucket,
backed up, restored into a fresh database (on the same PostgreSQL server, created and dropped
here) and a fresh bucket, and found intact by other processes: every round recomputes without
a difference, every report downloads through the gate byte for byte, every table has the rows
the manifest counted, and the jobs that were in flight are published again by the sweep."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.demo.seed import seed_demo
from apps.reports import services
from apps.reports.models import Report, ReportScope, ReportStatus
from apps.scoring.services import round_recompute_differences
from apps.surveys.models import Round
from tests.scenarios import answer_and_submit

ROOT = Path(__file__).resolve().parents[2]


def server_dsn(dbname: str) -> dict:
    settings = connection.settings_dict
    return {
        "dbname": dbname,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }


@pytest.fixture
def fresh_database():
    """A new, empty database on the test server, dropped afterwards (only this one)."""
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(3)}"
    with psycopg.connect(**server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    settings = connection.settings_dict
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    yield name, f"postgres://{auth}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"
    with psycopg.connect(**server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def table_counts(dbname: str) -> dict[str, int]:
    with psycopg.connect(**server_dsn(dbname)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_bucket_with_every_result_intact(
    settings, s3_server, fresh_database, tmp_path
):
    bucket = s3_server.new_bucket("maturity-live")
    settings.STORAGES = s3_server.storages(settings.STORAGES, bucket)
    organization = seed_demo()
    # More answers: everyone invited to the open rounds who has not submitted does so now.
    open_rounds = Round.objects.filter(team__organization=organization, status="open")
    submitted = 0
    for round_ in open_rounds:
        for participant in round_.participants.exclude(response__status="submitted")[:2]:
            answer_and_submit(participant, 2)
            submitted += 1
    assert submitted >= 2
    # Reports in the bucket (built inline after commit), and one job still queued (in flight).
    owner = organization.memberships.get(user__email="owner@contoso.example").user
    closed = Round.objects.filter(team__organization=organization, status="closed")
    team = closed.first().team
    services.report_request(scope=ReportScope.ORGANIZATION, obj=organization, requested_by=owner)
    services.report_request(scope=ReportScope.TEAM, obj=team, requested_by=owner)
    services.report_request(scope=ReportScope.ROUND, obj=closed.last(), requested_by=owner)
    ready = set(Report.objects.filter(status=ReportStatus.READY).values_list("file", flat=True))
    assert len(ready) == 3 and ready <= set(s3_server.keys(bucket))
    in_flight = Report.objects.filter(status=ReportStatus.READY).first()
    Report.objects.filter(pk=in_flight.pk).update(status=ReportStatus.QUEUED)

    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["tables"] == table_counts(connection.settings_dict["NAME"])
    assert manifest["database"]["tables"]["reports_report"] == 3
    assert manifest["files"]["objects"] == 3 and manifest["files"]["missing"] == []
    assert (backup / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restored_name, restored_url = fresh_database
    restored_bucket = s3_server.new_bucket("maturity-restored")
    env = {
        **os.environ,
        "DATABASE_URL": restored_url,
        "STORAGE_URL": s3_server.url(restored_bucket),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = manage("manage.py", "restore", str(backup), env=env)
    assert done.returncode == 0, done.stderr
    assert "they match the manifest" in done.stdout
    assert table_counts(restored_name) == manifest["database"]["tables"]

    # Another process, on the restored database and bucket only.
    checked = manage("-m", "tests.ops.restored_check", str(backup), env=env)
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.splitlines()[-1])
    # A closed round recomputes to its stored snapshot; an open one has no snapshot yet, and
    # says the same about it as the original database does.
    assert len(result["rounds"]) == Round.objects.count()
    for round_ in Round.objects.select_related("bank"):
        restored = result["rounds"][str(round_.public_id)]
        assert restored["status"] == round_.status
        if round_.status == "closed":
            assert restored["differences"] == [], round_
        else:
            assert restored["differences"][:-1] == round_recompute_differences(round_), round_
    assert closed.count() >= 40
    assert len(result["downloads"]) == 2  # the third was in flight
    assert all(d == {"status": 200, "pdf": True, "same_as_backup": True}
               for d in result["downloads"].values()), result["downloads"]  # fmt: skip
    assert result["republished"] == [str(in_flight.public_id)]
    assert sorted(s3_server.keys(restored_bucket)) == sorted(s3_server.keys(bucket))

    # Once more into the same database: refused, saying why; nothing is touched.
    again = manage("manage.py", "restore", str(backup), env=env)
    assert again.returncode != 0
    assert f"The database {restored_name} is not empty" in again.stderr
    assert "Restore only into an empty database" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_storage_that_already_holds_files(
    settings, s3_server, fresh_database, tmp_path
):
    settings.STORAGES = s3_server.storages(settings.STORAGES, s3_server.new_bucket("maturity-a"))
    call_command("backup", str(tmp_path / "backup"))
    busy = s3_server.new_bucket("maturity-busy")
    s3_server.client().put_object(Bucket=busy, Key="reports/2026/11/left-over.pdf", Body=b"%PDF")
    _, restored_url = fresh_database
    env = {**os.environ, "DATABASE_URL": restored_url, "STORAGE_URL": s3_server.url(busy)}
    done = manage("manage.py", "restore", str(tmp_path / "backup"), env=env)
    assert done.returncode != 0
    assert "is not empty: it holds 1 files (reports/2026/11/left-over.pdf" in done.stderr


def test_a_backup_goes_into_a_new_directory_only(tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="is not empty: back up into a new directory"):
        call_command("backup", str(tmp_path))
    with pytest.raises(CommandError, match=r"is not a backup: it has no manifest\.json"):
        call_command("restore", str(tmp_path))
