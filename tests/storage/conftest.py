import pytest


@pytest.fixture
def in_bucket(settings, s3_server, s3_bucket, tmp_path):
    """Report files go to the bucket; MEDIA_ROOT points at an empty folder that must stay so."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = s3_server.storages(settings.STORAGES, s3_bucket)
    return s3_bucket
