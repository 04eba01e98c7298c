"""Keep secret links out of logs. A survey link, an invitation link, an e-mail confirmation
link or a password reset link opens someone's answers or account: an operator reading logs must
not be able to follow one, even when it is percent-encoded in another URL
(`/accounts/login/?next=%2Finvitations%2F<token>%2F`, or encoded twice)."""

import logging
import re
from urllib.parse import unquote

# /s/<token>/..., /invitations/<token>/, /accounts/password/reset/<uidb64>/<token>/ (and
# allauth's /accounts/password/reset/key/<uidb36>-<key>/), /accounts/confirm-email/<key>/,
# and ?invitation=<token> on the sign-up page.
SECRET_LINK = re.compile(
    r"(?P<keep>/s/|/invitations/|/accounts/confirm-email/"
    r"|/accounts/password/reset/(?!sent/|complete/)[^/\s\"]+/)"
    r"(?P<secret>[^/\s\"?]+)"
    r"|(?P<param>[?&]invitation=)(?P<value>[^&\s\"]+)"
)
# A run of URL-like text: what a link, a query string or a header value in a log line is.
_RUN = re.compile(r"[^\s\"'<>]+")
_MAX_DECODINGS = 4


def _hide(match: re.Match) -> str:
    if match.group("keep"):
        return f"{match.group('keep')}[redacted]"
    return f"{match.group('param')}[redacted]"


def _decoded(run: str) -> str:
    """`run` percent-decoded until it no longer changes (a link encoded twice, three times…)."""
    for _ in range(_MAX_DECODINGS):
        decoded = unquote(run, errors="replace")
        if decoded == run:
            break
        run = decoded
    return run


def _redact_encoded(match: re.Match) -> str:
    run = match.group(0)
    if "%" not in run:
        return run
    decoded = _decoded(run)
    hidden = SECRET_LINK.sub(_hide, decoded)
    # Only a run that hid a secret once decoded is logged decoded (with the secret hidden).
    return hidden if hidden != decoded else run


def redact(text: str) -> str:
    text = SECRET_LINK.sub(_hide, text)
    if "%" not in text:
        return text
    return _RUN.sub(_redact_encoded, text)


class RedactSecretLinks(logging.Filter):
    """A logging filter: the message and its string arguments, with secret links hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True
