"""Backup and restore of all the product's state: the database and the report file storage (a
folder or an S3-compatible bucket). Redis holds nothing that is not in the database (a cache,
and broker messages that the sweeps publish again), so it is not part of a backup.

A backup is a directory:

- `database.dump`: `pg_dump` in custom format, taken in a snapshot exported from a REPEATABLE
  READ transaction, in which the row counts and the file names rows refer to are read too (so
  they describe exactly the dump); `database.sqlite3` for the embedded SQLite default;
- `files/`: a copy of every stored file (the bucket's objects, or the media folder), copied
  after the snapshot: a file a row of the dump refers to and the storage lost meanwhile is
  listed in the manifest as missing;
- `manifest.json`: when, from where, the row count of every table, the files' count and bytes.

`restore` refuses a database that has any table, and a storage that holds any file: it only
fills an empty one, then checks the row counts and the files against the manifest.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, models

from apps.core import filestore

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"


class BackupError(Exception):
    """Something a person must fix; the message says what."""


@dataclass
class Snapshot:
    tables: dict[str, int] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)  # file names rows of the dump refer to


# --- The database


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every model field that names a stored file."""
    return [
        (model._meta.db_table, f.column)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    ]


def _read_snapshot(cursor, table_names, quote) -> Snapshot:
    snapshot = Snapshot()
    for table in sorted(table_names):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # names from the catalog
        snapshot.tables[table] = cursor.fetchone()[0]
    for table, column in _file_columns():
        if table in snapshot.tables:
            cursor.execute(
                f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"
            )
            snapshot.referenced.update(row[0] for row in cursor.fetchall())
    return snapshot


def _pg_settings(alias: str = "default") -> dict:
    return connections[alias].settings_dict


def _pg_env(config: dict) -> dict:
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return env


def _pg_args(config: dict) -> list[str]:
    args = []
    if config.get("HOST"):
        args += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", str(config["USER"])]
    return args


def _pg_connect(config: dict):
    import psycopg

    return psycopg.connect(
        dbname=config["NAME"],
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        connect_timeout=10,
    )


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _run(command: list[str], env: dict, what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client of the server's major "
            "version (apt-get install postgresql-client)."
        )
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _pg_backup(target: Path) -> Snapshot:
    import psycopg

    config = _pg_settings()
    quote = _pg_quote
    with _pg_connect(config) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            # pg_dump reads the very snapshot this transaction sees, while it stays open.
            _run(
                [
                    "pg_dump",
                    *_pg_args(config),
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={target / PG_DUMP}",
                    config["NAME"],
                ],
                _pg_env(config),
                "pg_dump",
            )
            return _read_snapshot(cursor, _pg_tables(cursor), quote)


def _pg_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [row[0] for row in rows]


def _sqlite_backup(target: Path) -> Snapshot:
    source = sqlite3.connect(_pg_settings()["NAME"])
    copy = sqlite3.connect(target / SQLITE_COPY)
    try:
        source.backup(copy)  # SQLite's online backup: a consistent copy
    finally:
        source.close()
    try:
        return _read_snapshot(copy.cursor(), _sqlite_tables(copy), _pg_quote)
    finally:
        copy.close()


def _vendor() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


# --- The file storage


def stored_names(storage=None) -> list[str]:
    """Every file in the storage (the bucket under its prefix, or the media folder)."""
    storage = storage or default_storage
    names: list[str] = []

    def walk(path: str) -> None:
        try:
            folders, files = storage.listdir(path)
        except FileNotFoundError:
            return
        names.extend(f"{path}/{name}" if path else name for name in files)
        for folder in folders:
            walk(f"{path}/{folder}" if path else folder)

    walk("")
    return sorted(names)


def _storage_kind(storage) -> str:
    return "bucket" if hasattr(storage, "bucket_name") else "folder"


# --- Backup


