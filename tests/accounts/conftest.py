from tests.oidc.provider import oidc_provider  # noqa: F401  (the session fixture)
