"""A round's dates: the moments it opened and actually closed, in its organization's time zone,
the same on every surface (round page, team page, history page, CSV and chart, result page,
dashboard quarters, PDF cover, "My surveys")."""

import datetime as dt
import re
import subprocess
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.dates import closing_day, closing_text, quarter_of, round_period
from apps.organizations.models import Role
from apps.reports import services as report_services
from apps.reports.pdf import render_pdf
from apps.scoring.dashboard import executive_dashboard
from apps.surveys import round_services
from apps.surveys.models import Round
from tests.factories import RoundFactory
from tests.scenarios import invite, submit_responses
from tests.support.downloads import read_csv

AMSTERDAM = "Europe/Amsterdam"
AMS = zoneinfo.ZoneInfo(AMSTERDAM)
OPENED = dt.datetime(2026, 11, 14, 9, 0, tzinfo=AMS)
DUE = dt.datetime(2026, 12, 13, 0, 0, tzinfo=AMS)  # "end of 12 Dec"
CLOSED_BY_HAND = dt.datetime(2026, 11, 28, 16, 30, tzinfo=AMS)


# --- The rule, without a database


def test_a_close_at_midnight_ends_the_day_before():
    assert closing_day(DUE, AMSTERDAM) == dt.date(2026, 12, 12)
    assert closing_text(DUE, AMSTERDAM) == "end of 12 Dec 2026"
    assert closing_text(DUE, AMSTERDAM, named=True) == "end of 12 Dec 2026 (Europe/Amsterdam)"


def test_days_and_quarters_are_the_organizations_not_utcs():
    new_year = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 Jan in Amsterdam
    assert closing_day(new_year, AMSTERDAM) == dt.date(2027, 1, 1)
    assert quarter_of(new_year, AMSTERDAM) == "Q1 2027"
    assert quarter_of(new_year, "UTC") == "Q4 2026"
    assert closing_text(dt.datetime(2026, 12, 12, 16, tzinfo=dt.UTC), AMSTERDAM, named=True) == (
        "12 Dec 2026, 17:00 (Europe/Amsterdam)"
    )


def test_a_round_closed_by_hand_closed_when_it_was_closed():
    period = round_period(opens_at=OPENED, closes_at=DUE, closed_at=CLOSED_BY_HAND)
    assert period.is_closed and period.closes == CLOSED_BY_HAND
    assert period.text(AMSTERDAM) == "14 Nov 2026 to 28 Nov 2026"
    assert period.month(AMSTERDAM) == "Nov 2026" and period.quarter(AMSTERDAM) == "Q4 2026"


def test_a_round_the_scheduler_closed_late_closed_at_its_close_date():
    late = DUE + dt.timedelta(minutes=5)
    period = round_period(opens_at=OPENED, closes_at=DUE, closed_at=late)
    assert period.closes == DUE and period.text(AMSTERDAM) == "14 Nov 2026 to 12 Dec 2026"


def test_an_open_round_shows_when_it_is_due_to_close():
    period = round_period(opens_at=OPENED, closes_at=DUE, closed_at=None)
    assert not period.is_closed
    assert period.text(AMSTERDAM) == "14 Nov 2026 to end of 12 Dec 2026"


# --- Every surface, for the round closed by hand on 28 Nov that was due at the end of 12 Dec


@pytest.fixture
def amsterdam(org):
    org.time_zone = AMSTERDAM
    org.save()
    return org


def _closed_at(round_, *, opens_at, closes_at, closed_at) -> Round:
    """`round_` with three responses, closed, then moved to these moments."""
    submit_responses(round_, [1, 1, 1])
    Round.objects.filter(pk=round_.pk).update(
        opens_at=opens_at, closes_at=closes_at, closed_at=closed_at
    )
    round_.refresh_from_db()
    return round_


@pytest.fixture
def hand_closed(amsterdam, round_):
    return _closed_at(round_, opens_at=OPENED, closes_at=DUE, closed_at=CLOSED_BY_HAND)


def _page(client, user, name, *args) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def _csv(client, user, name, *args) -> list[list[str]]:
    client.force_login(user)
    return read_csv(client.get(reverse(name, args=args)))


