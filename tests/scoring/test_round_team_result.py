"""One read path for a round's team result (DESIGN §3, "One truth" and "Visibility").

Every surface (thank-you page, result page, CSV, history, dashboard, API, PDF) shows the numbers
of `round_team_result`, to the last digit; and while a round is open none of them shows anything
of the team's answers, so that reading twice around one submission reveals nothing but a count.
"""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from apps.reports.models import Report, ReportScope
from apps.reports.services import report_html
from apps.scoring.selectors import Withheld, round_team_result
from apps.surveys import round_services
from apps.surveys.models import Round
from tests import scenarios
from tests.factories import TeamFactory
from tests.support.downloads import read_csv

pytestmark = pytest.mark.django_db

QUESTIONS_PER_DIMENSION = 7  # the shipped LLMOps bank: application and operational, 0-2 points


def spread(points: int) -> list[int]:
    """One dimension's answers (0-2 per question) that add up to `points`."""
    answers = [2] * (points // 2) + [1] * (points % 2)
    assert len(answers) <= QUESTIONS_PER_DIMENSION
    return answers + [0] * (QUESTIONS_PER_DIMENSION - len(answers))


def scenario(team, people, *, invited=None, close=True, days_ago=20, **fields):
    """A round of `team` where each of `people` (per dimension key: a list of points per
    question, or a total to spread) submitted; `invited` more addresses than people if given.
    Returns (round, {email: token})."""
    round_ = scenarios.round_at(team, days_ago, **fields)
    emails = [f"{team.name.lower()}-{i}@example.com" for i in range(invited or len(people))]
    tokens = scenarios.invite(round_, emails)
    for email, person in zip(emails, people, strict=False):
        answers = {k: v if isinstance(v, list) else spread(v) for k, v in person.items()}
        scenarios.answer_and_submit(round_.participants.get(email=email), answers)
    if close:
        round_services.round_close(round_=round_)
    return Round.objects.get(pk=round_.pk), tokens


def thank_you_page(client, token):
    """A respondent who submitted: their link leads to the thank-you page."""
    response = client.get(reverse("surveys:intro", args=[token]), follow=True)
    assert "Thank you, your answers are in" in response.content.decode()
    return response


@pytest.fixture
def people(org, team, lead, member_of, in_team):
    """Lena the lead, Mo a member of the team and Eve an executive of the organization."""
    member = member_of(Role.MEMBER, email="mo@acme.example")
    in_team(member, team)
    return {"lead": lead, "member": member, "executive": member_of(Role.EXECUTIVE)}


# --- The same numbers everywhere


EXAMPLE = [  # issue #12: application 0/0/2, operational 1/1/0 -> the team total is 4/3 = 1.33
    {"application": 0, "operational": 1},
    {"application": 0, "operational": 1},
    {"application": 2, "operational": 0},
]
THREE_WAY_TIE = [  # every question answered 0, 1 and 2: a three-way tie in every distribution
    {"application": [0] * 7, "operational": [0] * 7},
    {"application": [1] * 7, "operational": [1] * 7},
    {"application": [2] * 7, "operational": [2] * 7},
]
TWO_WAY_TIE_ON_A_BOUND = [  # 0 against 2 on most questions; the total is 15/28, Managed's bound
    {"application": [0, 2] * 3 + [2], "operational": [0, 2] * 3 + [2]},  # 8 + 8
    {"application": [2, 0] * 3 + [0], "operational": [2, 0] * 3 + [2]},  # 6 + 8
]

ROW = re.compile(
    r'<th scope="row">([^<]+)</th>\s*<td class="text-end">([\d.]+) / [\d.]+ '
    r'<span class="small text-body-secondary">\(([\d.]+)%\)</span></td>\s*'
    r'<td><span class="badge level-\d">\d · ([^<]+)</span>'
)
PDF_ROW = re.compile(
    r'<tr><td>([^<]+)</td><td class="num">([\d.]+) / [\d.]+ \(([\d.]+)%\)</td>'
    r'<td class="level">([^<]+)</td>'
)
PDF_TOTAL = re.compile(
    r'Overall: <span class="level">([^<]+)</span> \(([\d.]+) of [\d.]+ points, ([\d.]+)%\)'
)
CELL = re.compile(r"([\d.]+)% <span class=\"badge level-\d\">([^<]+)</span>")


def expected(round_):
    """(mean, percent, level) by dimension name and "Total", from the one selector."""
    result = round_team_result(round_)
    assert result.visible
    return {row.name: (row.mean, row.percent, row.level_name) for row in result.by_key.values()}


def as_numbers(rows):
    return {name: (Decimal(mean), Decimal(pct), level) for name, mean, pct, level in rows}


def without_means(table):
    return {name: (pct, level) for name, (_, pct, level) in table.items()}


def test_every_surface_shows_the_selectors_numbers_to_the_last_digit(client, org, people):
    rounds = {}
    for name, answers, threshold in (
        ("Example", EXAMPLE, 3),  # the threshold exactly met
        ("Tied", THREE_WAY_TIE, 3),
        ("Bound", TWO_WAY_TIE_ON_A_BOUND, 2),
    ):
        team = TeamFactory(organization=org, name=name)
        rounds[name] = scenario(team, answers, min_respondents=threshold)

    example, _ = rounds["Example"]
    result = round_team_result(example)
    assert (result.total.mean, result.total.max_points) == (Decimal("1.33"), Decimal(28))
    assert [row.mean for row in result.dimensions] == [Decimal("0.67"), Decimal("0.67")]
    bound, _ = rounds["Bound"]
    assert round_team_result(bound).total.mean == Decimal("15.00")
    assert round_team_result(bound).total.level_name == "Managed"

    client.force_login(people["executive"])
    dashboard_html = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    dashboard_csv = read_csv(
        client.get(reverse("scoring:dashboard_csv", args=[org.slug]), {"period": "all"}),
        as_dicts=True,
    )
    dashboard_api = client.get(f"/api/v1/organizations/{org.slug}/dashboard").json()["items"]

    for name, (round_, tokens) in rounds.items():
        want = expected(round_)
        team = round_.team
        # The respondent's thank-you page: the team's table is the one after "Your team".
        done = thank_you_page(client, next(iter(tokens.values())))
        team_part = done.content.decode().split("Your team", 1)[1]
        assert as_numbers(ROW.findall(team_part)) == want, name

        page = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id]))
        assert as_numbers(ROW.findall(page.content.decode())) == want, name

        rows = read_csv(
            client.get(reverse("scoring:round_result_csv", args=[org.slug, round_.public_id])),
            as_dicts=True,
        )
        assert (
            as_numbers((r["dimension"], r["mean"], r["percent"], r["level"]) for r in rows) == want
        ), name

        api = client.get(f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result")
        assert (
            as_numbers(
                (s["name"], s["mean"], s["percent"], s["level_name"]) for s in api.json()["scores"]
            )
            == want
        ), name

        history_rows = read_csv(
            client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id])),
            as_dicts=True,
        )
        assert (
            as_numbers((r["dimension"], r["mean"], r["percent"], r["level"]) for r in history_rows)
            == want
        ), name
        history_api = client.get(
            f"/api/v1/organizations/{org.slug}/teams/{team.public_id}/history"
        ).json()
        assert (
            as_numbers(
                (s["name"], s["mean"], s["percent"], s["level_name"])
                for s in history_api[0]["scores"]
            )
            == want
        ), name
        history_html = client.get(
            reverse("scoring:team_history", args=[org.slug, team.public_id])
        ).content.decode()
        table_row = history_html.split(f">{round_.title}</a>", 1)[1].split("</tr>", 1)[0]
        names = ["Application maturity", "Operational maturity", "Total"]
        assert {
            n: (Decimal(p), level)
            for n, (p, level) in zip(names, CELL.findall(table_row), strict=True)
        } == without_means(want), name

        report = Report(organization=org, scope=ReportScope.ROUND, round=round_)
        pdf_html = report_html(report)
        ((level, mean, pct),) = PDF_TOTAL.findall(pdf_html)
        pdf = {
            **as_numbers(PDF_ROW.findall(pdf_html)),
            "Total": (Decimal(mean), Decimal(pct), level),
        }
        assert pdf == want, name

        dash_row = next(r for r in dashboard_csv if r["team"] == name)
        assert {
            n: (Decimal(dash_row[f"{n} %"]), dash_row[f"{n} level"]) for n in names
        } == without_means(want), name
        dash_api = next(r for r in dashboard_api if r["team"] == name)
        keys = {"application": names[0], "operational": names[1], "total": "Total"}
        assert {
            keys[k]: (Decimal(str(dash_api["scores"][k])), dash_api["levels"][k]) for k in keys
        } == without_means(want), name
        for _, (pct, level) in without_means(want).items():
            assert f"{pct}% · {level}" in dashboard_html, (name, pct, level)


