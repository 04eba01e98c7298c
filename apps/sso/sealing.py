"""Client secrets at rest: Fernet (AES-128-CBC with an HMAC-SHA256), so a database dump alone
does not give away an organization's provider.

The key is SSO_ENCRYPTION_KEY (a Fernet key: `python -c "from cryptography.fernet import
Fernet; print(Fernet.generate_key().decode())"`) or, without it, one derived from
DJANGO_SECRET_KEY with HKDF. Secrets sealed under an older key still open while that key is
listed: the derived keys of Django's SECRET_KEY_FALLBACKS, and the SECRET_KEY's own once
SSO_ENCRYPTION_KEY is set. A secret whose key is gone must be entered again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The sealed secret was sealed under a key this server no longer has."""


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"maturity sso secret")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _fernet() -> MultiFernet:
    keys = [settings.SSO_ENCRYPTION_KEY.encode()] if settings.SSO_ENCRYPTION_KEY else []
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    keys += [_derived_key(key) for key in secret_keys]
    return MultiFernet([Fernet(key) for key in keys])  # seals with the first, opens with any


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The client secret cannot be read with this server's keys. Enter it again."
        ) from None
