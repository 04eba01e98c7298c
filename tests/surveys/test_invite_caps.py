"""Issue #11: the round's "invite by pasting e-mails" form was a mail relay (one POST invited 1,000
outside addresses, with the attacker's round title in the subject). New invitations are capped
per request (ROUND_INVITES_PER_REQUEST) and per round per rolling 24 hours
(ROUND_INVITES_PER_ROUND_PER_DAY); the addresses within the caps are invited, the rest refused
with a message saying how many and why."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.surveys.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def paste(client, org, round_, lead, django_capture_on_commit_callbacks):
    client.force_login(lead)

    def post(emails: list[str]) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("surveys:round_invite", args=[org.slug, round_.public_id]),
                {"emails": "\n".join(emails)},
                follow=True,
            )
        assert response.status_code == 200
        return response.content.decode()

    return post


def addresses(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{n}@outside.example" for n in range(count)]


def test_one_paste_of_300_addresses_invites_100_and_says_200_were_refused(paste, round_):
    pasted = addresses("victim", 300)
    html = paste(pasted)
    invited = list(Participant.objects.filter(round=round_).values_list("email", flat=True))
    assert sorted(invited) == sorted(pasted[:100])  # the first 100, in the order pasted
    assert len(mail.outbox) == 100
    assert "Invited 100" in html
    assert "200 addresses were not invited: at most 100 new people per paste" in html
    assert "victim100@outside.example" in html  # where to paste again from
    assert "and 180 more" in html


def test_the_per_request_cap_counts_only_new_people_and_is_a_setting(
    paste, round_, settings, invite
):
    settings.ROUND_INVITES_PER_REQUEST = 3
    invite(round_, ["old0@outside.example", "old1@outside.example"])
    mail.outbox.clear()
    html = paste(["old0@outside.example", "old1@outside.example", *addresses("new", 4)])
    assert round_.participants.count() == 5
    assert len(mail.outbox) == 3
    assert "Already invited: old0@outside.example, old1@outside.example." in html
    assert "1 address was not invited: at most 3 new people per paste" in html
    assert "new3@outside.example" in html


def test_a_round_invites_at_most_300_new_people_in_24_hours(paste, round_):
    for batch in range(3):
        paste(addresses(f"b{batch}-", 100))
    assert round_.participants.count() == 300
    mail.outbox.clear()

    html = paste(addresses("b3-", 100))
    assert round_.participants.count() == 300
    assert mail.outbox == []
    assert (
        "100 addresses were not invited: a round invites at most 300 new people in 24 hours" in html
    )

    # A day later there is room again; nothing saved before was lost.
    Participant.objects.filter(round=round_).update(
        created_at=timezone.now() - dt.timedelta(hours=24, seconds=1)
    )
    html = paste(addresses("b3-", 100))
    assert round_.participants.count() == 400
    assert len(mail.outbox) == 100
    assert "Invited 100" in html and "not invited" not in html


def test_the_daily_cap_invites_what_still_fits_and_refuses_the_rest(paste, round_, settings):
    settings.ROUND_INVITES_PER_ROUND_PER_DAY = 10
    paste(addresses("first", 8))
    # Invited 23 hours ago still counts: the window is a rolling 24 hours.
    Participant.objects.filter(round=round_).update(
        created_at=timezone.now() - dt.timedelta(hours=23)
    )
    mail.outbox.clear()
    html = paste([*addresses("second", 5), "not-an-email"])
    assert sorted(
        round_.participants.filter(email__startswith="second").values_list("email", flat=True)
    ) == ["second0@outside.example", "second1@outside.example"]
    assert len(mail.outbox) == 2
    assert "Invited 2" in html
    assert "3 addresses were not invited: a round invites at most 10 new people in 24 hours" in html
    assert "“not-an-email” is not a valid e-mail address" in html
