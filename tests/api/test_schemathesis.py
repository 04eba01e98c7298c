"""Schemathesis on the API's own OpenAPI document: no 5xx, no answer the schema does not declare.

The schema is loaded from the app (WSGI, in this process), so every request runs inside the
test's transaction: pytest-django rolls it all back and no server or thread is needed. The
caller is the owner of an organization with data (teams, a closed round with results, an open
round, reports), and the generated ids are swapped, some of the time, for the ids of that data,
so that the operations get beyond 401 and 404.
"""

import re
from datetime import timedelta
from uuid import UUID

import hypothesis
import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis import checks

from apps.accounts.services import api_token_create
from apps.organizations.models import Role
from apps.reports import services as report_services
from apps.reports.models import Report, ReportStatus
from config.wsgi import application
from tests.factories import RoundFactory, TeamFactory
from tests.scenarios import submit_responses

SLUG = "acme"
TEAM = UUID("0c1d2e3f-0000-4000-8000-000000000001")
QUIET_TEAM = UUID("0c1d2e3f-0000-4000-8000-000000000002")  # no rounds at all
CLOSED_ROUND = UUID("0c1d2e3f-0000-4000-8000-000000000011")  # 3 respondents: results visible
OPEN_ROUND = UUID("0c1d2e3f-0000-4000-8000-000000000012")  # 1 submitted so far
THIN_ROUND = UUID("0c1d2e3f-0000-4000-8000-000000000013")  # closed below its threshold
READY_REPORT = UUID("0c1d2e3f-0000-4000-8000-000000000021")
QUEUED_REPORT = UUID("0c1d2e3f-0000-4000-8000-000000000022")
FAILED_REPORT = UUID("0c1d2e3f-0000-4000-8000-000000000023")

ROUNDS = [CLOSED_ROUND, OPEN_ROUND, THIN_ROUND]
TEAMS = [TEAM, QUIET_TEAM]
KNOWN = {
    "slug": [SLUG, SLUG],  # two in three: ours
    "team_id": TEAMS,
    "team": TEAMS,
    "round_id": ROUNDS,
    "report_id": [READY_REPORT, QUEUED_REPORT, FAILED_REPORT],
}
SUBJECTS = {"round": ROUNDS, "team": TEAMS}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def django_bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# The test sends a real token itself: generated (hence wrong) tokens and session cookies would
# only get 401s, and a negative case made of a bad token alone would pass with ours.
schema.config.generation.update(with_security_parameters=False)


