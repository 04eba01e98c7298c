"""Unguessable tokens for links sent by e-mail. Only their SHA-256 is ever stored."""

import hashlib
import secrets


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """Return (token, its hash): the token goes into the link, the hash into the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)
