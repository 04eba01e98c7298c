"""The organization's home page (its Overview) per role, the checklist of a new organization,
and each team's level and trend on the Overview and team pages (DESIGN §4)."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Invitation, Role
from apps.plans.selectors import today_for
from apps.scoring.selectors import round_team_result
from apps.scoring.standings import team_standings
from apps.surveys import round_services
from apps.surveys.models import Round
from tests.factories import ActionFactory, TeamFactory, TeamMembershipFactory
from tests.scenarios import invite, round_at, submit_responses, submitted_round

pytestmark = pytest.mark.django_db


def home(client, org) -> str:
    response = client.get(reverse("organizations:dashboard", args=[org.slug]))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's words, tags left out and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def two_rounds(team, first: list, second: list, titles=("Q1 check", "Q2 check")) -> Round:
    """Two closed rounds of `team` (the second one newer) with these points; the second one."""
    submitted_round(team=team, points=first, days_ago=120, title=titles[0])
    return submitted_round(team=team, points=second, days_ago=20, title=titles[1])


def test_a_member_sees_the_surveys_to_answer_first_then_their_teams_latest_results(
    client, org, team, member_of, in_team
):
    member = member_of(Role.MEMBER, email="max@acme.example")
    in_team(member, team)
    two_rounds(team, [1, 1, 1], [2, 2, 2])  # 50% then 100%: Optimized, +50 pp
    open_round = round_at(team, 2, title="Autumn survey")
    invite(open_round, [member.email])
    client.force_login(member)

    page = home(client, org)
    words = text_of(page)
    assert words.index("Surveys to answer") < words.index("Your teams")
    assert "Autumn survey" in words and "Answer" in words
    token = round_services.participant_token(open_round.participants.get())
    assert reverse("surveys:intro", args=[token]) in page  # the personal link
    assert "100% in Q2 check" in words and "+50 pp since Q1 check" in words
    result = reverse(
        "scoring:round_result", args=[org.slug, Round.objects.get(title="Q2 check").public_id]
    )
    assert result in page
    # Nothing a member cannot do: no grid, no leads' sections.
    assert "Where the teams stand" not in words and "Teams you lead" not in words


def test_a_member_with_nothing_to_answer_is_told_so(client, org, team, member_of, in_team):
    member = member_of(Role.MEMBER)
    in_team(member, team)
    client.force_login(member)
    assert "Nothing to answer right now" in text_of(home(client, org))


def test_a_lead_sees_their_teams_open_rounds_and_the_plans_due_actions(
    client, org, team, lead, member_of
):
    quiet = TeamFactory(organization=org, name="Quiet team")
    TeamMembershipFactory(team=quiet, membership=lead.memberships.get(), is_lead=True)
    open_round = round_at(team, 3, title="Autumn check", min_respondents=3)
    submit_responses(open_round, [1, 2], close=False)
    invite(open_round, ["late@example.com"])
    today = today_for(org)
    ActionFactory(team=team, title="Add an eval gate", due_date=today - dt.timedelta(days=2))
    ActionFactory(team=team, title="Version prompts", due_date=today + dt.timedelta(days=5))
    ActionFactory(team=team, title="Someday", due_date=today + dt.timedelta(days=60))
    ActionFactory(
        team=team, title="Done already", status="done", done_at=timezone.now(), due_date=today
    )
    elsewhere = TeamFactory(organization=org, name="Not led")
    ActionFactory(team=elsewhere, title="Not mine", due_date=today)
    client.force_login(lead)

    words = text_of(home(client, org))
    assert "Teams you lead" in words
    assert "Autumn check 2 of 3 submitted · 3 needed" in words
    assert "Quiet team No open round" in words and "Start a round for Quiet team" in words
    due = words[words.index("Actions due") :]
    assert due.index("Add an eval gate") < due.index("Version prompts")
    assert "Overdue" in due
    assert "Someday" not in due and "Done already" not in due and "Not mine" not in due


def test_an_executive_sees_the_grid_and_the_three_largest_moves(client, org, member_of):
    moves = {"Up a lot": ([1, 1, 1], [2, 2, 2]), "Down": ([2, 2, 2], [1, 1, 2])}
    moves |= {"Up a little": ([1, 1, 1], [1, 1, 2]), "Flat": ([1, 1, 1], [1, 1, 1])}
    for name, (first, second) in moves.items():
        two_rounds(TeamFactory(organization=org, name=name), first, second)
    client.force_login(member_of(Role.EXECUTIVE))

    page = home(client, org)
    words = text_of(page)
    assert "<svg" in page and "maturity-grid" in page
    headlines = words[words.index("Headline changes") : words.index("All teams")]
    moved = re.findall(
        r"(Up a lot|Down|Up a little|Flat) ?: ([▲▼]) ([+-])(\d+) pp since Q1 check", headlines
    )
    assert [(name, icon, sign) for name, icon, sign, _ in moved] == [
        ("Up a lot", "▲", "+"),
        ("Down", "▼", "-"),
        ("Up a little", "▲", "+"),
    ]
    assert moved[0][3] == "50" and int(moved[1][3]) > int(moved[2][3]) > 0
    assert 'class="decline"' in page  # the fall is marked, not only signed


def test_the_headline_changes_never_compare_two_question_sets(client, org, member_of):
    from apps.surveys.models import QuestionBank

    banks = list(QuestionBank.objects.filter(status="published").order_by("slug", "version"))
    if len({bank.pk for bank in banks}) < 2:
        pytest.skip("one published bank")
    team = TeamFactory(organization=org, name="Switched")
    submitted_round(team=team, points=[1, 1, 1], days_ago=120, title="Old set", bank=banks[0])
    submitted_round(team=team, points=[2, 2, 2], days_ago=20, title="New set", bank=banks[1])
    client.force_login(member_of(Role.EXECUTIVE))
    words = text_of(home(client, org))
    assert "since Old set" not in words
    assert "used a new question set" in words and "new question set: no change shown" in words


def test_standings_are_the_round_results_numbers(org):
    teams = [TeamFactory(organization=org) for _ in range(3)]
    two_rounds(teams[0], [0, 1, 2], [2, 2, 1])
    two_rounds(teams[1], [2, 2, 2], [0, 0, 1])
    submitted_round(team=teams[2], points=[1, 2, 2], days_ago=5)
    submitted_round(team=teams[2], points=[2, 2], days_ago=1, min_respondents=3)  # withheld

    standings = team_standings(team.pk for team in teams)
    for team in teams:
        latest = Round.objects.filter(team=team).results_visible().order_by("-opens_at").first()
        result = round_team_result(latest)
        standing = standings[team.pk]
        assert standing.round_title == latest.title
        assert (standing.percent, standing.level_name) == (
            result.total.percent,
            result.total.level_name,
        )
        assert standing.change == result.total.change
    assert standings[teams[2].pk].change is None  # one visible round: nothing to compare


def test_a_result_below_its_threshold_shows_no_level(client, org, team, member_of):
    submitted_round(team=team, points=[2, 2], min_respondents=3)
    client.force_login(member_of(Role.EXECUTIVE))
    for url in (
        reverse("organizations:dashboard", args=[org.slug]),
        reverse("organizations:team_list", args=[org.slug]),
        reverse("organizations:team_detail", args=[org.slug, team.public_id]),
    ):
        words = text_of(client.get(url).content.decode())
        assert "No result yet" in words and "Optimized" not in words.split("Levels:")[0], url


def test_the_overview_and_team_pages_show_each_teams_level_and_trend(client, org, team, member_of):
    two_rounds(team, [1, 1, 1], [2, 2, 2])
    client.force_login(member_of(Role.ADMIN))
    for url in (
        reverse("organizations:dashboard", args=[org.slug]),
        reverse("organizations:team_list", args=[org.slug]),
        reverse("organizations:team_detail", args=[org.slug, team.public_id]),
    ):
        words = text_of(client.get(url).content.decode())
        assert "Optimized 100% in Q2 check" in words, url
        assert "+50 pp since Q1 check" in words, url


def test_a_new_organization_gets_a_checklist_that_ticks_itself(client, org, member_of):
    owner = member_of(Role.OWNER)
    client.force_login(owner)

    names = ["Create a team", "Invite people", "Start a round", "See results"]

    def steps() -> dict[str, bool]:
        """{step: done} as the checklist shows them; {} without a checklist."""
        page = home(client, org)
        if 'id="checklist-heading"' not in page:
            return {}
        items = page.split('id="checklist-heading"')[1].split("</ol>")[0].split("<li")[1:]
        return {name: "is-done" in item for item in items for name in names if name in item}

    assert steps() == dict.fromkeys(names, False)
    team = TeamFactory(organization=org)
    assert steps() == {**dict.fromkeys(names, False), "Create a team": True}
    Invitation.objects.create(
        organization=org,
        email="new@example.com",
        token_hash="y" * 64,
        expires_at=org.created_at + dt.timedelta(days=999),
    )
    round_ = round_at(team, 1)
    assert steps() == {**dict.fromkeys(names, True), "See results": False}
    submit_responses(round_, [1, 1, 1])
    assert steps() == {}  # all done: the checklist is gone


def test_only_admins_and_owners_get_the_checklist(client, org, member_of):
    for role in Role:
        client.force_login(member_of(role))
        assert ("Get started" in home(client, org)) == (role >= Role.ADMIN), role


def test_an_empty_dashboard_offers_no_csv_or_pdf_and_says_what_is_missing(
    client, org, team, member_of
):
    submitted_round(team=team, points=[2, 2], min_respondents=3)  # below its threshold
    client.force_login(member_of(Role.EXECUTIVE))
    page = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    words = text_of(page)
    assert "Download CSV" not in words and "Board brief (PDF)" not in words
    assert "No board brief yet: no team has a closed round that met its threshold." in words
    two_rounds(team, [1, 1, 1], [2, 2, 2])
    words = text_of(client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode())
    assert "Download CSV" in words and "Board brief (PDF)" in words


def test_a_withheld_result_offers_no_csv_or_pdf_and_says_what_is_missing(
    client, org, team, member_of
):
    round_ = submitted_round(team=team, points=[2, 2], min_respondents=3)
    client.force_login(member_of(Role.EXECUTIVE))
    page = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id]))
    words = text_of(page.content.decode())
    assert "Download CSV" not in words and "Comments CSV" not in words
    assert "Team retro pack (PDF)" not in words
    assert (
        "The team retro pack (PDF) is not available: the round closed below its threshold." in words
    )
