"""Targets (DESIGN §4): an organization default per dimension, a team's own, the gap in
percentage points, and the same target and gap on every surface: the round result, the team
history (table) and the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.organizations.access import organization_access
from apps.organizations.models import Role
from apps.scoring import targets
from apps.scoring.models import Target
from apps.scoring.selectors import ScoreRow
from apps.scoring.targets import EffectiveTarget, TargetRefused, target_gap
from tests.factories import TeamFactory, published_bank
from tests.scenarios import submitted_round
from tests.support.downloads import read_csv

DUE = dt.date(2099, 3, 31)


def _row(mean, max_points=14):
    return ScoreRow(
        key="application",
        name="Application",
        mean=Decimal(mean),
        max_points=Decimal(max_points),
        level_number=1,
        level_name="Initial",
    )


# Managed on LLMOps: from 15 of 28, 54% of the maximum (53.57, rounded once).
MANAGED = EffectiveTarget(
    "llmops", "application", 3, "Managed", Decimal(15), Decimal(28), DUE, "team"
)


@pytest.mark.pure
def test_gap_is_the_target_levels_lower_bound_less_the_score_in_percentage_points():
    gap = target_gap(_row("4.00"), MANAGED)  # 4 of 14: 29%
    assert (gap.met, gap.gap, gap.text, MANAGED.threshold) == (False, 25, "gap 25 pp", 54)


@pytest.mark.pure
def test_a_score_at_the_lower_bound_meets_the_target():
    gap = target_gap(_row("7.50"), MANAGED)  # 7.5 of 14 = 15 of 28
    assert (gap.met, gap.gap, gap.text) == (True, 0, "met")


@pytest.mark.pure
def test_short_by_less_than_the_rounding_shows_is_not_met():
    # 7.49 of 14 is 53.5%, shown as 54% like the bound: not there, and said so.
    gap = target_gap(_row("7.49"), MANAGED)
    assert (gap.met, gap.gap, gap.text) == (False, 0, "gap under 1 pp")


@pytest.mark.pure
def test_no_target_no_gap():
    assert target_gap(_row("4.00"), None) is None


# --- Through the database


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE)


def _access(user, org):
    return organization_access(user, org.slug)


@pytest.fixture
def default_managed(org, executive):
    """The organization's default: application at Managed (3) by 31 Mar 2099."""
    return targets.target_set(
        access=_access(executive, org),
        bank_slug="llmops",
        dimension_key="application",
        level=3,
        due=DUE,
    )


@pytest.fixture
def closed_v1_round(team):
    """LLMOps v1, three people: application 1,1,1,1,0,0,0 each (4 of 14: 29%, Initial);
    operational all 2 (100%, Optimized)."""
    points = {"application": [1, 1, 1, 1, 0, 0, 0], "operational": [2] * 7}
    round_ = submitted_round(team=team, points=[points] * 3, title="Q3 check")
    round_.refresh_from_db()
    return round_


@pytest.mark.django_db
def test_the_default_applies_until_the_team_sets_its_own(org, team, lead, default_managed):
    applies = targets.target_for(team, "llmops", "application")
    assert (applies.level_name, applies.due, applies.source) == ("Managed", DUE, "organization")
    targets.target_set(
        access=_access(lead, org),
        bank_slug="llmops",
        dimension_key="application",
        level=4,
        due=dt.date(2099, 6, 30),
        team=team,
    )
    applies = targets.target_for(team, "llmops", "application")
    assert (applies.level_name, applies.due, applies.source) == (
        "Optimized",
        dt.date(2099, 6, 30),
        "team",
    )
    assert targets.target_for(team, "llmops", "operational") is None
    other = TeamFactory(organization=org)
    assert targets.target_for(other, "llmops", "application").source == "organization"


