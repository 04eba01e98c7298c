from tests.storage.conftest import s3_bucket, s3_server  # noqa: F401 -- one SeaweedFS per session
