"""Reading an identity provider's OpenID Connect discovery document, when an owner saves it."""

import requests
from django.conf import settings

WELL_KNOWN = "/.well-known/openid-configuration"
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class DiscoveryError(Exception):
    """Why the issuer URL is not a usable OpenID Connect provider; the owner reads it."""


def discover(issuer: str) -> dict:
    """The discovery document of `issuer`, checked as OpenID Connect Discovery 1.0 §4.3 asks:
    it must name the same issuer (a trailing slash aside: the document's spelling is kept in
    `issuer`, since ID tokens carry that one)."""
    url = issuer.rstrip("/") + WELL_KNOWN
    try:
        response = requests.get(url, timeout=settings.SOCIALACCOUNT_REQUESTS_TIMEOUT)
    except requests.RequestException as error:
        raise DiscoveryError(f"{url} did not answer ({type(error).__name__}).") from None
    if response.status_code != 200:
        raise DiscoveryError(f"{url} answered {response.status_code}, not a discovery document.")
    try:
        document = response.json()
    except ValueError:
        raise DiscoveryError(f"{url} did not answer with JSON.") from None
    if not isinstance(document, dict) or any(not document.get(key) for key in REQUIRED):
        raise DiscoveryError(f"{url} is not an OpenID Connect discovery document.")
    if str(document["issuer"]).rstrip("/") != issuer.rstrip("/"):
        raise DiscoveryError(
            f"The provider at {url} calls itself {document['issuer']}, not {issuer}: "
            "enter its issuer exactly."
        )
    return document
