"""STORAGE_URL and the AWS_* variables choose where report files live (config/storage.py)."""

import pytest

from config.storage import FILESYSTEM, S3, StorageUrlError, default_storage

pytestmark = pytest.mark.pure


def test_without_a_storage_setting_files_go_to_the_media_folder():
    assert default_storage({}) == {"BACKEND": FILESYSTEM}


def test_a_storage_url_names_the_server_bucket_region_and_keys():
    chosen = default_storage(
        {"STORAGE_URL": "s3://AKIA:se%2Fcret@seaweedfs:8333/maturity?region=eu-west-1&secure=false"}
    )
    options = chosen["OPTIONS"]
    assert chosen["BACKEND"] == S3
    assert options["endpoint_url"] == "http://seaweedfs:8333"
    assert (options["bucket_name"], options["location"]) == ("maturity", "")
    assert (options["access_key"], options["secret_key"]) == ("AKIA", "se/cret")
    assert options["region_name"] == "eu-west-1"
    # Private objects; a signed link lives a minute at most.
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True and options["querystring_expire"] == 60


def test_a_storage_url_without_a_host_is_aws_with_the_credential_chain():
    options = default_storage({"STORAGE_URL": "s3:///maturity/reports-prod?region=eu-central-1"})[
        "OPTIONS"
    ]
    assert options["endpoint_url"] is None and "access_key" not in options
    assert (options["bucket_name"], options["location"]) == ("maturity", "reports-prod")


def test_https_unless_told_otherwise():
    options = default_storage({"STORAGE_URL": "s3://k:s@minio.internal:9000/b"})["OPTIONS"]
    assert options["endpoint_url"] == "https://minio.internal:9000"


def test_the_usual_aws_variables_select_a_bucket_too():
    options = default_storage(
        {
            "AWS_STORAGE_BUCKET_NAME": "maturity-files",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    )["OPTIONS"]
    assert options["bucket_name"] == "maturity-files"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")


def test_a_file_url_is_a_folder():
    assert default_storage({"STORAGE_URL": "file:///srv/maturity/media"}) == {
        "BACKEND": FILESYSTEM,
        "OPTIONS": {"location": "/srv/maturity/media"},
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/bucket", "must start with s3:// or file://"),
        ("s3://key:secret@host:9000/", "names no bucket"),
    ],
)
def test_a_wrong_storage_url_says_what_is_wrong(url, message):
    with pytest.raises(StorageUrlError, match=message):
        default_storage({"STORAGE_URL": url})
