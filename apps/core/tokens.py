"""Unguessable tokens for links sent by e-mail. Only their SHA-256 is ever stored."""

import base64
import hashlib
import secrets

from django.utils.crypto import salted_hmac


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """Return (token, its hash): the token goes into the link, the hash into the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def derived_token(purpose: str, key: str) -> str:
    """A token derived from SECRET_KEY: the same link can be sent again without storing it.

    Only its hash goes into the database. Rotating SECRET_KEY invalidates derived links.
    """
    digest = salted_hmac(f"maturity.{purpose}", key, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
