"""Parse the e-mail addresses a lead pastes: commas, semicolons, spaces or new lines."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

_SEPARATORS = re.compile(r"[\s,;]+")
_NAMED = re.compile(r"^.*<([^<>]+)>$")  # "Ada Lovelace <ada@example.com>"


@dataclass(frozen=True)
class ParsedEmails:
    valid: list[str]  # normalized, duplicates merged, in the order pasted
    invalid: list[str]  # as typed


def parse_email_list(text: str) -> ParsedEmails:
    valid, invalid, seen = [], [], set()
    # Keep "Name <address>" together before splitting on spaces.
    text = re.sub(r"([^,;\n<>]*)<([^<>]+)>", lambda m: m.group(2), text or "")
    for item in _SEPARATORS.split(text):
        item = item.strip().strip("<>\"'")
        if not item:
            continue
        match = _NAMED.match(item)
        address = (match.group(1) if match else item).strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            if item not in invalid:
                invalid.append(item)
            continue
        if address not in seen:
            seen.add(address)
            valid.append(address)
    return ParsedEmails(valid=valid, invalid=invalid)
