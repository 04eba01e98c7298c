"""The plan on the team page: listed, added to and edited in place (htmx) or with plain forms."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Membership, Role
from apps.plans.models import Action, ActionStatus
from apps.plans.selectors import team_plan
from tests.factories import (
    ActionFactory,
    RoundFactory,
    TeamMembershipFactory,
    UserFactory,
    published_bank,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def owner(team):
    user = UserFactory(email="olga@acme.example", name="Olga Owner")
    return TeamMembershipFactory(team=team, membership__user=user).membership


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def team_page(org, team) -> str:
    return reverse("organizations:team_detail", args=[org.slug, team.public_id])


def new_url(org, team) -> str:
    return reverse("plans:action_new", args=[org.slug, team.public_id])


def edit_url(org, action) -> str:
    return reverse("plans:action_edit", args=[org.slug, action.public_id])


def form_token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_the_team_page_lists_the_plan_with_overdue_actions_marked(lead_client, org, team, owner):
    today = timezone.localdate()
    ActionFactory(team=team, title="Eval gate", owner=owner, due_date=today - dt.timedelta(days=2))
    ActionFactory(team=team, title="Prompt registry", bank_slug="llmops", question_code="APP-2")
    page = lead_client.get(team_page(org, team)).content.decode()
    assert "Improvement plan" in page
    eval_row = page[page.index("Eval gate") : page.index("Prompt registry")]
    assert "Overdue" in eval_row and "Olga Owner" in eval_row
    assert "APP-2" in page and "prompts constructed?" in page  # its text, from the bank
    assert "1 overdue" in page
    assert "New action" in page  # the lead may add


def test_a_member_reads_the_plan_but_gets_no_form(client, org, team, member_of, in_team):
    member = member_of(Role.MEMBER)
    in_team(member, team)
    ActionFactory(team=team, title="Eval gate")
    client.force_login(member)
    page = client.get(team_page(org, team)).content.decode()
    assert "Eval gate" in page
    assert "New action" not in page and "action_status" not in page
    assert 'name="status"' not in page


def test_new_action_without_javascript(lead_client, org, team, owner):
    page = lead_client.get(new_url(org, team)).content.decode()
    assert "<html" in page and "New action for Platform" in page
    response = lead_client.post(
        new_url(org, team),
        {
            "title": "Eval gate",
            "owner": str(owner.public_id),
            "due_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "status": "todo",
            "question": "llmops:APP-5",
            "done_when": "Every release runs the evals",
            "form_token": form_token(page),
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#action-{action.public_id}")
    assert (action.owner, action.question_code, action.created_by) == (
        owner,
        "APP-5",
        action.created_by,
    )
    page = lead_client.get(response["Location"]).content.decode()
    assert "Added “Eval gate” to the plan." in page


def test_bad_input_without_javascript_shows_the_form_again_with_400(lead_client, org, team):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = lead_client.post(
        new_url(org, team), {"title": "", "status": "todo", "due_date": yesterday}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in page  # the title
    assert not Action.objects.exists()
    response = lead_client.post(
        new_url(org, team), {"title": "Eval gate", "status": "todo", "due_date": yesterday}
    )
    assert response.status_code == 400
    assert "That day has passed." in response.content.decode()


def test_a_double_click_on_add_makes_one_action(lead_client, org, team):
    token = form_token(lead_client.get(new_url(org, team)).content.decode())
    data = {"title": "Eval gate", "status": "todo", "form_token": token}
    first = lead_client.post(new_url(org, team), data)
    second = lead_client.post(new_url(org, team), data)
    assert first.status_code == second.status_code == 302
    assert Action.objects.count() == 1
    assert "is in the plan already" in lead_client.get(second["Location"]).content.decode()


def test_new_action_with_htmx_swaps_the_plan(lead_client, org, team):
    form = lead_client.get(new_url(org, team), **HTMX).content.decode()
    assert "<html" not in form and 'name="form_token"' in form and 'hx-target="#plan"' in form
    response = lead_client.post(
        new_url(org, team), {"title": "Eval gate", "status": "todo"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#plan" and response["HX-Reswap"] == "outerHTML"
    assert page.lstrip().startswith('<section id="plan"') or 'id="plan"' in page[:300]
    assert "Eval gate" in page and "Added “Eval gate” to the plan." in page
    response = lead_client.post(new_url(org, team), {"title": "", "status": "todo"}, **HTMX)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert 'id="plan"' in response.content.decode()  # the whole section, its form open


def test_inline_edit_with_htmx(lead_client, org, team, owner):
    action = ActionFactory(team=team, title="Eval gate")
    form = lead_client.get(edit_url(org, action), **HTMX)
    assert form.status_code == 200
    assert f'id="action-{action.public_id}"' in form.content.decode()
    assert "<html" not in form.content.decode()  # the row's form alone
    saved = lead_client.post(
        edit_url(org, action),
        {"title": "Eval gate in CI", "status": "doing", "owner": str(owner.public_id)},
        **HTMX,
    )
    assert saved.status_code == 200 and saved["HX-Retarget"] == "#plan"
    assert "Eval gate in CI" in saved.content.decode()
    action.refresh_from_db()
    assert (action.title, action.status, action.owner) == ("Eval gate in CI", "doing", owner)
    assert action.started_at is not None
    refused = lead_client.post(edit_url(org, action), {"title": "x", "status": "sleeping"}, **HTMX)
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert f'id="action-{action.public_id}"' in refused.content.decode()
    cancel = lead_client.get(reverse("plans:action_row", args=[org.slug, action.public_id]), **HTMX)
    assert "Eval gate in CI" in cancel.content.decode() and "<form" in cancel.content.decode()


def test_edit_without_javascript(lead_client, org, team):
    action = ActionFactory(team=team, title="Eval gate")
    page = lead_client.get(edit_url(org, action))
    assert page.status_code == 200 and "<html" in page.content.decode()
    response = lead_client.post(edit_url(org, action), {"title": "Renamed", "status": "done"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#action-{action.public_id}")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_at is not None
    refused = lead_client.post(edit_url(org, action), {"title": "", "status": "done"})
    assert refused.status_code == 400 and "<html" in refused.content.decode()


def test_an_owner_from_outside_the_team_is_refused_on_the_page(lead_client, org, team, member_of):
    outsider_member = member_of(Role.MEMBER)
    action = ActionFactory(team=team)
    membership = Membership.objects.get(user=outsider_member)
    response = lead_client.post(
        edit_url(org, action),
        {"title": "x", "status": "todo", "owner": str(membership.public_id)},
    )
    assert response.status_code == 400
    assert "The owner must be a member of Platform." in response.content.decode()


def test_status_menu_with_and_without_javascript(lead_client, org, team):
    action = ActionFactory(team=team, title="Eval gate")
    url = reverse("plans:action_status", args=[org.slug, action.public_id])
    response = lead_client.post(url, {"status": "doing"})
    assert response.status_code == 302
    response = lead_client.post(url, {"status": "done"}, **HTMX)
    assert response.status_code == 200 and "“Eval gate” is now done." in response.content.decode()
    action.refresh_from_db()
    assert action.status == "done"
    response = lead_client.post(url, {"status": "nonsense"}, **HTMX)
    assert response.status_code == 400
    assert "The status is one of" in response.content.decode()


def test_delete(lead_client, org, team):
    action = ActionFactory(team=team, title="Eval gate")
    url = reverse("plans:action_delete", args=[org.slug, action.public_id])
    response = lead_client.post(url, **HTMX)
    assert response.status_code == 200 and "Deleted “Eval gate”" in response.content.decode()
    assert not Action.objects.exists()


def test_writes_need_the_csrf_token(client, org, team, lead):
    client.handler.enforce_csrf_checks = True
    client.force_login(lead)
    response = client.post(new_url(org, team), {"title": "Eval gate", "status": "todo"})
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_add_to_plan_from_a_step_prefills_the_form(lead_client, org, team):
    round_ = RoundFactory(team=team)
    url = new_url(org, team) + (
        f"?title=APP-5+to+Managed&done_when=Gate+every+release+on+evals"
        f"&question=llmops:APP-5&round={round_.public_id}"
    )
    page = lead_client.get(url).content.decode()
    other_tab = lead_client.get(url).content.decode()
    assert 'value="APP-5 to Managed"' in page
    assert "Gate every release on evals" in page
    assert f'value="{round_.public_id}"' in page
    assert '<option value="llmops:APP-5" selected>' in page
    data = {
        "title": "APP-5 to Managed",
        "status": "todo",
        "question": "llmops:APP-5",
        "source_round": str(round_.public_id),
        "form_token": form_token(page),
    }
    lead_client.post(new_url(org, team), data)
    # The same step added from another tab (another form): still one action.
    data["form_token"] = form_token(other_tab)
    assert form_token(other_tab) != form_token(page)
    lead_client.post(new_url(org, team), data)
    action = Action.objects.get()
    assert (action.source, action.source_round) == ("step", round_)
    again = lead_client.get(url).content.decode()
    assert "This step is in the plan already" in again and "form_token" not in again


def test_the_team_page_runs_the_same_queries_for_3_or_30_actions(
    lead_client, org, team, owner, django_assert_max_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(team_page(org, team)).status_code == 200
        return len(queries)

    for n in range(3):
        ActionFactory(team=team, owner=owner, bank_slug="llmops", question_code=f"APP-{n + 1}")
    few = count()
    for n in range(27):
        ActionFactory(team=team, owner=owner, bank_slug="llmops", question_code=f"OPS-{n % 7 + 1}")
    assert count() == few
    with django_assert_max_num_queries(12):  # the page, its rounds, its standing and the plan
        lead_client.get(team_page(org, team))


def test_the_plan_section_alone_stays_within_its_bound(
    lead_client, org, team, owner, django_assert_max_num_queries
):
    for n in range(25):
        ActionFactory(team=team, owner=owner, bank_slug="llmops", question_code=f"APP-{n % 7 + 1}")
    action = ActionFactory(team=team)
    url = reverse("plans:action_status", args=[org.slug, action.public_id])
    with django_assert_max_num_queries(15):  # 14, and the change's audit entry
        assert lead_client.post(url, {"status": "doing"}, **HTMX).status_code == 200


def test_the_question_text_comes_from_the_bank_version_the_team_answered_last(team):
    ActionFactory(team=team, bank_slug="llmops", question_code="APP-2")
    today = timezone.localdate()
    # No round yet: the newest published version (v2).
    assert (
        team_plan(team, today=today)[0].question.text == "How are the team's prompts constructed?"
    )
    RoundFactory(team=team, bank=published_bank(version=1))
    assert team_plan(team, today=today)[0].question.text == "How are prompts written and kept?"
    later = RoundFactory(team=team, bank=published_bank(version=2))
    later.opens_at = timezone.now() + dt.timedelta(days=1)
    later.save()
    assert (
        team_plan(team, today=today)[0].question.text == "How are the team's prompts constructed?"
    )


def test_an_action_has_a_page_of_its_own(lead_client, org, team, owner):
    action = ActionFactory(team=team, title="Eval gate", owner=owner, done_when="CI runs evals")
    page = lead_client.get(reverse("plans:action_row", args=[org.slug, action.public_id]))
    text = page.content.decode()
    assert page.status_code == 200 and "<html" in text
    assert "<h1" in text and "Eval gate" in text and "CI runs evals" in text
    assert "Olga Owner" in text and "Added by hand" in text
