"""Before the suite starts: PostgreSQL and Redis must answer, or we say so in one line."""

import os

import pytest


def _unreachable() -> str | None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        return "DATABASE_URL must point at PostgreSQL for the tests (run them with `make test`)."
    try:
        import psycopg

        # Connect to the server's maintenance database: the test database does not exist yet.
        conninfo = psycopg.conninfo.conninfo_to_dict(
            database_url.replace("postgres://", "postgresql://", 1)
        )
        conninfo["dbname"] = "postgres"
        psycopg.connect(**conninfo, connect_timeout=3).close()
    except Exception as error:
        return (
            f"PostgreSQL is unreachable at {database_url} ({type(error).__name__}). Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    try:
        import redis

        redis.Redis.from_url(
            redis_url or "redis://127.0.0.1:6379/15", socket_connect_timeout=3
        ).ping()
    except Exception as error:
        return (
            f"Redis is unreachable at {redis_url} ({type(error).__name__}). Start it with: "
            'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
        )
    return None


def pytest_sessionstart(session):
    problem = _unreachable()
    if problem:
        pytest.exit(problem, returncode=3)