@pytest.mark.django_db
def test_targets_of_many_teams_at_once_are_each_teams_in_a_fixed_number_of_queries(
    org, team, lead, default_managed, django_assert_max_num_queries
):
    targets.target_set(
        access=_access(lead, org),
        bank_slug="llmops",
        dimension_key="operational",
        level=4,
        due=DUE,
        team=team,
    )
    others = [TeamFactory(organization=org) for _ in range(5)]
    team_ids = [team.pk, *(t.pk for t in others)]
    with django_assert_max_num_queries(4):  # targets, banks with levels and dimensions
        many = targets.organization_team_targets(org, team_ids, ["llmops"])
    assert many == {t.pk: targets.team_targets(t, ["llmops"]) for t in [team, *others]}
    assert many[team.pk]["llmops", "operational"].source == "team"
    assert ("llmops", "operational") not in many[others[0].pk]
    assert targets.organization_team_targets(org, team_ids, ["other"]) == {
        pk: {} for pk in team_ids
    }


@pytest.mark.django_db
def test_a_teams_target_below_the_default_is_refused_unless_an_admin_allows_it(
    org, team, lead, member_of, default_managed
):
    def set_defined():
        return targets.target_set(
            access=_access(lead, org),
            bank_slug="llmops",
            dimension_key="application",
            level=2,
            due=DUE,
            team=team,
        )

    with pytest.raises(TargetRefused, match="may not be lower unless an admin allows it"):
        set_defined()
    targets.target_policy_set(access=_access(member_of(Role.ADMIN), org), teams_may_go_below=True)
    set_defined()
    assert targets.target_for(team, "llmops", "application").level_name == "Defined"
    # Refused again: the default applies where the team's own is below it.
    targets.target_policy_set(access=_access(member_of(Role.ADMIN), org), teams_may_go_below=False)
    assert targets.target_for(team, "llmops", "application").source == "organization"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bank", "dimension", "level", "due", "message"),
    [
        ("llmops", "application", 5, DUE, "Level 5 is not a level of"),
        ("llmops", "flow", 2, DUE, "has no dimension “flow”"),
        ("nope", "application", 2, DUE, "No published question bank “nope”"),
        ("llmops", "application", 2, dt.date(2020, 1, 1), "The target date is in the past"),
    ],
)
def test_targets_are_checked_against_the_banks_latest_published_version(
    org, executive, bank, dimension, level, due, message
):
    with pytest.raises(TargetRefused, match=message):
        targets.target_set(
            access=_access(executive, org),
            bank_slug=bank,
            dimension_key=dimension,
            level=level,
            due=due,
        )


@pytest.mark.django_db
def test_a_target_keyed_by_bank_slug_holds_for_v1_and_v2_rounds(team, default_managed):
    for version in (1, 2):
        bank = published_bank(version=version)
        applies = targets.team_targets(team, [bank.slug])
        assert applies[("llmops", "application")].level_name == "Managed"


@pytest.mark.django_db
def test_every_surface_reads_the_same_target_and_gap(
    client, org, team, executive, default_managed, closed_v1_round, django_assert_max_num_queries
):
    client.force_login(executive)
    # The round result page.
    url = reverse("scoring:round_result", args=[org.slug, closed_v1_round.public_id])
    with django_assert_max_num_queries(45):
        page = client.get(url).content.decode()
    section = page[page.index('id="targets"') :]
    assert "Managed" in section and "from 54%" in section and "gap 25 pp" in section
    assert "31 Mar 2099" in section and "organization default" in section
    # The team history table.
    url = reverse("scoring:team_history", args=[org.slug, team.public_id])
    with django_assert_max_num_queries(45):
        history = client.get(url).content.decode()
    assert "target gap 25 pp" in history and "from 54%, by 31 Mar 2099" in history
    # The history chart: a dotted line at the threshold, said in its description.
    assert 'class="target-line"' in history and ">Target Application maturity: Managed<" in history
    assert "A dotted line marks the target for Application maturity: Managed, from 54%." in history
    # The API: round result and history.
    api = f"/api/v1/organizations/{org.slug}"
    result = client.get(f"{api}/rounds/{closed_v1_round.public_id}/result").json()
    points = client.get(f"{api}/teams/{team.public_id}/history").json()
    expected = {
        "level": 3,
        "level_name": "Managed",
        "threshold_percent": "54",
        "source": "organization",
        "due": "2099-03-31",
        "met": False,
        "gap_pp": "25",
    }
    for scores in (result["scores"], points[-1]["scores"]):
        by_key = {s["dimension"]: s for s in scores}
        assert by_key["application"]["target"] == expected
        assert by_key["operational"]["target"] is None  # no target there
        assert by_key["total"]["target"] is None
    # The CSVs: the result's and the history's application row, nothing on the others.
    csv_target = {
        "target_level": "Managed",
        "target_percent": "54",
        "target_source": "organization default",
        "target_due": "2099-03-31",
        "target_met": "no",
        "gap_pp": "25",
    }
    for name, args in (
        ("scoring:round_result_csv", [org.slug, closed_v1_round.public_id]),
        ("scoring:team_history_csv", [org.slug, team.public_id]),
    ):
        rows = {
            row["dimension"]: row
            for row in read_csv(client.get(reverse(name, args=args)), as_dicts=True)
        }
        assert {k: rows["Application maturity"][k] for k in csv_target} == csv_target
        assert rows["Operational maturity"]["target_level"] == ""
        assert rows["Total"]["gap_pp"] == ""