def _chart_months(client, user, org, team) -> list[str]:
    """The x-axis labels of the team history's chart."""
    history = _page(client, user, "scoring:team_history", org.slug, team.public_id)
    chart = re.search(r'<svg [^>]*aria-labelledby="history-chart-title.*?</svg>', history, re.S)
    return re.findall(r">([A-Z][a-z]{2} \d{4})</text>", chart.group(0))


@pytest.mark.django_db
def test_round_page_and_team_page_show_the_round_from_opening_to_closing_by_hand(
    client, hand_closed, lead, org, team
):
    for html in (
        _page(client, lead, "surveys:round_detail", org.slug, hand_closed.public_id),
        _page(client, lead, "organizations:team_detail", org.slug, team.public_id),
    ):
        assert "14 Nov 2026 to 28 Nov 2026" in html
        assert "13 Dec" not in html and "12 Dec" not in html


@pytest.mark.django_db
def test_history_page_csv_chart_and_result_page_say_closed_28_nov(
    client, hand_closed, lead, org, team
):
    history = _page(client, lead, "scoring:team_history", org.slug, team.public_id)
    assert "closed 28 Nov 2026" in history and "13 Dec" not in history
    assert "Dec 2026" not in history
    rows = _csv(client, lead, "scoring:team_history_csv", org.slug, team.public_id)
    assert rows[0][2] == "closed" and {row[2] for row in rows[1:]} == {"2026-11-28"}
    result = _page(client, lead, "scoring:round_result", org.slug, hand_closed.public_id)
    assert "closed 28 Nov 2026" in result


@pytest.mark.django_db
def test_days_are_the_organizations_on_the_history_and_in_its_csv(
    client, amsterdam, round_, lead, team
):
    new_year = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 1 Jan in Amsterdam
    _closed_at(
        round_,
        opens_at=OPENED,
        closes_at=new_year + dt.timedelta(days=9),
        closed_at=new_year,
    )
    history = _page(client, lead, "scoring:team_history", amsterdam.slug, team.public_id)
    assert "closed 1 Jan 2027" in history
    rows = _csv(client, lead, "scoring:team_history_csv", amsterdam.slug, team.public_id)
    assert {row[2] for row in rows[1:]} == {"2027-01-01"}
    assert [quarter for quarter, _ in executive_dashboard(amsterdam).trend] == ["Q1 2027"]


@pytest.mark.django_db
def test_dashboard_counts_a_round_in_the_quarter_it_was_closed_by_hand(amsterdam, round_):
    _closed_at(
        round_,
        opens_at=OPENED,
        closes_at=dt.datetime(2027, 1, 16, tzinfo=AMS),
        closed_at=dt.datetime(2026, 12, 20, 12, tzinfo=AMS),
    )
    assert [quarter for quarter, _ in executive_dashboard(amsterdam).trend] == ["Q4 2026"]
    since_january = dt.datetime(2027, 1, 1, tzinfo=AMS)
    assert executive_dashboard(amsterdam, since=since_january).teams == []


@pytest.mark.django_db
def test_the_history_chart_labels_a_round_closed_by_hand_on_28_nov_with_nov(
    client, hand_closed, lead, org, team
):
    assert _chart_months(client, lead, org, team) == ["Nov 2026"]  # due in Dec


@pytest.mark.django_db
def test_the_history_chart_labels_a_round_closing_at_2330_utc_on_31_dec_with_jan_in_amsterdam(
    client, amsterdam, round_, lead, team
):
    closes = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 Jan in Amsterdam
    late = closes + dt.timedelta(minutes=4)  # the scheduled job closed it a little late
    _closed_at(round_, opens_at=OPENED, closes_at=closes, closed_at=late)
    assert _chart_months(client, lead, amsterdam, team) == ["Jan 2027"]


@pytest.mark.django_db
def test_pdf_cover_shows_the_round_from_opening_to_closing_by_hand(hand_closed, lead):
    report = report_services.report_request(scope="round", obj=hand_closed, requested_by=lead)
    pdf = render_pdf(report_services.report_html(report))
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "(14 Nov 2026 to 28 Nov 2026)" in re.sub(r"\s+", " ", text.split("\f")[0])


