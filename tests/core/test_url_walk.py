"""Every URL pattern of the project, asked anonymously, by an outsider and by each role.

The org-scoped pages have their role matrix in tests/support/access.py (asked by
tests/organizations/test_access_matrix.py); this walk classifies every other pattern and checks
the gate's answer for each kind. A new URL that nobody classified fails
`test_every_url_pattern_is_classified`.
"""

import json

import pytest
from django.urls import URLResolver, get_resolver, reverse

from apps.accounts.services import api_token_create
from apps.organizations.models import Role
from tests.factories import ActionFactory, RoundFactory, UserFactory, ready_team_report
from tests.scenarios import submitted_round
from tests.support.access import CASES
from tests.support.url_walk import BY_TOKEN, LOGIN_REQUIRED, PUBLIC

OTHER = {
    "accounts:logout",  # POST only; see test_log_out_is_post_only
    "account_reset_password_from_key",  # see test_a_forged_reset_link_offers_no_form
    "account_confirm_email",  # see test_a_forged_confirmation_link_confirms_nothing
    "accounts:email",  # one address per account: sends to the profile
    # Single sign-on: POST only, and allauth's pages for linking providers are not offered
    # (tests/accounts/test_sso.py).
    "sso:start",
    "accounts:social_connections",
    "accounts:social_signup",
    # allauth's page for a failed sign-in (401), never linked: apps.sso answers with its own.
    "socialaccount_login_error",
}
# allauth's permanent redirects from its old paths (accounts/social/...) to accounts/3rdparty/.
ALLAUTH_OLD_PATHS = "accounts/social/"
# allauth's names for the paths above (ours answer: listed first) and its steps we do not use
# (log-in by code, re-authentication): see test_allauth_pages_we_do_not_use_never_fail.
ALLAUTH_SHADOWED = {
    "account_login",
    "account_logout",
    "account_signup",
    "account_email",
    "account_change_password",
    "account_reset_password",
    "socialaccount_connections",
    "socialaccount_signup",
}
ALLAUTH_UNUSED = {
    "account_set_password",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_confirm_login_code",
}
OTHER |= (
    ALLAUTH_SHADOWED
    | ALLAUTH_UNUSED
    | {
        "outbox",  # see test_the_dev_outbox_exists_only_in_debug
        "api:api-root",  # see test_the_api_root_is_not_a_page
    }
)
# The JSON API under an organization: (method, name, path kwargs, JSON body).
API = [
    ("get", "api:list_teams", ("slug",), None),
    ("get", "api:list_rounds", ("slug",), None),
    ("get", "api:round_result", ("slug", "round_id"), None),
    ("get", "api:team_history", ("slug", "team_id"), None),
    ("get", "api:dashboard", ("slug",), None),
    ("post", "api:request_report", ("slug",), {"scope": "organization"}),
    ("get", "api:list_reports", ("slug",), None),
    ("get", "api:get_report", ("slug", "report_id"), None),
    ("get", "api:download_report", ("slug", "report_id"), None),
    ("get", "api:list_actions", ("slug", "team_id"), None),
    ("get", "api:get_action", ("slug", "action_id"), None),
    ("get", "api:organization_targets", ("slug",), None),
    ("get", "api:team_targets", ("slug", "team_id"), None),
]
API_FOR_ANY_USER = {"api:list_organizations"}
# Writes whose gate is tested with each role where they are (tests/plans/test_api.py,
# tests/scoring/test_targets.py).
API_TESTED_ELSEWHERE = {"api:create_action", "api:update_action", "api:delete_action"}
API_TESTED_ELSEWHERE |= {
    "api:organization_target_put",
    "api:organization_target_delete",
    "api:team_target_put",
    "api:team_target_delete",
}