# --- Nothing but a count changes while a round is open


COUNTS = [
    (re.compile(r"\d+ submitted of \d+ invited"), "# submitted of # invited"),
    # The lead's progress card and the team page: counts of submissions and invitations.
    (re.compile(r"\d+ / \d+"), "# / #"),
    (re.compile(r'aria-label="\d+ of \d+ submitted"'), 'aria-label="# of # submitted"'),
    (re.compile(r'value="\d+"( aria-label="# of # submitted")>\d+%'), r'value="#"\1>#%'),
    (re.compile(r"\d+ submitted · \d+ started"), "# submitted · # started"),
]
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+"')


def normalized(text: str) -> str:
    text = CSRF.sub(r'\1#"', text)
    for pattern, replacement in COUNTS:
        text = pattern.sub(replacement, text)
    return text


def count_columns_normalized(text: str) -> str:
    """The round CSV's count cell ("respondents" or "n") is the count."""
    rows = list(csv.reader(io.StringIO(text)))
    columns = [
        i for i, title in enumerate(rows[0]) if title.lstrip("\ufeff") in {"respondents", "n"}
    ]
    for row in rows[1:]:
        for i in columns:
            row[i] = "#"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def pending_names(text: str) -> str:
    """A named round's lead sees who is pending: that list may change, and nothing else."""
    return re.sub(
        r"<details[^>]*><summary[^>]*>Still pending \((?:<span[^>]*>)?\d+(?:</span>)?\)</summary>"
        r".*?</details>",
        "<details>pending</details>",
        re.sub(  # the progress refresh swaps the count and the names in out of band
            r'<span id="pending-count"[^>]*>\d+</span>|<ul id="pending-list"[^>]*>.*?</ul>',
            "pending",
            text,
            flags=re.S,
        ),
        flags=re.S,
    )


