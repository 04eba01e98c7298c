import pytest

from tests.storage import server as s3


@pytest.fixture(scope="session")
def s3_server():
    """One SeaweedFS for the test session, on free ports in its own temporary folder."""
    server = s3.start()
    yield server
    s3.stop(server)


@pytest.fixture(scope="session")
def s3_bucket(s3_server):
    """This run's bucket (a fresh name each run)."""
    return s3_server.new_bucket()


@pytest.fixture
def in_bucket(settings, s3_server, s3_bucket, tmp_path):
    """Report files go to the bucket; MEDIA_ROOT points at an empty folder that must stay so."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = s3_server.storages(settings.STORAGES, s3_bucket)
    return s3_bucket