# --- The respondent's pages (dates relative to today: a link works only so long)


def _days_from_today(days: int, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(
        timezone.localtime(timezone=AMS).date() + dt.timedelta(days), at, AMS
    )


def _day(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def _link(round_) -> str:
    return invite(round_, ["ann@example.com"])["ann@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at", "shown"),
    [
        (dt.time(17), lambda due: f"{_day(due)}, 17:00"),
        (dt.time(0), lambda due: f"end of {_day(due - dt.timedelta(days=1))}"),
    ],
    ids=["17:00", "midnight"],
)
def test_the_intro_page_names_the_zone_of_the_close_time(client, amsterdam, team, at, shown):
    due = _days_from_today(5, at)
    token = _link(RoundFactory(team=team, closes_at=due))
    html = client.get(reverse("surveys:intro", args=[token])).content.decode()
    assert f"<strong>Closes:</strong> {shown(due)} (Europe/Amsterdam)." in html


@pytest.mark.django_db
def test_the_intro_and_problem_pages_say_a_round_closed_by_hand_closed_that_day(
    client, amsterdam, team
):
    opened, due = _days_from_today(-20, dt.time(9)), _days_from_today(10, dt.time(17))
    round_ = RoundFactory(team=team, opens_at=opened, closes_at=due)
    token = _link(round_)
    round_services.round_close(round_=round_)
    today = _day(timezone.localtime(timezone=AMS))
    intro = client.get(reverse("surveys:intro", args=[token]))
    assert intro.status_code == 410  # it reads as closed, as its question pages do
    assert f"It closed on {today}." in intro.content.decode()
    assert _day(due) not in intro.content.decode()
    problem = client.get(reverse("surveys:page", args=[token, 1]))
    assert problem.status_code == 410
    assert f"It closed on {today}." in problem.content.decode()


@pytest.mark.django_db
def test_the_intro_and_problem_pages_name_the_zone_of_the_opening_time(client, amsterdam, team):
    opens = _days_from_today(3, dt.time(9))
    token = _link(RoundFactory(team=team, opens_at=opens, closes_at=opens + dt.timedelta(days=14)))
    shown = f"opens on {_day(opens)}, 09:00 (Europe/Amsterdam)."
    assert shown in client.get(reverse("surveys:intro", args=[token])).content.decode()
    problem = client.get(reverse("surveys:page", args=[token, 1]))
    assert problem.status_code == 403 and shown in problem.content.decode()


# --- My surveys


@pytest.mark.django_db
def test_my_surveys_shows_closing_in_the_organizations_zone_and_links_to_this_site(
    client, amsterdam, team, member_of, invite, settings, django_assert_max_num_queries
):
    settings.SITE_URL = "https://mail-only.example"
    person = member_of(Role.MEMBER, email="mia@acme.example")
    today = timezone.localtime(timezone=AMS).date()
    closes = dt.datetime.combine(today + dt.timedelta(days=5), dt.time(17), AMS)
    round_ = RoundFactory(team=team, title="Q4 check", closes_at=closes)
    token = invite(round_, [person.email])[person.email]
    client.force_login(person)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("surveys:mine")).content.decode()
    assert f"closes {closes.day} {closes:%b %Y}, 17:00 (Europe/Amsterdam)" in html
    assert f'href="{reverse("surveys:intro", args=[token])}"' in html
    assert "mail-only.example" not in html


@pytest.mark.django_db
def test_the_invitation_email_names_the_zone_of_the_close_time(amsterdam, team, invite):
    from django.core import mail

    closes = dt.datetime.combine(
        timezone.localtime(timezone=AMS).date() + dt.timedelta(days=5), dt.time(17), AMS
    )
    round_ = RoundFactory(team=team, closes_at=closes)
    invite(round_, ["ann@example.com"])
    expected = f"{closes.day} {closes:%b %Y}, 17:00 (Europe/Amsterdam)"
    message = mail.outbox[-1]
    assert expected in message.body and expected in message.alternatives[0].content
