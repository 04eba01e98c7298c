"""Where report files live, read from the environment: a local folder (the embedded default) or an
S3-compatible bucket through django-storages (AWS S3, MinIO, SeaweedFS, Ceph, R2 ...).

- `STORAGE_URL=s3://KEY:SECRET@HOST:PORT/BUCKET?region=eu-west-1&secure=false` names a bucket on
  an S3-compatible server (`secure=false`: plain http, for a server on a private network; a key
  or secret holding `/`, `@` or `:` is percent-encoded). `s3:///BUCKET?region=…` (no host) is
  AWS itself, with the credentials from the usual chain (an instance or task role).
- Without `STORAGE_URL`, `AWS_STORAGE_BUCKET_NAME` selects S3 with the usual `AWS_*` variables
  (`AWS_S3_ENDPOINT_URL`, `AWS_S3_REGION_NAME`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
- Neither: the folder `MEDIA_ROOT`. `STORAGE_URL=file:///srv/maturity/media` says so explicitly.

Files are never public: the bucket is private (no ACL is set on objects), and downloads go
through the permission-checked view, which streams the object or (`STORAGE_PRESIGNED_DOWNLOADS`)
redirects to a URL signed for at most 60 seconds.
"""

from urllib.parse import parse_qs, unquote, urlsplit

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
# Links signed by the bucket live this long (seconds), as apps/core/filestore.py's download links.
PRESIGNED_SECONDS = 60
_TRUE = {"1", "true", "yes", "on"}


class StorageUrlError(ValueError):
    pass


def _client_config():
    """Fail fast when the bucket's server is away: a job fails with a readable message (and can
    be retried) instead of a worker waiting minutes on a dead address."""
    from botocore.config import Config

    return Config(
        connect_timeout=3,
        read_timeout=30,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"},
        signature_version="s3v4",
    )


def _s3_options(
    *, bucket, endpoint_url=None, region=None, access_key=None, secret_key=None, prefix=""
) -> dict:
    if not bucket:
        raise StorageUrlError("The storage URL names no bucket: s3://key:secret@host/BUCKET")
    options = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "region_name": region or None,
        "endpoint_url": endpoint_url or None,
        "default_acl": None,  # private: the bucket's own policy, never public-read
        "querystring_auth": True,
        "querystring_expire": PRESIGNED_SECONDS,
        "file_overwrite": False,  # as the folder does: a second file by a name gets another
        "client_config": _client_config(),
    }
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = secret_key or ""
    return options


def default_storage(environ) -> dict:
    """The STORAGES["default"] entry for this environment (see the module's docstring)."""
    url = (environ.get("STORAGE_URL") or "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme == "file":
            return {"BACKEND": FILESYSTEM, "OPTIONS": {"location": unquote(parts.path)}}
        if parts.scheme != "s3":
            raise StorageUrlError(
                f"STORAGE_URL must start with s3:// or file://, not {parts.scheme or 'nothing'}://"
            )
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        secure = query.get("secure", "true").lower() in _TRUE
        endpoint = None
        if parts.hostname:
            port = f":{parts.port}" if parts.port else ""
            endpoint = f"{'https' if secure else 'http'}://{parts.hostname}{port}"
        bucket, _, prefix = parts.path.lstrip("/").partition("/")
        return {
            "BACKEND": S3,
            "OPTIONS": _s3_options(
                bucket=bucket,
                prefix=prefix,
                endpoint_url=endpoint,
                region=query.get("region"),
                access_key=unquote(parts.username) if parts.username else None,
                secret_key=unquote(parts.password) if parts.password else None,
            ),
        }
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if bucket:
        return {
            "BACKEND": S3,
            "OPTIONS": _s3_options(
                bucket=bucket,
                prefix=environ.get("AWS_LOCATION", ""),
                endpoint_url=environ.get("AWS_S3_ENDPOINT_URL"),
                region=environ.get("AWS_S3_REGION_NAME") or environ.get("AWS_DEFAULT_REGION"),
                access_key=environ.get("AWS_ACCESS_KEY_ID"),
                secret_key=environ.get("AWS_SECRET_ACCESS_KEY"),
            ),
        }
    return {"BACKEND": FILESYSTEM}  # MEDIA_ROOT, read when used (tests point it elsewhere)
