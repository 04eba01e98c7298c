"""Leads create, edit, invite, remind and close rounds."""

import datetime as dt
import json
import zoneinfo
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.core.models import QueuedJob
from apps.organizations.models import Role
from apps.surveys import round_services
from apps.surveys.models import Participant, Round, RoundStatus
from tests.factories import published_bank

pytestmark = pytest.mark.django_db


def test_lead_creates_a_round_with_dates_in_the_org_time_zone(client, org, team, lead):
    org.time_zone = "Europe/Amsterdam"
    org.save()
    client.force_login(lead)
    bank = published_bank()
    response = client.post(
        reverse("surveys:round_create", args=[org.slug, team.public_id]),
        {
            "title": "Q1 2027",
            "bank": bank.pk,
            "opens_on": "2027-01-04",
            "closes_on": "2027-01-15",
            "anonymous": "on",
            "min_respondents": "4",
        },
    )
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "surveys:round_detail", args=[org.slug, round_.public_id]
    )
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    assert round_.opens_at == dt.datetime(2027, 1, 4, tzinfo=amsterdam)
    assert round_.closes_at == dt.datetime(2027, 1, 16, tzinfo=amsterdam)  # the end of the 15th
    assert (round_.bank, round_.anonymous, round_.min_respondents) == (bank, True, 4)


