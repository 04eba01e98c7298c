"""The app as it runs in production, in child processes: gunicorn, a Celery worker, a Redis
server and a PostgreSQL server of its own, and a TCP proxy in front of PostgreSQL that can cut
every connection."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
from django.db import connection

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, message: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s: {message}")


def app_env(tmp_path, *, database_port: int = 5432, redis_url: str | None = None) -> dict:
    """Production-like settings for the child processes, on the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{database_port}/{db['NAME']}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "test-only-not-secret"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "EMAIL_URL": "outbox://",
        "EMAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "JOB_REQUEUE_GRACE_SECONDS": "0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return env


class Process:
    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.process = None

    def start(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=ROOT,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Gunicorn(Process):
    def __init__(self, env: dict, tmp_path: Path, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [str(BIN / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{self.port}"]
        args += ["-w", str(workers), "--timeout", "30", "--graceful-timeout", "2"]
        super().__init__(args, env, tmp_path / "gunicorn.log")

    def start(self):
        super().start()

        def answers():
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2)
                return True
            except urllib.error.HTTPError:
                return True  # it answers, even if with 503
            except OSError:
                return False

        wait_until(answers, 30, f"gunicorn did not start; see {self.log}")
        return self

    def processes(self) -> set[int]:
        """The master's and its workers' process ids (Linux)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return {pid, *map(int, children)}


class CeleryWorker(Process):
    def __init__(self, env: dict, tmp_path: Path):
        from apps.core.jobs import ALL_QUEUES

        args = [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo"]
        args += ["-Q", ",".join(ALL_QUEUES)]
        args += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
        super().__init__(args, env, tmp_path / "worker.log")


def celery_call(task: str, env: dict) -> None:
    """Publish one task message, as celery beat does on its schedule."""
    subprocess.run(
        [str(BIN / "celery"), "-A", "config", "call", task],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )


class PrivateRedis:
    """A Redis server of the test's own, which the test can stop and start again."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = tmp_path / "redis.log"
        self.process = None

    def start(self):
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--logfile", str(self.log)]
        self.process = subprocess.Popen(args, start_new_session=True)
        wait_until(self._answers, 10, "redis-server did not start")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        wait_until(lambda: not self._answers(), 5, "redis-server did not stop")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def postgresql_bin() -> Path | None:
    """The newest installed PostgreSQL server's binaries (Debian: /usr/lib/postgresql/N/bin)."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    return Path(max(found, key=lambda path: int(Path(path).parts[-3]))).parent


class PrivatePostgres:
    """A PostgreSQL server of the test's own, in a temporary directory on a free port, which the
    test can stop and start again without disturbing anyone else's server. `copy_database`
    loads a database from another server into it; `values` reads it."""

    def __init__(self, tmp_path: Path):
        self.bin = postgresql_bin()
        self.kept_log = tmp_path / "postgresql.log"
        self.port = free_port()
        # Not under pytest's tmp_path: its parent is private to root, and the server runs as
        # the postgres user (initdb refuses to run as root).
        self.dir = Path(tempfile.mkdtemp(prefix="maturity-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"

    def _run(self, tool: str, *args: str, password: str = "") -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        command = [*as_postgres, str(self.bin / tool), *args]
        env = {**os.environ, "PGPASSWORD": password} if password else None
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode:
            output = done.stderr or done.stdout
            raise AssertionError(f"{tool} failed: {output} (server log: {self.kept_log})")

    def init(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        settings = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.dir}'",
            "fsync = off",
        ]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        return self

    def start(self):
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30")
        return self

    def stop(self):
        """A fast shutdown: every session is ended at once, as in a restart or failover."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "30")

    def copy_database(self, source: dict) -> None:
        """Copy a database (Django's settings_dict of its server) into a database of the same
        name here, schema, triggers and rows."""
        name, user = source["NAME"], source["USER"] or "postgres"
        host = ["-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432)]
        here = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        if user != "postgres":  # the app connects as the source's user
            self._run("createuser", *here, "--superuser", user)
        self._run("createdb", *here, name)
        dump = self.dir / "dump"
        self._run(
            "pg_dump", *host, "-U", user, "-Fc", "-f", str(dump), name, password=source["PASSWORD"]
        )
        self._run("pg_restore", *here, "--no-owner", "--exit-on-error", "-d", name, str(dump))

    def values(self, queryset) -> list:
        """Runs a `values_list(..., flat=True)` query on the copied database here. (Django's test
        case lets the test's connections reach only the test database.)"""
        sql, params = queryset.query.sql_with_params()
        name = connection.settings_dict["NAME"]
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name) as db:
            return [row[0] for row in db.execute(sql, params)]

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError):
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        if self.log.exists():
            shutil.copyfile(self.log, self.kept_log)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.init().start()

    def __exit__(self, *exc):
        self.remove()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class TcpProxy:
    """Forwards a local port to PostgreSQL. `cut()` closes every connection and refuses new
    ones, which is what the app sees while PostgreSQL restarts; `restore()` listens again."""

    def __init__(self, target_port: int = 5432):
        self.port = free_port()
        self.target = ("127.0.0.1", target_port)
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.listener = None

    def restore(self):
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()
        return self

    def cut(self):
        listener, self.listener = self.listener, None
        _shut(listener)  # wakes the thread blocked in accept()
        listener.close()
        with self.lock:
            for sock in self.sockets:
                _shut(sock)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                _shut(sock)

    def __enter__(self):
        return self.restore()

    def __exit__(self, *exc):
        if self.listener is not None:
            self.cut()