def url_patterns(patterns=None, namespace="", prefix=""):
    """(route, view name) of every pattern, through every include."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            space = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from url_patterns(pattern.url_patterns, space, route)
        else:
            name = pattern.name or "(unnamed)"
            yield route, f"{namespace}:{name}" if namespace else name


def test_every_url_pattern_is_classified():
    org_pages = {case.view_name for case in CASES}
    known = org_pages | PUBLIC | LOGIN_REQUIRED | set(BY_TOKEN) | OTHER | API_FOR_ANY_USER
    known |= {name for _, name, _, _ in API} | API_TESTED_ELSEWHERE
    unclassified = sorted(
        f"{route} ({name})"
        for route, name in url_patterns()
        if name not in known
        and not name.startswith("admin:")
        and not (name == "(unnamed)" and route.startswith(ALLAUTH_OLD_PATHS))
    )
    assert unclassified == [], "Classify these URLs in tests/core/test_url_walk.py"


@pytest.fixture
def people(org, member_of, outsider):
    """Anonymous, an outsider, and one member of each role."""
    return {"anonymous": None, "outsider": outsider} | {
        role.label: member_of(role) for role in Role
    }


def as_(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_public_pages_answer_everyone(client, people):
    for who, user in people.items():
        for name in PUBLIC:
            status = as_(client, user).get(reverse(name)).status_code
            # Logged in, the log-in and front pages send you on to your organization.
            assert status == 200 or (user and status == 302), f"{name} as {who}: {status}"


@pytest.mark.django_db
def test_account_pages_send_the_anonymous_to_log_in_and_serve_everyone_else(client, people):
    for who, user in people.items():
        for name in LOGIN_REQUIRED:
            response = as_(client, user).get(reverse(name))
            if user is None:
                assert response.status_code == 302, name
                assert response["Location"].startswith(reverse("accounts:login"))
            else:
                assert response.status_code == 200, f"{name} as {who}"


@pytest.mark.django_db
def test_forged_links_are_404_whoever_asks(client, people, settings):
    settings.RATE_LIMITS_ENABLED = False  # 49 guesses from one address: tests/core/test_rate_limits
    for who, user in people.items():
        for name, (method, kwargs) in BY_TOKEN.items():
            response = getattr(as_(client, user), method)(reverse(name, kwargs=kwargs))
            assert response.status_code == 404, f"{name} as {who}"


@pytest.mark.django_db
def test_a_forged_reset_link_offers_no_form(client, people):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "forged-key"})
    for who, user in people.items():
        response = as_(client, user).get(url, follow=True)
        page = response.content.decode()
        assert response.status_code == 200 and "password1" not in page, who
        assert "not valid any more" in page, who


@pytest.mark.django_db
def test_a_forged_confirmation_link_confirms_nothing(client, people):
    url = reverse("account_confirm_email", args=["forged-key"])
    for who, user in people.items():
        page = as_(client, user).get(url)
        assert page.status_code == 200 and "expired or was used already" in page.content.decode()
        assert as_(client, user).post(url).status_code == 404, who


@pytest.mark.django_db
def test_allauth_pages_we_do_not_use_never_fail(client, people):
    for who, user in people.items():
        for name in ALLAUTH_UNUSED | ALLAUTH_SHADOWED:
            if name == "account_logout":
                continue
            status = as_(client, user).get(reverse(name)).status_code
            assert status in (200, 302, 404), f"{name} as {who}: {status}"


@pytest.mark.django_db
def test_every_log_in_door_is_rate_limited(client, db):
    """/accounts/login/ and /admin/login/ share the back-off (tests/core/test_rate_limits.py)."""
    for url, field in ((reverse("accounts:login"), "login"), ("/admin/login/", "username")):
        statuses = [
            client.post(url, {field: "root@acme.example", "password": f"guess-{n}"}).status_code
            for n in range(8)
        ]
        assert 429 in statuses, url


@pytest.mark.django_db
def test_log_out_is_post_only(client, people):
    client.force_login(people["Member"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_dev_outbox_exists_only_in_debug(client, people):
    for who, user in people.items():
        assert as_(client, user).get(reverse("outbox")).status_code == 404, who


@pytest.mark.django_db
def test_the_api_root_is_not_a_page(client, people):
    for user in people.values():
        assert as_(client, user).get(reverse("api:api-root")).status_code in (401, 404)


def admin_url(route: str) -> str:
    for placeholder, value in (
        ("<path:object_id>", "1"),
        ("<int:bank_id>", "1"),
        ("<app_label>", "surveys"),
        ("<path:url>", "x"),
        ("<int:content_type_id>", "1"),
        ("<path:object_id>", "1"),
    ):
        route = route.replace(placeholder, value)
    return "/" + route.replace("^", "").replace("$", "")


@pytest.mark.django_db
def test_admin_is_for_staff_only(client, people):
    routes = [route for route, name in url_patterns() if name.startswith("admin:")]
    assert len(routes) > 20
    for who, user in people.items():
        for route in routes:
            url = admin_url(route)
            response = as_(client, user).get(url)
            if "logout" in route:
                assert response.status_code in (302, 405), f"{url} as {who}"
                continue
            if route.endswith("login/"):
                assert response.status_code in (200, 302), f"{url} as {who}"
                continue
            assert response.status_code == 302, f"{url} as {who}: {response.status_code}"
            assert "/admin/login/" in response["Location"], f"{url} as {who}"
    staff = UserFactory(is_staff=True, is_superuser=True)
    for route in routes:
        url = admin_url(route)
        status = as_(client, staff).get(url).status_code
        assert status < 500, f"{url} as staff: {status}"


@pytest.fixture
def api_world(org, team):
    round_ = RoundFactory(team=team)
    # An earlier round closed at its threshold: a report request has a result to show.
    submitted_round(team=team, days_ago=100, points=[1, 1, 1])
    report = ready_team_report(team)
    return {
        "slug": org.slug,
        "team_id": team.public_id,
        "round_id": round_.public_id,
        "report_id": report.public_id,
        "action_id": ActionFactory(team=team).public_id,
    }


def ask_api(client, method, name, kwargs, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    url = reverse(name, kwargs=kwargs)
    if method == "post":
        return client.post(url, json.dumps(body), content_type="application/json", **headers)
    return client.get(url, **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("method,name,params,body", API, ids=[a[1] for a in API])
def test_api_gate_for_each_operation(client, people, api_world, method, name, params, body):
    kwargs = {key: api_world[key] for key in params}
    assert ask_api(client, method, name, kwargs, body).status_code == 401
    outsider_token = api_token_create(user=people["outsider"], name="x")[1]
    assert ask_api(client, method, name, kwargs, body, outsider_token).status_code == 404
    allowed_from = None
    for role in Role:
        token = api_token_create(user=people[role.label], name="x")[1]
        status = ask_api(client, method, name, kwargs, body, token).status_code
        if allowed_from is None and status in (200, 202):
            allowed_from = role
        elif allowed_from is None:
            assert status == 403, f"{role.label}: {status}"
        else:  # each role may do what the roles below it may
            assert status in (200, 202), f"{role.label} after {allowed_from.label}: {status}"
    assert allowed_from is not None, "not even an owner may use it"


@pytest.mark.django_db
def test_the_organization_list_shows_each_caller_only_their_own(client, people, org):
    assert client.get(reverse("api:list_organizations")).status_code == 401
    for who, user in people.items():
        if user is None:
            continue
        token = api_token_create(user=user, name="x")[1]
        reply = client.get(reverse("api:list_organizations"), HTTP_AUTHORIZATION=f"Bearer {token}")
        slugs = {item["slug"] for item in reply.json()["items"]}
        assert (org.slug in slugs) == (who != "outsider"), who
