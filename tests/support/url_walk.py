"""The URL walk's lists of the pages outside an organization (tests/core/test_url_walk.py asks
each as everyone; the organization's pages are in tests/support/access.py), and the walk as a
browser takes it: every page a person opens, with real ids (tests/e2e/test_phone_width.py)."""

from django.urls import reverse

from apps.organizations.models import Role
from tests.support.access import CASES, url_for

PUBLIC = {
    "healthz",
    "organizations:home",
    "accounts:signup",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "account_email_verification_sent",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_inactive",
    "socialaccount_login_cancelled",  # single sign-on's answer to a cancelled sign-in
    "sso:discover",  # the log-in page's single sign-on hint for a typed address
    "api:openapi-json",
    "api:openapi-view",
}
LOGIN_REQUIRED = {
    "accounts:profile",
    "accounts:delete",
    "accounts:password_change",
    "accounts:password_change_done",
    "surveys:mine",
    "organizations:create",
}
# Reached through a secret link: a forged one is refused, whoever asks.
BY_TOKEN = {
    "surveys:intro": ("get", {"token": "forged"}),
    "surveys:page": ("get", {"token": "forged", "number": 1}),
    "surveys:answer": ("post", {"token": "forged"}),
    "surveys:note": ("post", {"token": "forged"}),
    "surveys:review": ("get", {"token": "forged"}),
    "surveys:submit": ("post", {"token": "forged"}),
    "scoring:done": ("get", {"token": "forged"}),
    "organizations:invitation": ("get", {"token": "forged"}),
    # An organization's single sign-on, by its slug: an unknown one is not there.
    "openid_connect_login": ("get", {"provider_id": "forged"}),
    "openid_connect_callback": ("get", {"provider_id": "forged"}),
}

# Walked, but not pages a person reads: machine answers, downloads and the pieces htmx swaps in.
NOT_PAGES = {
    "healthz",
    "api:openapi-json",
    "surveys:round_progress",  # the progress card, swapped in every few seconds
    "reports:status",  # a report's status row
    "reports:download",  # a PDF
    "reports:export_status",  # an export's status row
    "reports:export_download",  # a ZIP
    "plans:action_row",  # one action's row, after an edit is cancelled
    "sso:discover",  # the log-in page's single sign-on hint
}


def is_page(view_name: str) -> bool:
    return view_name not in NOT_PAGES and not view_name.endswith("_csv")


def organization_pages(world: dict, role: Role) -> list[tuple[str, str]]:
    """(view name, URL) of each organization page `role` may open (the access matrix's GETs),
    with the ids of `world` (tests.support.access.org_world's keys)."""
    seen, pages = set(), []
    for case in CASES:
        if case.method != "get" or role < case.min_role or not is_page(case.view_name):
            continue
        if case.view_name not in seen:
            seen.add(case.view_name)
            pages.append((case.view_name, url_for(case, world)))
    return pages


def account_pages() -> list[tuple[str, str]]:
    """The public and log-in-only pages (a logged-in person is sent on from some of them)."""
    names = sorted(name for name in PUBLIC | LOGIN_REQUIRED if is_page(name))
    return [(name, reverse(name)) for name in names]


def token_pages(tokens: dict[str, dict]) -> list[tuple[str, str]]:
    """The pages reached through a secret link: with the kwargs in `tokens` (a real link) where
    given, else the forged link (its refusal is a page too)."""
    return [
        (name, reverse(name, kwargs=tokens.get(name, forged)))
        for name, (method, forged) in sorted(BY_TOKEN.items())
        if method == "get"
    ]
