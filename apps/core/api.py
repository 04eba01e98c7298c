"""What every API router shares: the organization slug parameter and the error bodies.

Each operation declares the errors it may give. Every one may answer 401 (no valid token or
session: config/api.py) and 429 (too many calls: apps.core.middleware.ApiRateLimitMiddleware);
then, as it applies, 400 for a body that is not JSON and 422 for a parameter or body that does
not validate (django-ninja, the list of problems under `detail`), 403 for a role too low and 404
outside the organization or for no such object (config/api.py), all JSON with a `detail`.
"""

from typing import Annotated

from ninja import Path, Schema

# An organization's slug (a SlugField): anything else cannot name one. Declared, it also keeps
# text PostgreSQL refuses (a NUL byte) away from the database: a 422, not a 500.
OrganizationSlug = Annotated[
    str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60, description="The organization's slug.")
]


class ErrorOut(Schema):
    detail: str


class ValidationIssueOut(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[ValidationIssueOut]


class RateLimitedOut(Schema):
    detail: str
    retry_after: int  # seconds, as in the Retry-After header


_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
    429: RateLimitedOut,
}


def errors(*codes: int) -> dict:
    """The error responses of an operation, for its `response=` mapping: 401, 429 and `codes`."""
    return {code: _ERRORS[code] for code in sorted({401, 429, *codes})}