def backup(target: Path) -> dict:
    """Write a backup into `target` (a new or empty directory); returns its manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new directory.")
    vendor = _vendor()
    (target / FILES).mkdir(parents=True)
    started = datetime.now(UTC)
    snapshot = _pg_backup(target) if vendor == "postgresql" else _sqlite_backup(target)

    copied, size = [], 0
    for name in stored_names():
        destination = target / FILES / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            with default_storage.open(name, "rb") as stored, destination.open("wb") as out:
                shutil.copyfileobj(stored, out, 1024 * 1024)
        except FileNotFoundError:
            continue  # deleted since it was listed (retention): the dump may still name it
        except Exception as error:
            raise BackupError(
                f"Copying {name} failed: {filestore.describe(error, default_storage)}"
            ) from error
        copied.append(name)
        size += destination.stat().st_size
    missing = sorted(snapshot.referenced - set(copied))
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "database": {
            "vendor": vendor,
            "file": PG_DUMP if vendor == "postgresql" else SQLITE_COPY,
            "tables": snapshot.tables,
            "rows": sum(snapshot.tables.values()),
        },
        "files": {
            "from": filestore.where(default_storage),
            "kind": _storage_kind(default_storage),
            "objects": len(copied),
            "bytes": size,
            "referenced": len(snapshot.referenced),
            "missing": missing,
        },
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


# --- Restore


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')}, expected {FORMAT}.")
    return manifest


def _database_tables(vendor: str) -> list[str]:
    config = _pg_settings()
    if vendor == "postgresql":
        with _pg_connect(config) as conn, conn.cursor() as cursor:
            return _pg_tables(cursor)
    if not Path(config["NAME"]).exists():
        return []
    conn = sqlite3.connect(config["NAME"])
    try:
        return _sqlite_tables(conn)
    finally:
        conn.close()


def _current_snapshot(vendor: str) -> Snapshot:
    config = _pg_settings()
    if vendor == "postgresql":
        with _pg_connect(config) as conn, conn.cursor() as cursor:
            return _read_snapshot(cursor, _pg_tables(cursor), _pg_quote)
    conn = sqlite3.connect(config["NAME"])
    try:
        return _read_snapshot(conn.cursor(), _sqlite_tables(conn), _pg_quote)
    finally:
        conn.close()


def check_empty(vendor: str) -> None:
    """Refuse to restore over anything: the database has no table, the storage no file."""
    name = _pg_settings()["NAME"]
    tables = sorted(_database_tables(vendor))
    if tables:
        raise BackupError(
            f"The database {name} is not empty: it has {len(tables)} tables "
            f"({', '.join(tables[:3])}{', …' if len(tables) > 3 else ''}). "
            "Restore only into an empty database: "
            + (
                "create a new one (createdb) and point DATABASE_URL at it."
                if vendor == "postgresql"
                else "point DATABASE_URL at a new file."
            )
        )
    try:
        existing = stored_names()
    except Exception as error:
        raise BackupError(filestore.describe(error, default_storage)) from error
    if existing:
        raise BackupError(
            f"The file storage ({filestore.where(default_storage)}) is not empty: it holds "
            f"{len(existing)} files ({existing[0]}, …). "
            "Restore only into an empty bucket or folder."
        )


def restore(source: Path) -> dict:
    """Fill the empty database and storage from the backup in `source`; returns what was
    restored, checked against the manifest (BackupError on any difference)."""
    source = Path(source)
    manifest = read_manifest(source)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['database']['vendor']} database; DATABASE_URL points "
            f"at {vendor}."
        )
    check_empty(vendor)
    dump = source / manifest["database"]["file"]
    connections["default"].close()
    if vendor == "postgresql":
        config = _pg_settings()
        _run(
            [
                "pg_restore",
                *_pg_args(config),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={config['NAME']}",
                str(dump),
            ],
            _pg_env(config),
            "pg_restore",
        )
    else:
        copy = sqlite3.connect(dump)
        into = sqlite3.connect(_pg_settings()["NAME"])
        try:
            copy.backup(into)
        finally:
            copy.close()
            into.close()

    files = source / FILES
    restored = []
    for path in sorted(p for p in files.rglob("*") if p.is_file()):
        name = path.relative_to(files).as_posix()
        with path.open("rb") as handle:
            try:
                saved = default_storage.save(name, File(handle, name=name))
            except Exception as error:
                raise BackupError(
                    f"Storing {name} failed: {filestore.describe(error, default_storage)}"
                ) from error
        if saved != name:
            raise BackupError(f"The storage stored {name} as {saved}: is it really empty?")
        restored.append(name)

    snapshot = _current_snapshot(vendor)
    differences = [
        f"{table}: {rows} rows in the backup, {snapshot.tables.get(table)} restored"
        for table, rows in manifest["database"]["tables"].items()
        if snapshot.tables.get(table) != rows
    ]
    if len(restored) != manifest["files"]["objects"]:
        differences.append(
            f"files: {manifest['files']['objects']} in the backup, {len(restored)} restored"
        )
    if differences:
        raise BackupError("The restore differs from the backup: " + "; ".join(differences))
    return {
        "tables": len(snapshot.tables),
        "rows": sum(snapshot.tables.values()),
        "files": len(restored),
        "missing": manifest["files"]["missing"],
        "to": filestore.where(default_storage),
    }
