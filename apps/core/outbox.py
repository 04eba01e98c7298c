"""The embedded default's mail: one .eml file per message in EMAIL_OUTBOX_DIR.

`make run` uses it so that a newcomer can follow an invitation link without a mail server;
the debug-only /dev/outbox/ page lists what was sent.
"""

import email
import email.policy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.EMAIL_OUTBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            (folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(
                message.message().as_bytes()
            )
        return len(email_messages)


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    subject: str
    to: str
    sent_at: datetime | None
    text: str


def outbox_messages(limit: int = 50) -> list[OutboxMessage]:
    folder = Path(settings.EMAIL_OUTBOX_DIR)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in files]


def _read(path: Path) -> OutboxMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain", "html"))
    return OutboxMessage(
        id=path.stem,
        subject=str(parsed["subject"] or ""),
        to=str(parsed["to"] or ""),
        sent_at=parsedate_to_datetime(parsed["date"]) if parsed["date"] else None,
        text=body.get_content() if body is not None else "",
    )
