"""Before the tests run: PostgreSQL and Redis must answer, or we say so in one line. Only the
`pure` tests (`make test-fast`) run without them, and they may not ask for a database."""

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


# Fixtures through which a test reaches the database; a pure test may use none of them.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def _impure(item) -> bool:
    return bool(item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames))


def pytest_collection_finish(session):
    """After selection (`-m pure`, `-k`, paths): the servers are needed unless every test left
    is pure. A test marked pure that asks for the database stops the run here."""
    pure = [item for item in session.items if item.get_closest_marker("pure")]
    wrong = [item.nodeid for item in pure if _impure(item)]
    if wrong:
        pytest.exit(f"Tests marked pure use the database: {', '.join(wrong)}", returncode=4)
    if len(pure) == len(session.items):
        return
    problem = _unreachable()
    if problem:
        pytest.exit(problem, returncode=3)