def _is_uuid(value) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def _is_valid(name: str, value) -> bool:
    if not isinstance(value, str):
        return False
    return bool(re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", value)) if name == "slug" else _is_uuid(value)


def _with_known_values(values):
    """A strategy that keeps `values` or puts our data's slug and ids in place of valid ones.

    Only values that are valid already are swapped, so that a negative case stays negative."""
    if not isinstance(values, dict):
        return st.just(values)
    choices = {name: st.just(value) for name, value in values.items()}
    for name, value in values.items():
        known = KNOWN.get(name)
        if known and _is_valid(name, value):
            choices[name] = st.sampled_from([*map(str, known), value])
    # A report's subject: one of our rounds or teams, as its scope says.
    scope, subject = values.get("scope"), values.get("object_id")
    if isinstance(scope, str) and scope in SUBJECTS and (subject is None or _is_uuid(subject)):
        choices["object_id"] = st.sampled_from([*map(str, SUBJECTS[scope]), subject])
    return st.fixed_dictionaries(choices)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_known_values(path_parameters)


@schema.hook
def flatmap_query(context, query):
    return _with_known_values(query)


@schema.hook
def flatmap_body(context, body):
    return _with_known_values(body)


@pytest.fixture
def _requests_share_the_test_transaction():
    """Django closes the connection after each request it serves (and the test's transaction
    with it); its test client turns that off while it runs, and so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def owner_token(
    db, settings, tmp_path, org, member_of, in_team, _requests_share_the_test_transaction
):
    """An owner of `acme` with teams, rounds with and without results, and reports."""
    settings.MEDIA_ROOT = tmp_path
    settings.RATE_LIMITS_ENABLED = False  # hundreds of calls from one token in a few seconds
    now = timezone.now()
    owner = member_of(Role.OWNER, email="owner@acme.example")
    team = TeamFactory(organization=org, name="Platform", public_id=TEAM)
    TeamFactory(organization=org, name="Quiet", public_id=QUIET_TEAM)
    in_team(owner, team, is_lead=True)

    def round_(public_id, title, days_ago):
        return RoundFactory(
            team=team,
            title=title,
            public_id=public_id,
            opens_at=now - timedelta(days=days_ago),
            closes_at=now + timedelta(days=5),
        )

    thin = submit_responses(round_(THIN_ROUND, "Q2", 200), [1, 2])
    closed = submit_responses(round_(CLOSED_ROUND, "Q3", 100), [0, 1, 2])
    submit_responses(round_(OPEN_ROUND, "Q4", 2), [2], close=False)
    thin.refresh_from_db()  # closed by an update: the reports' fingerprints read the status
    closed.refresh_from_db()

    for public_id, scope, obj, status in [
        (READY_REPORT, "round", closed, ReportStatus.READY),
        (QUEUED_REPORT, "organization", org, ReportStatus.QUEUED),
        (FAILED_REPORT, "team", team, ReportStatus.FAILED),  # a round below its threshold has none
    ]:
        report = report_services.report_request(scope=scope, obj=obj, requested_by=owner)
        Report.objects.filter(pk=report.pk).update(
            public_id=public_id,
            status=status,
            error="WeasyPrint fell over." if status == ReportStatus.FAILED else "",
            finished_at=None if status == ReportStatus.QUEUED else now,
        )
        if status == ReportStatus.READY:
            report.refresh_from_db()
            report.file.save("roadmap.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return api_token_create(user=owner, name="schemathesis")[1]


# Operations whose bodies are checked beyond their schema: a target's level must exist in the
# bank and its date lie ahead, an action's owner must be on the team, its question in the bank.
# A schema-valid body can be refused there with a 400 and its reason, as the pages refuse it;
# every other check still runs on them.
CHECKED_BEYOND_THE_SCHEMA = {
    ("PUT", "/api/v1/organizations/{slug}/targets/{bank}/{dimension}"),
    ("PUT", "/api/v1/organizations/{slug}/teams/{team_id}/targets/{bank}/{dimension}"),
    ("POST", "/api/v1/organizations/{slug}/teams/{team_id}/actions"),
    ("PATCH", "/api/v1/organizations/{slug}/actions/{action_id}"),
}


@schema.parametrize()
@hypothesis.settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
)
def test_api_conforms_to_its_schema(case, owner_token):
    # Each case starts from the fixture's data, and a database error in one (a 500 that the
    # checks report) cannot leave the test's transaction aborted for the cases after it.
    savepoint = transaction.savepoint_create()
    try:
        if (case.method.upper(), case.path) in CHECKED_BEYOND_THE_SCHEMA:
            excluded = {"excluded_checks": [checks.positive_data_acceptance]}
        else:
            excluded = {}
        case.call_and_validate(headers=bearer(owner_token), **excluded)
    finally:
        transaction.savepoint_rollback(savepoint)


def test_a_rate_limited_call_answers_as_declared(owner_token, settings):
    """Rate limits are off above; here a token gets two calls a minute, and the third one's 429
    is declared, JSON and of the declared shape."""
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "2/60"}
    case = schema["/api/v1/organizations/{slug}/teams"]["GET"].Case(path_parameters={"slug": SLUG})
    assert [case.call(headers=bearer(owner_token)).status_code for _ in range(2)] == [200, 200]
    response = case.call_and_validate(
        headers=bearer(owner_token),
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
    assert response.status_code == 429 and response.json()["retry_after"] > 0


# Two 500s found while building this, pinned down: 25 examples an operation do not reliably
# reach them (300 found the first; a probe by hand the second).


def test_a_since_with_any_offset_is_read_not_a_database_error(client, owner_token):
    """PostgreSQL refuses offsets beyond 15:59 that ISO 8601 and Python allow, and an offset
    can push the first or last day out of Python's range: `since` is turned to UTC first."""
    url = f"/api/v1/organizations/{SLUG}/dashboard"
    counts = {
        since: client.get(url, {"since": since}, **django_bearer(owner_token)).json()["count"]
        for since in [
            "0180-02-23T20:56:02-16:48",
            "0001-01-01T00:00:00+23:59",
            "2020-01-01T00:00:00",
            "9999-12-31T23:59:59-23:59",
        ]
    }
    assert counts == {  # Platform's latest closed round with results, Q3; or none after it
        "0180-02-23T20:56:02-16:48": 1,
        "0001-01-01T00:00:00+23:59": 1,
        "2020-01-01T00:00:00": 1,  # naive: read in the default time zone
        "9999-12-31T23:59:59-23:59": 0,
    }


def test_a_slug_that_cannot_be_one_is_a_4xx_not_a_database_error(client, owner_token):
    response = client.get("/api/v1/organizations/ac%00me/teams", **django_bearer(owner_token))
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    response = client.get("/api/v1/organizations/ac me!/teams", **django_bearer(owner_token))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["path", "slug"]
