"""`manage.py storage_check`: docker-compose's one-shot `bucket` service creates the bucket and
proves it takes a write before any app container starts."""

import secrets
import shutil
import subprocess
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from config.settings import BASE_DIR


def test_a_missing_bucket_is_named_and_created_when_asked(settings, s3_server):
    bucket = f"maturity-check-{secrets.token_hex(4)}"
    settings.STORAGES = s3_server.storages(settings.STORAGES, bucket)
    with pytest.raises(CommandError, match=f"The bucket '{bucket}' does not exist"):
        call_command("storage_check")
    out = StringIO()
    call_command("storage_check", "--create-bucket", stdout=out)
    assert out.getvalue() == f"Storage OK: the bucket '{bucket}' at {s3_server.endpoint}\n"
    assert s3_server.keys(bucket) == []  # the probe file is gone again
    call_command("storage_check", "--create-bucket", stdout=StringIO())  # a second start: fine


def test_wrong_credentials_are_named(settings, s3_server, s3_bucket):
    storages = s3_server.storages(settings.STORAGES, s3_bucket)
    storages["default"]["OPTIONS"]["secret_key"] = "not-the-secret"
    settings.STORAGES = storages
    with pytest.raises(CommandError, match="The storage server refused access to the bucket"):
        call_command("storage_check")


def test_the_folder_is_checked_too(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("storage_check", stdout=out)
    assert out.getvalue() == f"Storage OK: the folder {tmp_path}\n"


@pytest.fixture(scope="module")
def compose():
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (.ci/run installs it)")
    rendered = subprocess.run(
        ["docker-compose", "config"],
        cwd=BASE_DIR,
        env={"DJANGO_SECRET_KEY": "x", "S3_SECRET_KEY": "s3-secret", "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return yaml.safe_load(rendered)["services"]


APP = ("web", "worker", "account-worker", "beat", "migrate", "bucket")


@pytest.mark.pure
def test_in_compose_no_app_container_shares_a_disk_and_reports_go_to_the_bucket(compose):
    for name in APP:
        assert not compose[name].get("volumes"), f"{name} mounts a volume"
        assert compose[name]["environment"]["STORAGE_URL"] == (
            "s3://maturity:s3-secret@s3:8333/maturity?region=us-east-1&secure=false"
        ), name
        assert "MEDIA_ROOT" not in compose[name]["environment"], name
    s3 = compose["s3"]
    assert s3["image"].startswith("chrislusf/seaweedfs")
    assert s3["environment"]["AWS_SECRET_ACCESS_KEY"] == "s3-secret"
    assert not s3.get("ports"), "the bucket's server is reachable by the app containers only"
    assert compose["bucket"]["command"][2:4] == ["storage_check", "--create-bucket"]
    for name in ("web", "worker"):  # they start once the bucket exists
        assert compose[name]["depends_on"]["bucket"]["condition"] == (
            "service_completed_successfully"
        )
