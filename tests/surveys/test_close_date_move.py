"""Once people have answered, a lead may still move the close date of an open round: later, or
earlier but not into the past; whoever has not submitted is told by e-mail (issue #16)."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.surveys import round_services
from apps.surveys.models import Participant, Round, RoundStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(round_, invite):
    """Ada has started answering, Bob has submitted, Cy has not begun, Dee's link is revoked."""
    tokens = invite(
        round_, ["ada@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]
    )
    question = round_.bank.questions.first()
    round_services.answer_save(
        participant=round_.participants.get(email="ada@example.com"),
        question_id=question.pk,
        choice_id=question.choices.first().pk,
    )
    Participant.objects.filter(email="bob@example.com").update(submitted_at=timezone.now())
    Participant.objects.filter(email="dee@example.com").update(revoked_at=timezone.now())
    mail.outbox.clear()
    return tokens


def form_for(round_, closes_on: dt.date, **changes) -> dict:
    zone = zoneinfo.ZoneInfo(round_.team.organization.time_zone)
    return {
        "title": round_.title,
        "bank": round_.bank_id,
        "opens_on": round_.opens_at.astimezone(zone).date().isoformat(),
        "closes_on": closes_on.isoformat(),
        "min_respondents": str(round_.min_respondents),
        **changes,
    }


def edit_url(org, round_):
    return reverse("surveys:round_edit", args=[org.slug, round_.public_id])


def test_the_close_date_moves_later_and_those_still_to_submit_are_told(
    client, org, round_, lead, started, django_capture_on_commit_callbacks
):
    opens_at = round_.opens_at
    later = timezone.localdate() + dt.timedelta(days=30)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(org, round_), form_for(round_, later), follow=True)
    round_.refresh_from_db()
    zone = zoneinfo.ZoneInfo(org.time_zone)
    assert round_.closes_at == dt.datetime.combine(later + dt.timedelta(days=1), dt.time(0), zone)
    assert round_.opens_at == opens_at  # untouched, although the form has only its day
    page = response.content.decode()
    assert "It now closes later: end of" in page
    assert "2 people who have not submitted yet will be told by e-mail" in page
    told = {message.to[0]: message for message in mail.outbox}
    assert set(told) == {"ada@example.com", "cy@example.com"}  # not Bob (done), not Dee
    ada, cy = told["ada@example.com"], told["cy@example.com"]
    assert ada.subject.startswith(f"New close date for “{round_.title}”: end of")
    assert "Lena Lead (lead@acme.example) moved the close date" in ada.body
    assert "Your answers so far are saved" in ada.body
    assert "You have not answered yet" in cy.body
    link = next(line for line in cy.body.splitlines() if "/s/" in line).strip()
    assert link.endswith(f"/s/{started['cy@example.com']}/")


def test_the_close_date_moves_earlier_but_not_into_the_past(
    client, org, round_, lead, started, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    earlier = timezone.localdate() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(org, round_), form_for(round_, earlier), follow=True)
    assert "It now closes earlier" in response.content.decode()
    assert len(mail.outbox) == 2
    round_.refresh_from_db()
    before = round_.closes_at
    mail.outbox.clear()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(edit_url(org, round_), form_for(round_, yesterday))
    assert response.status_code == 200  # the form again, as for any invalid round
    assert response.context["form"].errors["closes_on"] == [
        "That close date is in the past: choose a later date or time. To end the round now, "
        "use “Close round”."
    ]
    assert not Round.objects.filter(title="Late").exists()
    round_.refresh_from_db()
    assert round_.closes_at == before and not mail.outbox


def test_only_the_title_and_the_close_date_change_once_people_have_answered(
    client, org, round_, lead, started
):
    client.force_login(lead)
    page = client.get(edit_url(org, round_)).content.decode()
    assert "only the title and the close date can change now" in page
    form = client.get(edit_url(org, round_)).context["form"]
    assert [name for name, field in form.fields.items() if field.disabled] == [
        "bank",
        "opens_on",
        "anonymous",
        "min_respondents",
    ]
    same_close = (round_.closes_at.astimezone(zoneinfo.ZoneInfo(org.time_zone))).date()
    posted = form_for(round_, same_close, title="Renamed", min_respondents="9")
    # The round closes at a time of day: the form carries it.
    posted["closes_time"] = round_.closes_at.astimezone(zoneinfo.ZoneInfo(org.time_zone)).strftime(
        "%H:%M:%S"
    )
    assert client.post(edit_url(org, round_), posted).status_code == 302
    round_.refresh_from_db()
    assert (round_.title, round_.min_respondents) == ("Renamed", 3)  # a disabled field stays
    with pytest.raises(Exception, match="the bank, the opening date, anonymity"):
        round_services.round_update(
            round_=round_,
            title="x",
            bank=round_.bank,
            opens_at=round_.opens_at,
            closes_at=round_.closes_at,
            anonymous=round_.anonymous,
            min_respondents=9,
        )


