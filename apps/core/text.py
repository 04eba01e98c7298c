"""Free text from outside (a URL, a form, a file) before it reaches the database.

PostgreSQL refuses a NUL character (U+0000) in text with a DataError, so a NUL typed or
pasted into a search box, a link or a name would be a 500. `RefuseNulMiddleware` answers a
400 for any NUL in the URL (path or query string); services that store a name use
`without_nul`. `normalize_email` gives an e-mail address its one spelling.

Words and numbers written to people: `possessive` ("NewCo Labs' time zone"), `format_points`
("7.50 / 14.00": every score in points, on pages, e-mails and PDFs alike)."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NUL = "\x00"
NUL_REFUSED = (
    "The address contains a NUL character (%00), which is never valid text. "
    "Remove it and try again."
)
# C0 controls except tab, newline and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_nul(*values: str) -> bool:
    return any(NUL in value for value in values)


def without_nul(value: str) -> str:
    """The text without NUL and other invisible control characters, stripped of whitespace."""
    return _CONTROL.sub("", value).strip()


def query_has_nul(request) -> bool:
    """Whether the request's path or any query parameter (name or value) holds a NUL."""
    if NUL in request.path_info or NUL in request.path:
        return True
    return any(has_nul(key, *values) for key, values in request.GET.lists())


def normalize_email(email: str) -> str:
    """One spelling per address: trimmed, lower case, an internationalized domain in its ASCII
    (IDNA) form, so `x@bücher.example` and `x@XN--BCHER-KVA.example` are one account."""
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not domain or domain.isascii():
        return email
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid domain name: the form's validation says so
        return email
    return f"{local}@{domain}"


def possessive(name) -> str:
    """A name's possessive: "Ada's", and "NewCo Labs'" for a name ending in s (as the style
    guides write plural-looking names). With the straight apostrophe, as every page writes it."""
    name = str(name or "").rstrip()
    if not name:
        return ""
    return f"{name}'" if name[-1] in "sS" else f"{name}'s"


# The selectors' own precision (scores are stored and quantized to hundredths): a page shows
# the selector's number to its last digit, never a second rounding of it.
POINTS_QUANTUM = Decimal("0.01")


def format_points(value) -> str:
    """A number of points as people read it: two decimals, rounded half up ("7.50", "10.00",
    "14.00"), so that a score and its maximum, and every score beside another, are written alike.
    None or not a number: an empty string."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return ""
    if not number.is_finite():
        return ""
    return f"{number.quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP):f}"
