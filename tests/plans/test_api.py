"""Plans in the API: the same gate and the same messages as the team page."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.services import api_token_create
from apps.organizations.models import Membership, Role
from apps.plans.models import Action
from tests.factories import ActionFactory, RoundFactory, TeamFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db


class Api:
    """One caller of the API, with a personal token."""

    def __init__(self, client, user):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')[1]}"}

    def __call__(self, method, name, body=None, headers=None, **kwargs):
        url = reverse(f"api:{name}", kwargs=kwargs)
        extra = {**self.auth, **(headers or {})}
        if body is None:
            return getattr(self.client, method)(url, **extra)
        return getattr(self.client, method)(
            url, json.dumps(body), content_type="application/json", **extra
        )


@pytest.fixture
def api(client, lead):
    return Api(client, lead)


@pytest.fixture
def owner(team):
    return TeamMembershipFactory(team=team, membership__user__email="olga@acme.example").membership


def test_create_read_update_delete(api, org, team, owner):
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    created = api(
        "post",
        "create_action",
        {
            "title": "Automated evaluation gate",
            "question": "APP-5",
            "bank": "llmops",
            "owner": "Olga@Acme.example",
            "due_date": due,
            "done_when": "Every release runs the evals",
        },
        slug=org.slug,
        team_id=team.public_id,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner"] == "olga@acme.example" and body["question"] == "APP-5"
    assert body["question_text"] and body["dimension"]
    assert body["status"] == "todo" and body["due_date"] == due and body["overdue"] is False
    assert body["url"].endswith(f"#action-{body['id']}")
    listed = api("get", "list_actions", slug=org.slug, team_id=team.public_id).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    changed = api(
        "patch",
        "update_action",
        {"status": "done", "owner": None},
        slug=org.slug,
        action_id=body["id"],
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "done" and changed.json()["done_at"]
    assert (
        changed.json()["owner"] is None and changed.json()["title"] == "Automated evaluation gate"
    )
    assert api("get", "get_action", slug=org.slug, action_id=body["id"]).json()["status"] == "done"
    deleted = api("delete", "delete_action", slug=org.slug, action_id=body["id"])
    assert deleted.status_code == 204 and not Action.objects.exists()


def test_bad_input_gets_400_with_the_pages_messages(api, org, team):
    stranger = TeamMembershipFactory(team=TeamFactory(organization=org))
    response = api(
        "post",
        "create_action",
        {
            "title": " ",
            "owner": stranger.membership.user.email,
            "due_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "question": "llmops:APP-99",
            "status": "finished",
        },
        slug=org.slug,
        team_id=team.public_id,
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["owner"] == ["The owner must be a member of Platform."]
    assert fields["title"] == ["Give the action a title."]
    assert fields["question"] == ["There is no question APP-99 in the “llmops” bank."]
    assert fields["due_date"][0].startswith("That day has passed.")
    assert fields["status"][0].startswith("The status is one of")
    assert "Give the action a title." in response.json()["detail"]


def test_a_question_without_a_bank_needs_the_teams_bank(api, org, team):
    response = api(
        "post",
        "create_action",
        {"title": "x", "question": "APP-5"},
        slug=org.slug,
        team_id=team.public_id,
    )
    assert response.status_code == 400
    assert response.json()["fields"]["question"] == [
        "Say which bank APP-5 is in, as “bank”: “llmops”."
    ]
    RoundFactory(team=team)  # the team's latest round is on llmops
    response = api(
        "post",
        "create_action",
        {"title": "x", "question": "APP-5"},
        slug=org.slug,
        team_id=team.public_id,
    )
    assert response.status_code == 201 and response.json()["bank"] == "llmops"


def test_the_same_idempotency_key_creates_one_action(api, org, team):
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    args = {"slug": org.slug, "team_id": team.public_id}
    first = api("post", "create_action", {"title": "Eval gate"}, headers=key, **args)
    again = api("post", "create_action", {"title": "Eval gate"}, headers=key, **args)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Action.objects.count() == 1
    bad = api(
        "post", "create_action", {"title": "x"}, headers={"HTTP_IDEMPOTENCY_KEY": "1"}, **args
    )
    assert bad.status_code == 422  # not a UUID: declared so in the schema


def test_a_step_added_twice_returns_the_first_action(api, org, team):
    round_ = RoundFactory(team=team)
    body = {
        "title": "APP-5 to Managed",
        "question": "llmops:APP-5",
        "source_round": str(round_.public_id),
    }
    args = {"slug": org.slug, "team_id": team.public_id}
    first = api("post", "create_action", body, **args)
    again = api("post", "create_action", body, **args)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["source"] == "step" and again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize(
    "role,in_team,is_lead,read,write",
    [
        (Role.MEMBER, True, False, 200, 403),
        (Role.LEAD, False, False, 403, 403),  # a lead of another team
        (Role.LEAD, True, True, 200, 201),
        (Role.EXECUTIVE, False, False, 200, 403),
        (Role.ADMIN, False, False, 200, 201),
        (Role.OWNER, False, False, 200, 201),
    ],
)
def test_the_gate(client, org, team, member_of, role, in_team, is_lead, read, write):
    user = member_of(role)
    if in_team:
        TeamMembershipFactory(
            team=team, membership=Membership.objects.get(user=user), is_lead=is_lead
        )
    api = Api(client, user)
    args = {"slug": org.slug, "team_id": team.public_id}
    assert api("get", "list_actions", **args).status_code == read
    assert api("post", "create_action", {"title": "x"}, **args).status_code == write
    action = ActionFactory(team=team)
    patch = api(
        "patch", "update_action", {"status": "done"}, slug=org.slug, action_id=action.public_id
    )
    assert patch.status_code == (200 if write == 201 else 403)
    delete = api("delete", "delete_action", slug=org.slug, action_id=action.public_id)
    assert delete.status_code == (204 if write == 201 else 403)


def test_an_outsider_and_the_anonymous_are_refused(client, org, team, outsider):
    action = ActionFactory(team=team)
    url = reverse("api:get_action", kwargs={"slug": org.slug, "action_id": action.public_id})
    assert client.get(url).status_code == 401
    api = Api(client, outsider)
    assert api("get", "get_action", slug=org.slug, action_id=action.public_id).status_code == 404
    patch = api("patch", "update_action", {"title": "x"}, slug=org.slug, action_id=action.public_id)
    assert patch.status_code == 404
    assert api("get", "list_actions", slug=org.slug, team_id=team.public_id).status_code == 404


def test_the_list_is_flat_in_the_number_of_actions(
    api, org, team, owner, django_assert_max_num_queries
):
    for n in range(40):
        ActionFactory(team=team, owner=owner, bank_slug="llmops", question_code=f"APP-{n % 7 + 1}")
    with django_assert_max_num_queries(12):
        response = api("get", "list_actions", slug=org.slug, team_id=team.public_id)
    assert response.json()["count"] == 40