def everything_readable(client, org, people, round_, previous, done_token) -> dict[str, str]:
    """What a member, the lead, an executive, the API and a respondent can read."""
    team = round_.team
    seen = {}
    for who in ("member", "lead", "executive"):
        client.force_login(people[who])
        urls = {
            "result": reverse("scoring:round_result", args=[org.slug, round_.public_id]),
            "result.csv": reverse("scoring:round_result_csv", args=[org.slug, round_.public_id]),
            "history": reverse("scoring:team_history", args=[org.slug, team.public_id]),
            "history.csv": reverse("scoring:team_history_csv", args=[org.slug, team.public_id]),
            "team": reverse("organizations:team_detail", args=[org.slug, team.public_id]),
            "previous": reverse("scoring:round_result", args=[org.slug, previous.public_id]),
            "api result": f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result",
            "api history": f"/api/v1/organizations/{org.slug}/teams/{team.public_id}/history",
            "api rounds": f"/api/v1/organizations/{org.slug}/rounds",
        }
        if who == "lead":
            urls["round"] = reverse("surveys:round_detail", args=[org.slug, round_.public_id])
            urls["progress"] = reverse("surveys:round_progress", args=[org.slug, round_.public_id])
        if who == "executive":
            urls["dashboard"] = reverse("scoring:dashboard", args=[org.slug])
            urls["dashboard.csv"] = reverse("scoring:dashboard_csv", args=[org.slug])
            urls["api dashboard"] = f"/api/v1/organizations/{org.slug}/dashboard"
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, (who, name)
            if response.streaming:
                body = b"".join(response.streaming_content).decode()
            else:
                body = response.content.decode()
            if name == "result.csv":
                body = count_columns_normalized(body)
            if name.startswith("api"):
                data = json.loads(body)
                if name == "api result":
                    assert data["visible"] is False and not data["scores"] and not data["questions"]
                    data["respondents"] = "#"
                    data["message"] = normalized(data["message"])
                if name == "api rounds":
                    for item in data["items"]:
                        item["submitted"] = "#"
                body = json.dumps(data, sort_keys=True)
            seen[f"{who}: {name}"] = body
        client.logout()
    done = thank_you_page(client, done_token)
    seen["respondent: thank-you page"] = done.content.decode()
    return seen


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_one_more_submission_into_an_open_round_changes_nothing_but_the_count(
    client, org, team, people, anonymous
):
    previous, _ = scenario(team, EXAMPLE, days_ago=100, title="Earlier")
    # Open, five invited, three in: the threshold of three is met, and still nothing shows.
    round_, tokens = scenario(
        team,
        [{"application": 14, "operational": 14}] * 3,
        invited=5,
        close=False,
        anonymous=anonymous,
        title="Now",
    )
    result = round_team_result(round_)
    assert (result.visible, result.reason, result.message) == (
        False,
        Withheld.OPEN,
        "3 submitted of 5 invited",
    )
    first = next(iter(tokens.values()))
    before = everything_readable(client, org, people, round_, previous, first)
    assert "3 submitted of 5 invited" in before["member: result"]
    assert "3 submitted of 5 invited" in before["respondent: thank-you page"]

    fourth = round_.participants.order_by("email")[3]
    scenarios.answer_and_submit(fourth, {"application": [0] * 7, "operational": [2] * 7})
    after = everything_readable(client, org, people, round_, previous, first)

    assert "4 submitted of 5 invited" in after["member: result"]
    assert before["member: result"] != after["member: result"]  # the count did change
    pending_before, pending_after = before["lead: round"], after["lead: round"]
    for name in before:
        if not anonymous:
            before[name], after[name] = pending_names(before[name]), pending_names(after[name])
        assert normalized(before[name]) == normalized(after[name]), name
    if anonymous:
        assert fourth.email not in pending_before and "Still pending" not in pending_before
    else:
        # A named round's lead sees who is pending; that is all that moves besides the count.
        assert fourth.email in pending_before and fourth.email not in pending_after
