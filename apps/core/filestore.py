"""Stored files (a local folder or an S3-compatible bucket, config/storage.py): saving with a
readable failure, deleting, and the download response a view returns once its gate has passed."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpResponseRedirect

log = logging.getLogger(__name__)

# A presigned download link is valid this long (seconds): issued after the gate, used at once.
# (config/storage.py signs any other link of the bucket for as long.)
PRESIGNED_SECONDS = 60


class StorageFailed(Exception):
    """The file storage refused or did not answer; `message` says so to a person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FileGone(Http404):
    """The row names a file the storage no longer has (deleted by hand, or a partial restore)."""

    message = "This report's file is no longer in the file storage. Ask for the report again."


def _is_object_storage(storage) -> bool:
    return hasattr(storage, "bucket_name")


def _error_code(error: Exception) -> str:
    """An S3 error's code (NoSuchBucket, AccessDenied, 404 ...); empty for any other error."""
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def describe(error: Exception, storage) -> str:
    """What went wrong with the storage, in words a lead can act on."""
    where = (
        f"the bucket {storage.bucket_name!r}" if _is_object_storage(storage) else "the file folder"
    )
    code = _error_code(error)
    if code in ("NoSuchBucket", "404"):
        return f"{where.capitalize()} does not exist on the storage server."
    if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
        return f"The storage server refused access to {where} ({code})."
    name = type(error).__name__
    if "Connect" in name or "Timeout" in name or isinstance(error, ConnectionError | TimeoutError):
        return f"The storage server holding {where} did not answer."
    if isinstance(error, OSError) and not _is_object_storage(storage):
        return f"The file could not be written to {where} ({error.strerror or name})."
    return f"Storing the file in {where} failed ({name}: {error})."


def save(storage, name: str, data: bytes) -> str:
    """Store `data` under `name` (or the free name the storage picks); StorageFailed if not."""
    try:
        return storage.save(name, ContentFile(data))
    except Exception as error:
        log.warning("Could not store %s.", name, exc_info=True)
        raise StorageFailed(describe(error, storage)) from error


def delete(storage, names) -> list[str]:
    """Remove these files; one already gone is fine. Returns the names that could not be removed
    (logged), so a caller may keep their rows and try again later."""
    failed = []
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:
            log.warning("Could not delete the stored file %s.", name, exc_info=True)
            failed.append(name)
    return failed


def where(storage) -> str:
    """The storage in words: "the bucket 'maturity' at http://s3:8333" or "the folder /srv/…"."""
    if _is_object_storage(storage):
        endpoint = storage.endpoint_url or "AWS S3"
        return f"the bucket {storage.bucket_name!r} at {endpoint}"
    return f"the folder {storage.location}"


def check(storage, *, create_bucket: bool = False) -> str:
    """Write, read back and delete a small file; a missing bucket is created when asked.
    Returns where the files live; StorageFailed says what is wrong."""
    if create_bucket and _is_object_storage(storage):
        try:
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        except Exception as error:
            if _error_code(error) not in ("404", "NoSuchBucket"):
                raise StorageFailed(describe(error, storage)) from error
            try:
                storage.connection.meta.client.create_bucket(Bucket=storage.bucket_name)
            except Exception as error:
                raise StorageFailed(describe(error, storage)) from error
    name = save(storage, "checks/storage-check.txt", b"maturity storage check")
    try:
        with storage.open(name, "rb") as stored:
            if stored.read() != b"maturity storage check":
                raise StorageFailed(f"{where(storage)} returned other bytes than were written.")
    except StorageFailed:
        raise
    except Exception as error:
        raise StorageFailed(describe(error, storage)) from error
    finally:
        delete(storage, [name])
    return where(storage)


def download(field_file, *, filename: str, content_type: str):
    """The response for a stored file whose reader has passed the gate: a redirect to a link
    signed for PRESIGNED_SECONDS (an S3 bucket with STORAGE_PRESIGNED_DOWNLOADS), else the file
    streamed through this process. FileGone (a 404) when the storage no longer has the file."""
    storage = field_file.storage
    if settings.STORAGE_PRESIGNED_DOWNLOADS and _is_object_storage(storage):
        quoted = filename.replace('"', "")
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{quoted}"',
                "ResponseContentType": content_type,
            },
            expire=PRESIGNED_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        handle = storage.open(field_file.name, "rb")
        if _is_object_storage(storage):
            handle.file  # noqa: B018 -- fetch now: a missing object is a 404, not a broken stream
    except FileNotFoundError:
        raise FileGone(FileGone.message) from None
    except Exception as error:
        if _error_code(error) in ("NoSuchKey", "404"):
            raise FileGone(FileGone.message) from None
        raise
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