@pytest.mark.django_db
def test_a_met_target_reads_met(client, org, team, executive, closed_v1_round):
    targets.target_set(
        access=_access(executive, org),
        bank_slug="llmops",
        dimension_key="operational",
        level=4,
        due=DUE,
    )
    client.force_login(executive)
    page = client.get(reverse("scoring:round_result", args=[org.slug, closed_v1_round.public_id]))
    section = page.content.decode()[page.content.decode().index('id="targets"') :]
    assert '<span class="text-success fw-semibold">met</span>' in section


@pytest.mark.django_db
def test_a_withheld_result_shows_no_target_or_gap(client, org, team, executive, default_managed):
    round_ = submitted_round(team=team, points=[0, 1])  # 2 of 3 needed
    client.force_login(executive)
    html = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id])).content
    assert b"Against targets" not in html and b"gap " not in html


@pytest.mark.django_db
def test_a_target_raises_the_steps_of_its_dimension(org, team, executive, closed_v1_round):
    from apps.scoring.next_steps import round_steps
    from apps.scoring.selectors import round_team_result

    result = round_team_result(closed_v1_round)
    steps = round_steps(result)
    assert {s.target_level_name for s in steps} == {"Optimized"}  # no target: the top
    targets.target_set(
        access=_access(executive, org),
        bank_slug="llmops",
        dimension_key="application",
        level=2,
        due=DUE,
    )
    steps = round_steps(result)
    app = [s for s in steps if s.dimension_key == "application"]
    assert {(s.target_level_name, s.targeted) for s in app} == {("Defined", True)}


# --- The pages and their gate


def _form(**fields):
    return {
        "bank": "llmops",
        "dimension": "application",
        "level": "3",
        "due": "2099-03-31",
        **fields,
    }


