"""What the benchmark scripts share: the PostgreSQL database each one seeds, created when it is
not there yet."""

import os


def ensure_database() -> None:
    """Create the database that DATABASE_URL names, unless it exists (the script then migrates
    and seeds it)."""
    import psycopg

    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.pop("dbname")
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
