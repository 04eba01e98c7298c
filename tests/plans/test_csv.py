"""A plan as CSV, for a spreadsheet and in the columns Jira, Azure Boards and GitHub read."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from apps.plans.models import ActionStatus
from tests.factories import ActionFactory, TeamFactory, TeamMembershipFactory
from tests.support.downloads import read_csv

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 1, 15)


@pytest.fixture
def plan(team):
    owner = TeamMembershipFactory(team=team, membership__user__email="olga@acme.example").membership
    eval_gate = ActionFactory(
        team=team,
        title="Automated evaluation gate",
        owner=owner,
        due_date=DUE,
        bank_slug="llmops",
        question_code="APP-5",
        done_when="Every release runs the evals",
        notes="See the RFC",
        status=ActionStatus.DOING,
    )
    dropped = ActionFactory(
        team=team,
        title='=HYPERLINK("http://evil.example")',
        status=ActionStatus.DROPPED,
        dropped_at=eval_gate.created_at,
    )
    return eval_gate, dropped


def download(client, org, team, fmt=""):
    url = reverse("plans:team_csv", args=[org.slug, team.public_id])
    response = client.get(url + (f"?for={fmt}" if fmt else ""))
    assert response.status_code == 200
    return response


def test_the_spreadsheet_csv(client, org, team, lead, plan):
    client.force_login(lead)
    response = download(client, org, team)
    assert response["Content-Disposition"].startswith('attachment; filename="acme_platform_plan_')
    rows = read_csv(response, as_dicts=True)
    first = rows[0]
    assert first["Title"] == "Automated evaluation gate" and first["Status"] == "Doing"
    assert (first["Owner e-mail"], first["Due date"], first["Question"]) == (
        "olga@acme.example",
        "2027-01-15",
        "APP-5",
    )
    assert first["Question text"] and first["Dimension"]
    assert first["Link"].endswith(f"#action-{plan[0].public_id}")


def test_a_formula_in_a_title_is_neutralised(client, org, team, lead, plan):
    client.force_login(lead)
    for fmt in ("", "jira", "azure", "github"):
        text = b"".join(download(client, org, team, fmt).streaming_content).decode("utf-8-sig")
        assert "'=HYPERLINK" in text, fmt
        assert '\n"=HYPERLINK' not in text and ",=HYPERLINK" not in text, fmt


def test_jira_columns(client, org, team, lead, plan):
    client.force_login(lead)
    header, first, dropped = read_csv(download(client, org, team, "jira"))
    assert header == [
        "Issue Type",
        "Summary",
        "Description",
        "Assignee",
        "Due Date",
        "Status",
        "Resolution",
        "Labels",
        "Labels",
        "Labels",
        "Labels",
    ]
    assert first[:2] == ["Task", "Automated evaluation gate"]
    assert first[3:7] == ["olga@acme.example", "2027-01-15", "In Progress", ""]
    assert first[7:] == ["maturity-plan", "platform", "application", "APP-5"]
    assert "Done when: Every release runs the evals" in first[2]
    assert "Question: APP-5 · " in first[2] and "#action-" in first[2]
    assert dropped[5:7] == ["Done", "Won't Do"]


def test_azure_boards_columns(client, org, team, lead, plan):
    client.force_login(lead)
    header, first, _ = read_csv(download(client, org, team, "azure"))
    assert header == ["Work Item Type", "Title", "Description", "Assigned To", "Tags"]
    assert first[0:2] == ["Task", "Automated evaluation gate"]
    assert first[3] == "olga@acme.example"
    assert first[4] == "maturity-plan; platform; application; APP-5; Doing"
    assert "<b>Due:</b> 15 Jan 2027" in first[2] and "<p>" in first[2]


def test_github_columns(client, org, team, lead, plan):
    client.force_login(lead)
    header, first, dropped = read_csv(download(client, org, team, "github"))
    assert header == ["title", "body", "labels", "state", "owner_email", "due_date"]
    assert first[2:] == [
        "maturity-plan,platform,application,APP-5",
        "open",
        "olga@acme.example",
        "2027-01-15",
    ]
    assert "**Done when:** Every release runs the evals" in first[1]
    assert dropped[3] == "closed"


def test_the_organizations_plans_for_executives(client, org, team, member_of, plan):
    other = TeamFactory(organization=org, name="Search")
    ActionFactory(team=other, title="Search eval set")
    url = reverse("plans:organization_csv", args=[org.slug])
    client.force_login(member_of(Role.EXECUTIVE))
    rows = read_csv(client.get(url), as_dicts=True)
    assert {row["Team"] for row in rows} == {"Platform", "Search"}
    client.force_login(member_of(Role.LEAD))
    assert client.get(url).status_code == 403


def test_the_csv_is_flat_in_the_number_of_actions(
    client, org, team, lead, plan, django_assert_max_num_queries
):
    for n in range(30):
        ActionFactory(team=team, bank_slug="llmops", question_code=f"OPS-{n % 7 + 1}")
    client.force_login(lead)
    with django_assert_max_num_queries(11):  # 10 and the download's audit entry
        response = download(client, org, team, "jira")
        assert len(read_csv(response)) == 33