def test_a_threshold_below_2_and_an_unpublished_bank_are_refused(client, org, team, lead):
    client.force_login(lead)
    response = client.post(
        reverse("surveys:round_create", args=[org.slug, team.public_id]),
        {
            "title": "X",
            "bank": published_bank().pk,
            "opens_on": "2027-01-04",
            "closes_on": "2027-01-01",
            "min_respondents": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "greater than or equal to 2" in html and "must close after it opens" in html
    assert not Round.objects.exists()


def test_a_lead_of_another_team_cannot_run_rounds_here(client, org, team, member_of):
    other_lead = member_of(Role.LEAD)
    client.force_login(other_lead)
    assert (
        client.get(reverse("surveys:round_create", args=[org.slug, team.public_id])).status_code
        == 403
    )


def test_invite_pasted_emails_merges_duplicates_and_reports_invalid_ones(
    client, org, round_, lead, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("surveys:round_invite", args=[org.slug, round_.public_id]),
            {
                "emails": "ada@example.com, Grace@Example.com\n"
                "ada@example.com not-an-email; linus@example.com"
            },
            follow=True,
        )
    html = response.content.decode()
    assert sorted(Participant.objects.values_list("email", flat=True)) == [
        "ada@example.com",
        "grace@example.com",
        "linus@example.com",
    ]
    assert "Invited 3" in html
    assert "“not-an-email” is not a valid e-mail address" in html
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.com",
        "grace@example.com",
        "linus@example.com",
    ]
    assert all(Participant.objects.values_list("invited_at", flat=True))


def test_each_participant_gets_a_personal_link_and_only_its_hash_is_stored(round_, invite):
    tokens = invite(round_, ["ada@example.com", "bob@example.com"])
    assert len(set(tokens.values())) == 2
    for email, token in tokens.items():
        message = next(m for m in mail.outbox if m.to == [email])
        assert f"/s/{token}/" in message.body
        assert not Participant.objects.filter(token_hash=token).exists()


def test_queued_survey_emails_hold_no_link_and_the_sent_link_works(
    client, round_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        round_services.participants_invite(round_=round_, emails=["ada@example.com"])
    with django_capture_on_commit_callbacks():
        round_services.participants_remind(round_=round_)
    stored = json.dumps(list(QueuedJob.objects.values_list("args", flat=True)))
    for callback in callbacks:
        callback()  # the job runs: it derives the link again from the participant
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/s/" in line).strip()
    token = link.rsplit("/", 2)[-2]
    assert token not in stored and link not in stored
    assert client.get(urlsplit(link).path).status_code == 200


def test_invite_team_members_by_picking_them(
    client, org, team, round_, lead, member_of, in_team, django_capture_on_commit_callbacks
):
    colleague = member_of(Role.MEMBER, email="colleague@acme.example")
    in_team(colleague, team)
    client.force_login(lead)
    page = client.get(
        reverse("surveys:round_detail", args=[org.slug, round_.public_id])
    ).content.decode()
    assert "colleague@acme.example" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("surveys:round_invite", args=[org.slug, round_.public_id]),
            {"members": ["colleague@acme.example"]},
        )
    participant = Participant.objects.get()
    assert (participant.email, participant.user) == ("colleague@acme.example", colleague)


def test_inviting_the_same_person_twice_adds_nobody(round_, invite):
    invite(round_, ["ada@example.com"])
    invite(round_, ["ADA@example.com"])
    assert round_.participants.count() == 1
    assert len(mail.outbox) == 1


def test_remind_pending_once_per_24_hours(
    client, org, round_, lead, invite, django_capture_on_commit_callbacks
):
    invite(round_, ["ada@example.com", "bob@example.com"])
    Participant.objects.filter(email="bob@example.com").update(submitted_at=timezone.now())
    mail.outbox.clear()
    client.force_login(lead)
    url = reverse("surveys:round_remind", args=[org.slug, round_.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True).content.decode()
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert mail.outbox[0].subject.startswith("Reminder")
    assert "Reminder sent to 1 pending participant." in first
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, follow=True).content.decode()
    assert len(mail.outbox) == 1
    assert "reminded in the last 24 hours" in second
    Participant.objects.update(reminded_at=timezone.now() - dt.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        round_services.participants_remind(round_=round_)
    assert len(mail.outbox) == 2


def test_duplicate_delivery_of_a_reminder_sends_it_once(
    round_, invite, django_capture_on_commit_callbacks
):
    from apps.surveys.tasks import send_participant_email

    invite(round_, ["ada@example.com"])
    now = timezone.now()
    Participant.objects.update(reminded_at=now)
    participant = Participant.objects.get()
    mail.outbox.clear()
    send_participant_email(participant.pk, "reminder", now.isoformat())
    send_participant_email(participant.pk, "reminder", now.isoformat())
    send_participant_email(participant.pk, "invitation")
    assert len(mail.outbox) == 1


def test_close_by_hand_is_idempotent_and_auto_close_at_the_close_date(
    client, org, round_, lead, team
):
    client.force_login(lead)
    url = reverse("surveys:round_close", args=[org.slug, round_.public_id])
    assert "is closed" in client.post(url, follow=True).content.decode()
    assert "was already closed" in client.post(url, follow=True).content.decode()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED and round_.closed_at
    from tests.factories import RoundFactory

    due = RoundFactory(
        team=team,
        closes_at=timezone.now() - dt.timedelta(minutes=1),
        opens_at=timezone.now() - dt.timedelta(days=2),
    )
    later = RoundFactory(team=team)
    from apps.surveys.tasks import close_due_rounds

    assert close_due_rounds() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (RoundStatus.CLOSED, RoundStatus.OPEN)
    assert close_due_rounds() == 0


def test_dates_and_threshold_lock_at_the_first_response(client, org, round_, lead, invite):
    tokens = invite(round_, ["ada@example.com"])
    client.force_login(lead)
    url = reverse("surveys:round_edit", args=[org.slug, round_.public_id])
    form = {
        "title": "Renamed",
        "bank": round_.bank_id,
        "opens_on": "2026-01-01",
        "closes_on": (timezone.localdate() + dt.timedelta(days=4 * 365)).isoformat(),  # 5 y max
        "min_respondents": "5",
    }
    assert client.post(url, form).status_code == 302
    round_.refresh_from_db()
    assert round_.min_respondents == 5
    client.get(reverse("surveys:intro", args=[tokens["ada@example.com"]]))
    client.get(reverse("surveys:page", args=[tokens["ada@example.com"], 1]))
    question = round_.bank.questions.first()
    round_services.answer_save(
        participant=round_.participants.get(),
        question_id=question.pk,
        choice_id=question.choices.first().pk,
    )
    page = client.get(url)
    assert "only the title and the close date can change now" in page.content.decode()
    assert page.context["form"].fields["min_respondents"].disabled
    # A threshold posted all the same is not taken: the disabled field keeps the round's.
    response = client.post(url, {**form, "min_respondents": "2", "title": "Renamed again"})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert (round_.min_respondents, round_.title) == (5, "Renamed again")


def test_progress_shows_pending_people_unless_anonymous(client, org, round_, lead, invite):
    invite(round_, ["ada@example.com", "bob@example.com"])
    Participant.objects.filter(email="bob@example.com").update(submitted_at=timezone.now())
    client.force_login(lead)
    html = client.get(
        reverse("surveys:round_progress", args=[org.slug, round_.public_id])
    ).content.decode()
    assert "1 / 2" in html and "ada@example.com" in html and "bob@example.com" not in html
    assert 'hx-trigger="every 5s"' in html
    Round.objects.filter(pk=round_.pk).update(anonymous=True)
    html = client.get(
        reverse("surveys:round_detail", args=[org.slug, round_.public_id])
    ).content.decode()
    assert "1 / 2" in html and "ada@example.com" not in html
    assert "who is still pending is not shown" in html


def test_team_page_lists_rounds_for_its_lead(client, org, team, round_, lead):
    client.force_login(lead)
    html = client.get(
        reverse("organizations:team_detail", args=[org.slug, team.public_id])
    ).content.decode()
    assert "Q4 check" in html and "New round" in html


def test_inviting_and_reminding_many_people_takes_a_fixed_number_of_queries(
    round_, django_assert_max_num_queries
):
    from apps.core.models import QueuedJob

    for count in (3, 60):
        emails = [f"p{count}-{n}@example.com" for n in range(count)]
        with django_assert_max_num_queries(12):
            round_services.participants_invite(round_=round_, emails=emails)
        with django_assert_max_num_queries(6):
            reminded = round_services.participants_remind(
                round_=round_, now=timezone.now() + dt.timedelta(days=count)
            )
        assert reminded == round_.participants.count()
    assert QueuedJob.objects.filter(args__1="invitation").count() == 63