@pytest.mark.django_db
def test_organization_targets_page_sets_and_clears_a_default(client, org, executive):
    client.force_login(executive)
    url = reverse("scoring:targets", args=[org.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "LLMOps" in page.content.decode() and "Application maturity" in page.content.decode()
    response = client.post(url, _form(), follow=True)
    assert "Target saved." in response.content.decode()
    assert targets.organization_defaults(org)[("llmops", "application")].level == 3
    client.post(url, _form(action="clear"))
    assert targets.organization_defaults(org) == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"level": "abc"}, "Level: Enter a whole number."),
        ({"level": ""}, "Level: Choose a target level."),
        ({"due": "31/03/2099x"}, "Target date: Enter a valid date."),
        ({"level": "9"}, "Level 9 is not a level of"),
        ({"dimension": "flow"}, "has no dimension “flow”"),
        ({"due": "2001-01-01"}, "The target date is in the past"),
    ],
)
def test_bad_input_is_said_in_words_with_a_400(client, org, executive, fields, message):
    client.force_login(executive)
    response = client.post(reverse("scoring:targets", args=[org.slug]), _form(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_only_admins_change_the_policy(client, org, executive, member_of):
    url = reverse("scoring:target_policy", args=[org.slug])
    client.force_login(executive)
    assert client.post(url, {"teams_may_go_below": "on"}).status_code == 403
    page = client.get(reverse("scoring:targets", args=[org.slug])).content.decode()
    assert "An admin changes this." in page and 'name="teams_may_go_below"' not in page
    client.force_login(member_of(Role.ADMIN))
    assert client.post(url, {"teams_may_go_below": "on"}).status_code == 302
    assert targets.teams_may_go_below(org)
    client.post(url, {})
    assert not targets.teams_may_go_below(org)


@pytest.mark.django_db
def test_organization_targets_gate(client, org, member_of, outsider):
    url = reverse("scoring:targets", args=[org.slug])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    for role in (Role.MEMBER, Role.LEAD):
        client.force_login(member_of(role))
        assert client.get(url).status_code == 403
        assert client.post(url, _form()).status_code == 403


@pytest.mark.django_db
def test_a_lead_sets_their_own_teams_target_but_not_anothers(
    client, org, team, lead, member_of, in_team, default_managed
):
    other = TeamFactory(organization=org, name="Other")
    client.force_login(lead)
    mine = reverse("scoring:team_targets", args=[org.slug, team.public_id])
    theirs = reverse("scoring:team_targets", args=[org.slug, other.public_id])
    page = client.get(mine).content.decode()
    assert "Organization default: Managed by 31 Mar 2099" in page and 'name="level"' in page
    response = client.post(mine, _form(level="4"), follow=True)
    assert "Target saved." in response.content.decode()
    assert targets.target_for(team, "llmops", "application").source == "team"
    assert client.get(theirs).status_code == 403
    assert client.post(theirs, _form(level="4")).status_code == 403
    # Below the default: refused, in words.
    response = client.post(mine, _form(level="2"))
    assert response.status_code == 400
    assert "may not be lower unless an admin allows it" in response.content.decode()
    # A member of the team reads the page, without a form, and may not post.
    reader = member_of(Role.MEMBER)
    in_team(reader, team)
    client.force_login(reader)
    page = client.get(mine).content.decode()
    assert "Optimized" in page and 'name="level"' not in page
    assert client.post(mine, _form(level="4")).status_code == 403


@pytest.mark.django_db
def test_targets_pages_are_bounded_in_queries(
    client, org, team, lead, default_managed, django_assert_max_num_queries
):
    client.force_login(lead)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("scoring:team_targets", args=[org.slug, team.public_id]))
    assert response.status_code == 200


# --- The API


@pytest.mark.django_db
def test_api_sets_and_reads_targets_through_the_same_gate(
    client, org, team, lead, executive, member_of, outsider
):
    api = f"/api/v1/organizations/{org.slug}"
    body = {"level": 3, "due": "2099-03-31"}
    client.force_login(outsider)
    assert client.get(f"{api}/targets").status_code == 404
    client.force_login(member_of(Role.LEAD))
    assert client.get(f"{api}/targets").status_code == 403
    assert (
        client.put(f"{api}/targets/llmops/application", body, content_type="application/json")
    ).status_code == 403
    client.force_login(executive)
    response = client.put(
        f"{api}/targets/llmops/application", body, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "bank": "llmops",
        "dimension": "application",
        "level": 3,
        "level_name": "Managed",
        "threshold_percent": "54",
        "due": "2099-03-31",
        "source": "organization",
    }
    bad = client.put(
        f"{api}/targets/llmops/application",
        {"level": 7, "due": "2099-03-31"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "Level 7 is not a level of" in bad.json()["detail"]
    assert client.get(f"{api}/targets").json()["targets"][0]["level_name"] == "Managed"
    # The lead sets their team's own; below the default is refused; another team's is 403.
    client.force_login(lead)
    own = f"{api}/teams/{team.public_id}/targets/llmops/application"
    response = client.put(own, {"level": 4, "due": "2099-06-30"}, content_type="application/json")
    assert response.status_code == 200
    low = client.put(own, {"level": 2, "due": "2099-06-30"}, content_type="application/json")
    assert low.status_code == 400 and "may not be lower" in low.json()["detail"]
    other = TeamFactory(organization=org)
    theirs = f"{api}/teams/{other.public_id}/targets/llmops/application"
    assert client.put(theirs, body, content_type="application/json").status_code == 403
    applies = client.get(f"{api}/teams/{team.public_id}/targets").json()["applies"]
    assert [(t["dimension"], t["level_name"], t["source"]) for t in applies] == [
        ("application", "Optimized", "team")
    ]
    assert client.delete(own).status_code == 204
    applies = client.get(f"{api}/teams/{team.public_id}/targets").json()["applies"]
    assert [(t["level_name"], t["source"]) for t in applies] == [("Managed", "organization")]


@pytest.mark.django_db
def test_overdue_shows_once_the_date_has_passed_unmet(
    client, org, team, executive, closed_v1_round, default_managed
):
    from apps.scoring.models import Target

    Target.objects.filter(pk=default_managed.pk).update(
        due=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(executive)
    page = client.get(reverse("scoring:round_result", args=[org.slug, closed_v1_round.public_id]))
    assert "overdue" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.label)
def test_api_target_writes_by_role(client, org, team, member_of, role):
    """The writes the URL walk leaves to this module: the organization's default needs an
    executive, a team's own target a lead of that team (here: not one), an admin or an owner."""
    api = f"/api/v1/organizations/{org.slug}"
    body = {"level": 3, "due": "2099-03-31"}
    client.force_login(member_of(role))
    for path, min_role in (
        (f"{api}/targets/llmops/application", Role.EXECUTIVE),
        (f"{api}/teams/{team.public_id}/targets/llmops/application", Role.ADMIN),
    ):
        put = client.put(path, body, content_type="application/json").status_code
        delete = client.delete(path).status_code
        assert (put, delete) == ((200, 204) if role >= min_role else (403, 403)), path


@pytest.mark.django_db
def test_without_targets_the_result_page_says_so_and_where_to_set_them(
    client, org, team, lead, closed_v1_round
):
    client.force_login(lead)
    page = client.get(reverse("scoring:round_result", args=[org.slug, closed_v1_round.public_id]))
    section = page.content.decode()[page.content.decode().index('id="targets"') :]
    assert "No target set for this question set yet." in section
    assert reverse("scoring:team_targets", args=[org.slug, team.public_id]) in section


@pytest.mark.django_db
def test_the_dashboard_reads_the_same_target_and_gap_as_the_round_result(
    client, org, team, executive, default_managed, closed_v1_round, django_assert_max_num_queries
):
    client.force_login(executive)
    result = client.get(
        reverse("scoring:round_result", args=[org.slug, closed_v1_round.public_id])
    ).content.decode()
    section = result[result.index('id="targets"') :]
    assert "gap 25 pp" in section and "31 Mar 2099" in section
    # The dashboard's Target column: the same gap and date, from the same rule.
    with django_assert_max_num_queries(28):  # 24 (test_dashboard), and the target banks
        page = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    heatmap = page[page.index('class="table align-middle heatmap"') :].split("</table>")[0]
    assert '<th scope="col">Target</th>' in heatmap
    assert "Application maturity: gap 25 pp · due 31 Mar 2099" in heatmap
    assert "Operational maturity:" not in heatmap  # no target there
    # Only the application default: no target zone on the grid.
    assert "Target zone" not in page
    # The dashboard CSV: target, gap in pp and due date per dimension.
    [header, row] = read_csv(client.get(reverse("scoring:dashboard_csv", args=[org.slug])))
    cells = dict(zip(header, row, strict=True))
    assert (
        cells["Application maturity target"],
        cells["Application maturity gap_pp"],
        cells["Application maturity due"],
    ) == ("Managed", "25", "2099-03-31")
    assert cells["Operational maturity target"] == cells["Operational maturity due"] == ""


@pytest.mark.django_db
def test_the_dashboard_says_met_overdue_and_shades_the_target_zone(
    client, org, team, executive, default_managed, closed_v1_round
):
    targets.target_set(
        access=_access(executive, org),
        bank_slug="llmops",
        dimension_key="operational",
        level=2,
        due=DUE,
    )
    client.force_login(executive)
    url = reverse("scoring:dashboard", args=[org.slug])
    page = client.get(url).content.decode()
    assert "Operational maturity: met · due 31 Mar 2099" in page
    assert 'class="target-zone"' in page and ">Target zone</text>" in page
    # Unmet past its date: overdue, marked (and met past its date: still met).
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Target.objects.filter(organization=org).update(due=yesterday, updated_at=timezone.now())
    page = client.get(url).content.decode()
    day = yesterday.strftime("%-d %b %Y")
    assert f"Application maturity: gap 25 pp · overdue since {day}" in page
    assert f"Operational maturity: met · due {day}" in page
