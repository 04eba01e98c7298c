"""The JSON API: auth, the gate, thresholds, pagination, errors and query bounds."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_create
from apps.organizations.models import Role
from tests.factories import RoundFactory, TeamFactory
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def exec_token(member_of):
    user = member_of(Role.EXECUTIVE, email="bi@acme.example")
    return api_token_create(user=user, name="BI")[1]


def test_openapi_document_is_public_and_describes_the_operations(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Maturity API"
    assert "/api/v1/organizations/{slug}/rounds/{round_id}/result" in spec["paths"]


def test_without_credentials_or_with_a_bad_or_revoked_token_it_is_401(client, exec_token):
    assert client.get("/api/v1/organizations").status_code == 401
    response = client.get("/api/v1/organizations", **bearer("mat_not-a-token"))
    assert response.status_code == 401 and "Bearer" in response.json()["detail"]
    api_token = ApiToken.objects.get()
    api_token.revoked_at = timezone.now()
    api_token.save()
    assert client.get("/api/v1/organizations", **bearer(exec_token)).status_code == 401


def test_token_from_the_command_line_works_and_records_its_use(client, member_of):
    member_of(Role.MEMBER, email="cli@acme.example")
    out = io.StringIO()
    call_command("create_api_token", "cli@acme.example", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("mat_") and not ApiToken.objects.filter(token_hash=token).exists()
    body = client.get("/api/v1/organizations", **bearer(token)).json()
    assert body["count"] == 1 and body["items"][0] == {
        "slug": "acme",
        "name": "Acme",
        "time_zone": "UTC",
        "role": "member",
    }
    assert ApiToken.objects.get().last_used_at is not None


def test_session_auth_works_for_the_browser(client, member_of):
    client.force_login(member_of(Role.MEMBER))
    assert client.get("/api/v1/organizations").status_code == 200


def test_outsider_gets_404_and_too_low_a_role_403_as_json(client, org, team, member_of, outsider):
    client.force_login(outsider)
    response = client.get(f"/api/v1/organizations/{org.slug}/teams")
    assert response.status_code == 404 and response.json() == {"detail": "No such organization."}
    client.force_login(member_of(Role.MEMBER))
    response = client.get(f"/api/v1/organizations/{org.slug}/dashboard")
    assert response.status_code == 403 and "executive" in response.json()["detail"]


def test_teams_and_rounds_follow_the_gate_and_paginate(client, org, member_of, in_team, exec_token):
    teams = [TeamFactory(organization=org, name=f"T{i:02}") for i in range(12)]
    person = member_of(Role.MEMBER)
    in_team(person, teams[0])
    RoundFactory(team=teams[0], title="Mine")
    RoundFactory(team=teams[1], title="Not mine")
    client.force_login(person)
    assert [
        t["name"] for t in client.get(f"/api/v1/organizations/{org.slug}/teams").json()["items"]
    ] == ["T00"]
    assert [
        r["title"] for r in client.get(f"/api/v1/organizations/{org.slug}/rounds").json()["items"]
    ] == ["Mine"]
    client.logout()
    page = client.get(
        f"/api/v1/organizations/{org.slug}/teams?limit=5&offset=10", **bearer(exec_token)
    ).json()
    assert page["count"] == 12 and [t["name"] for t in page["items"]] == ["T10", "T11"]


def test_round_result_withholds_everything_under_the_threshold(client, org, team, exec_token):
    round_ = submitted_round(team=team, days_ago=20, points=[2, 2])
    url = f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result"
    body = client.get(url, **bearer(exec_token)).json()
    assert body == {
        "round": str(round_.public_id),
        "respondents": 2,
        "needed": 3,
        "visible": False,
        "message": "2 of the 3 responses needed",
        "scores": [],
        "questions": [],
        "steps": [],
    }


def test_round_result_and_history_above_the_threshold(client, org, team, exec_token):
    round_ = submitted_round(team=team, days_ago=20, points=[0, 1, 2])
    body = client.get(
        f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result", **bearer(exec_token)
    ).json()
    total = next(s for s in body["scores"] if s["dimension"] == "total")
    assert (body["visible"], total["mean"], total["level_name"]) == (True, "14.00", "Defined")
    assert len(body["questions"]) == 14 and body["questions"][0]["counts"] == {
        "0": 1,
        "1": 1,
        "2": 1,
    }
    history = client.get(
        f"/api/v1/organizations/{org.slug}/teams/{team.public_id}/history", **bearer(exec_token)
    ).json()
    assert [h["bank"] for h in history] == ["llmops"] and history[0]["visible"] is True


def test_a_member_of_another_team_cannot_read_its_result(client, org, team, member_of):
    round_ = submitted_round(team=team, days_ago=20, points=[1, 1, 1])
    client.force_login(member_of(Role.MEMBER))
    response = client.get(f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result")
    assert response.status_code == 403


def test_dashboard_for_executives(client, org, team, exec_token):
    submitted_round(team=team, days_ago=20, points=[1, 2, 2])
    body = client.get(f"/api/v1/organizations/{org.slug}/dashboard", **bearer(exec_token)).json()
    assert body["count"] == 1 and body["items"][0]["team"] == "Platform"
    assert set(body["items"][0]["levels"]) == {"application", "operational", "total"}


def test_list_queries_do_not_grow(
    client, org, member_of, exec_token, django_assert_max_num_queries
):
    def count(url):
        with django_assert_max_num_queries(10) as captured:
            assert client.get(url, **bearer(exec_token)).status_code == 200
        return len(captured.captured_queries)

    TeamFactory(organization=org)
    RoundFactory(team=TeamFactory(organization=org))
    urls = [
        f"/api/v1/organizations/{org.slug}/teams",
        f"/api/v1/organizations/{org.slug}/rounds",
        "/api/v1/organizations",
    ]
    client.get("/api/v1/organizations", **bearer(exec_token))  # records the token's use (a write)
    small = [count(url) for url in urls]
    for _ in range(10):
        RoundFactory(team=TeamFactory(organization=org))
    assert [count(url) for url in urls] == small


def test_profile_creates_shows_once_and_revokes_tokens(client, member_of):
    user = member_of(Role.MEMBER)
    client.force_login(user)
    html = client.post(
        reverse("accounts:profile"), {"action": "create_token", "token_name": "Power BI"}
    ).content.decode()
    token = html.split('id="new-token" class="form-control font-monospace" value="')[1].split('"')[
        0
    ]
    assert token.startswith("mat_")
    assert token not in client.get(reverse("accounts:profile")).content.decode()
    assert client.get("/api/v1/organizations", **bearer(token)).status_code == 200
    api_token = ApiToken.objects.get()
    client.post(reverse("accounts:profile"), {"action": "revoke_token", "token": api_token.pk})
    assert client.get("/api/v1/organizations", **bearer(token)).status_code == 401


def test_reports_request_poll_list_and_download(
    client, org, team, exec_token, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    round_ = submitted_round(team=team, days_ago=20, points=[1, 1, 2])
    url = f"/api/v1/organizations/{org.slug}/reports"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"scope": "round", "object_id": str(round_.public_id)},
            content_type="application/json",
            **bearer(exec_token),
        )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    report_id = response.json()["id"]
    polled = client.get(f"{url}/{report_id}", **bearer(exec_token)).json()
    assert polled["status"] == "ready" and polled["download"].endswith("/download")
    again = client.post(
        url,
        {"scope": "round", "object_id": str(round_.public_id)},
        content_type="application/json",
        **bearer(exec_token),
    )
    assert (
        again.status_code == 200 and again.json()["id"] == report_id
    )  # the same job, already ready
    assert client.get(url, **bearer(exec_token)).json()["count"] == 1
    pdf = client.get(f"{url}/{report_id}/download", **bearer(exec_token))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(
        b"%PDF"
    )
    bad = client.post(
        url,
        {"scope": "round", "object_id": "00000000-0000-0000-0000-000000000000"},
        content_type="application/json",
        **bearer(exec_token),
    )
    assert bad.status_code == 404 and bad.json() == {"detail": "No such round."}


def test_a_post_without_any_credentials_is_401_not_a_csrf_403(client, org, db):
    response = client.post(
        reverse("api:request_report", args=[org.slug]),
        '{"scope": "organization"}',
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "API token" in response.json()["detail"]


def test_a_browser_post_with_a_session_still_needs_its_csrf_token(org, member_of):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member_of(Role.OWNER))
    response = browser.post(
        reverse("api:request_report", args=[org.slug]),
        '{"scope": "organization"}',
        content_type="application/json",
    )
    assert response.status_code == 403
