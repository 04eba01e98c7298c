"""Keep secret links out of logs. A survey link, an invitation link or a password reset link
opens someone's answers or account: an operator reading logs must not be able to follow one."""

import logging
import re

# /s/<token>/..., /invitations/<token>/, /accounts/password/reset/<uidb64>/<token>/,
# and ?invitation=<token> on the sign-up page.
SECRET_LINK = re.compile(
    r"(?P<keep>/s/|/invitations/|/accounts/password/reset/(?!sent/|complete/)[^/\s\"]+/)"
    r"(?P<secret>[^/\s\"?]+)"
    r"|(?P<param>[?&]invitation=)(?P<value>[^&\s\"]+)"
)


def redact(text: str) -> str:
    def hide(match: re.Match) -> str:
        if match.group("keep"):
            return f"{match.group('keep')}[redacted]"
        return f"{match.group('param')}[redacted]"

    return SECRET_LINK.sub(hide, text)


class RedactSecretLinks(logging.Filter):
    """A logging filter: the message and its string arguments, with secret links hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