def test_a_title_change_alone_emails_nobody(
    client, org, round_, lead, started, django_capture_on_commit_callbacks
):
    zone = zoneinfo.ZoneInfo(org.time_zone)
    Round.objects.filter(pk=round_.pk).update(
        closes_at=dt.datetime.combine(timezone.localdate() + dt.timedelta(days=9), dt.time(0), zone)
    )
    round_.refresh_from_db()
    client.force_login(lead)
    closes_on = timezone.localdate() + dt.timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(org, round_), form_for(round_, closes_on, title="New"))
    assert response.status_code == 302 and not mail.outbox
    round_.refresh_from_db()
    assert round_.title == "New"


def test_a_closed_round_refuses_any_change(client, org, round_, lead, started):
    round_services.round_close(round_=round_)
    client.force_login(lead)
    later = timezone.localdate() + dt.timedelta(days=30)
    for response in (
        client.get(edit_url(org, round_), follow=True),
        client.post(edit_url(org, round_), form_for(round_, later), follow=True),
    ):
        assert "is closed: its title and dates can no longer change" in response.content.decode()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED and not mail.outbox


def test_a_notice_for_a_date_moved_again_or_a_round_closed_since_is_not_sent(
    round_, started, django_capture_on_commit_callbacks
):
    """Two moves before the e-mails go out: only the second's go; none once it has closed."""
    zone = zoneinfo.ZoneInfo(round_.team.organization.time_zone)

    def move(days):
        closes_at = dt.datetime.combine(
            timezone.localdate() + dt.timedelta(days=days), dt.time(0), zone
        )
        round_services.round_update(
            round_=round_,
            title=round_.title,
            bank=round_.bank,
            opens_at=round_.opens_at,
            closes_at=closes_at,
            anonymous=round_.anonymous,
            min_respondents=round_.min_respondents,
        )
        return closes_at

    with django_capture_on_commit_callbacks() as first:
        move(20)
    with django_capture_on_commit_callbacks() as second:
        move(25)
    for callback in [*first, *second]:
        callback()
    assert len(mail.outbox) == 2  # the second move's, one each for Ada and Cy
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as third:
        move(27)
    round_services.round_close(round_=round_)
    for callback in third:
        callback()
    assert not mail.outbox


def test_a_past_close_date_on_a_new_round_is_refused_beside_the_date(client, org, team, lead):
    """(It used to reach the form as an error for a field the form does not have: a 500.)"""
    client.force_login(lead)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        reverse("surveys:round_create", args=[org.slug, team.public_id]),
        {
            "title": "Late",
            "bank": Round._meta.get_field("bank")
            .related_model.objects.filter(status="published")
            .first()
            .pk,
            "opens_on": (yesterday - dt.timedelta(days=3)).isoformat(),
            "closes_on": yesterday.isoformat(),
            "min_respondents": "3",
        },
    )
    assert response.status_code == 200  # the form again, as for any invalid round
    assert response.context["form"].errors["closes_on"] == [
        "That close date is in the past: choose a later date or time. To end the round now, "
        "use “Close round”."
    ]
    assert not Round.objects.filter(title="Late").exists()


def test_nobody_left_to_remind_offers_no_reminder_button(client, org, round_, lead, invite):
    invite(round_, ["ada@example.com"])
    client.force_login(lead)
    url = reverse("surveys:round_detail", args=[org.slug, round_.public_id])
    assert "Remind pending" in client.get(url).content.decode()
    Participant.objects.filter(round=round_).update(submitted_at=timezone.now())
    html = client.get(url).content.decode()
    assert "Remind pending" not in html and "Everyone has submitted." in html
