"""Issue #11: survey links expire SURVEY_LINK_DAYS_AFTER_CLOSE days after their round closes, and a
lead can revoke one. A dead link is a clear 410 page; the response and its answers stay, and
keep counting in the team's results."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from apps.organizations.models import Role
from apps.scoring import selectors as scoring_selectors
from apps.surveys import round_services
from apps.surveys.models import Answer, Participant, Response, Round, RoundStatus
from tests.factories import TeamFactory
from tests.scenarios import submit_by_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(client, round_, invite):
    """Three colleagues who submitted (0, 14 and 28 points of 28): the team mean is 14 / 28."""
    tokens = invite(round_, ["a@example.com", "b@example.com", "c@example.com"])
    for token, points in zip(tokens.values(), (0, 1, 2), strict=True):
        submit_by_link(client, token, points)
    return tokens


def closed_days_ago(round_, days):
    """Move the clock: the round closed `days` days ago (the beat closed it at its close date)."""
    round_services.round_close(round_=round_)  # stores the team's result, as the beat does
    moment = timezone.now() - dt.timedelta(days=days)
    Round.objects.filter(pk=round_.pk).update(
        opens_at=moment - dt.timedelta(days=14),
        closes_at=moment,
        closed_at=moment,
        status=RoundStatus.CLOSED,
    )
    return moment


# --- Expiry


def test_a_finished_link_shows_results_29_days_after_close_and_is_410_at_31(
    client, org, round_, three
):
    org.time_zone = "Pacific/Auckland"
    org.save()
    done = reverse("scoring:done", args=[three["a@example.com"]])
    closed_days_ago(round_, 29)
    page = client.get(done)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your result" in html and "Average of 3 colleagues" in html

    closed = closed_days_ago(round_, 31)
    page = client.get(done)
    assert page.status_code == 410
    html = page.content.decode()
    expired_on = date_format(
        (closed + dt.timedelta(days=30)).astimezone(zoneinfo.ZoneInfo("Pacific/Auckland")),
        "j F Y",
    )
    assert f"This link expired on {expired_on}; ask your team lead for the results." in html
    assert "Your result" not in html and "Average of" not in html
    # Only the link died: the responses, and the team result the lead reads, are unchanged.
    assert Response.objects.filter(round=round_, status="submitted").count() == 3
    result = scoring_selectors.round_team_result(Round.objects.get(pk=round_.pk))
    assert result.n == 3


def test_every_survey_url_of_an_expired_link_is_410_also_for_a_draft(client, round_, invite):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    question = round_.bank.questions.first()
    client.post(
        reverse("surveys:answer", args=[token]), {f"q-{question.pk}": question.choices.first().pk}
    )
    closed_days_ago(round_, 31)
    for method, url in survey_urls(token, question):
        assert getattr(client, method)(url).status_code == 410, url
    assert Answer.objects.filter(response__participant__email="ada@example.com").count() == 1


def test_a_round_closed_by_hand_expires_counting_from_when_it_was_closed(client, round_, three):
    Round.objects.filter(pk=round_.pk).update(
        status=RoundStatus.CLOSED,
        closed_at=timezone.now() - dt.timedelta(days=31),
        closes_at=timezone.now() + dt.timedelta(days=5),  # its planned close date, not reached
    )
    assert client.get(reverse("scoring:done", args=[three["b@example.com"]])).status_code == 410


def test_the_grace_period_is_a_setting(client, round_, three, settings):
    settings.SURVEY_LINK_DAYS_AFTER_CLOSE = 2
    closed_days_ago(round_, 1)
    assert client.get(reverse("scoring:done", args=[three["a@example.com"]])).status_code == 200
    closed_days_ago(round_, 3)
    assert client.get(reverse("scoring:done", args=[three["a@example.com"]])).status_code == 410


def test_the_thank_you_page_says_until_when_the_link_works(client, round_, three, settings):
    html = client.get(reverse("scoring:done", args=[three["a@example.com"]])).content.decode()
    from apps.core.dates import closing_text

    zone = round_.team.organization.time_zone
    until = closing_text(round_.closes_at + dt.timedelta(days=30), zone, named=True)
    assert f"until 30 days after the round closes ({until} at the latest)" in html
    assert f"({zone})" in until  # in the organization's zone, and it says which


# --- Revocation


def survey_urls(token, question):
    return [
        ("get", reverse("surveys:intro", args=[token])),
        ("get", reverse("surveys:page", args=[token, 1])),
        ("post", reverse("surveys:page", args=[token, 1])),
        ("post", reverse("surveys:answer", args=[token])),
        ("get", reverse("surveys:review", args=[token])),
        ("post", reverse("surveys:submit", args=[token])),
        ("get", reverse("scoring:done", args=[token])),
    ]


def revoke(client, org, round_, email, **kwargs):
    participant = Participant.objects.get(round=round_, email=email)
    return client.post(
        reverse("surveys:participant_revoke", args=[org.slug, round_.public_id]),
        {"participant": str(participant.public_id)},
        **kwargs,
    )


def revoke_button(round_, email) -> str:
    participant = Participant.objects.get(round=round_, email=email)
    return f'name="participant" value="{participant.public_id}"'


def test_a_revoked_link_is_410_on_every_survey_url_and_its_answers_still_count(
    client, org, round_, lead, three, invite
):
    bob = invite(round_, ["bob@example.com"])["bob@example.com"]
    question = round_.bank.questions.order_by("pk").first()
    first, second = question.choices.order_by("points")[:2]
    client.post(reverse("surveys:answer", args=[bob]), {f"q-{question.pk}": first.pk})

    client.force_login(lead)
    for email in ("a@example.com", "bob@example.com"):
        response = revoke(client, org, round_, email, follow=True)
        assert response.status_code == 200
        assert f"The link of {email} is revoked" in response.content.decode()
    client.logout()

    for token in (three["a@example.com"], bob):
        for method, url in survey_urls(token, question):
            data = {f"q-{question.pk}": second.pk} if method == "post" else None
            response = getattr(client, method)(url, data)
            assert response.status_code == 410, url
            html = response.content.decode()
            assert "This link was revoked" in html and "Your team lead revoked this link" in html
            assert "Average of" not in html and "Your result" not in html
        # The htmx autosave gets a short 410 too.
        response = client.post(
            reverse("surveys:answer", args=[token]),
            {f"q-{question.pk}": second.pk},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 410
        assert "revoked" in response.content.decode()

    # Bob's draft was not changed by the refused autosave, page save or submit.
    draft = Response.objects.get(participant__email="bob@example.com")
    assert draft.status == "draft"
    assert list(draft.answers.values_list("choice", flat=True)) == [first.pk]
    # a@example.com's submitted answers still count: once the round closes the others see a
    # mean of 3 colleagues, and the lead's result counts 3 respondents.
    round_services.round_close(round_=round_)
    html = client.get(reverse("scoring:done", args=[three["b@example.com"]])).content.decode()
    assert "Average of 3 colleagues" in html and "14.00 / 28.00" in html
    assert Answer.objects.filter(response__participant__email="a@example.com").exists()
    assert scoring_selectors.round_team_result(Round.objects.get(pk=round_.pk)).n == 3


def test_revoking_is_idempotent_and_final(client, org, round_, lead, invite):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    client.force_login(lead)
    revoke(client, org, round_, "ada@example.com")
    revoked_at = Participant.objects.get().revoked_at
    assert revoked_at is not None
    revoke(client, org, round_, "ada@example.com")
    assert Participant.objects.get().revoked_at == revoked_at
    assert client.get(reverse("surveys:intro", args=[token])).status_code == 410


def test_a_revoked_person_is_not_reminded_nor_listed_in_my_surveys(
    client, org, team, round_, lead, member_of, invite, django_capture_on_commit_callbacks
):
    person = member_of(Role.MEMBER, email="me@example.com")
    invite(round_, ["me@example.com", "other@example.com"])
    client.force_login(person)
    assert round_.title in client.get(reverse("surveys:mine")).content.decode()
    client.force_login(lead)
    revoke(client, org, round_, "me@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:round_remind", args=[org.slug, round_.public_id]))
    assert [m.to for m in mail.outbox] == [["other@example.com"]]
    client.force_login(person)
    assert round_.title not in client.get(reverse("surveys:mine")).content.decode()


def test_the_round_page_leads_to_a_revoke_button_per_person_with_a_confirmation(
    client, org, round_, lead, invite
):
    invite(round_, ["ada@example.com", "bob@example.com"])
    client.force_login(lead)
    detail = client.get(reverse("surveys:round_detail", args=[org.slug, round_.public_id]))
    people_url = reverse("surveys:round_people", args=[org.slug, round_.public_id])
    assert people_url in detail.content.decode()
    html = client.get(people_url).content.decode()
    for email in ("ada@example.com", "bob@example.com"):
        assert revoke_button(round_, email) in html
        assert f'data-confirm="Revoke the link of {email}?' in html
    revoke(client, org, round_, "ada@example.com")
    html = client.get(people_url).content.decode()
    assert revoke_button(round_, "ada@example.com") not in html and "Revoked" in html
    assert revoke_button(round_, "bob@example.com") in html


def test_an_anonymous_round_people_page_does_not_say_who_submitted(
    client, org, round_, lead, invite
):
    Round.objects.filter(pk=round_.pk).update(anonymous=True)
    invite(round_, ["ada@example.com", "bob@example.com"])
    Participant.objects.filter(email="bob@example.com").update(submitted_at=timezone.now())
    client.force_login(lead)
    html = client.get(reverse("surveys:round_people", args=[org.slug, round_.public_id]))
    html = html.content.decode()
    assert "ada@example.com" in html and "bob@example.com" in html
    assert "Submitted" not in html and "Pending" not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 302),
        ("admin", 302),
        ("owner", 302),
        ("member", 403),
        ("member_of_the_team", 403),
        ("executive", 403),
        ("lead_of_another_team", 403),
        ("outsider", 404),
    ],
)
def test_only_someone_who_runs_the_round_may_revoke(
    client, org, team, round_, lead, member_of, in_team, outsider, invite, who, status
):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    users = {
        "lead": lambda: lead,
        "admin": lambda: member_of(Role.ADMIN),
        "owner": lambda: member_of(Role.OWNER),
        "member": lambda: member_of(Role.MEMBER),
        "executive": lambda: member_of(Role.EXECUTIVE),
        "outsider": lambda: outsider,
    }
    if who == "member_of_the_team":
        user = member_of(Role.MEMBER)
        in_team(user, team)
    elif who == "lead_of_another_team":
        user = member_of(Role.LEAD)
        in_team(user, TeamFactory(organization=org), is_lead=True)
    else:
        user = users[who]()
    client.force_login(user)
    people = client.get(reverse("surveys:round_people", args=[org.slug, round_.public_id]))
    assert people.status_code == (200 if status == 302 else status)
    assert revoke(client, org, round_, "ada@example.com").status_code == status
    revoked = Participant.objects.get().revoked_at is not None
    assert revoked is (status == 302)
    assert client.get(reverse("surveys:intro", args=[token])).status_code == (
        410 if revoked else 200
    )


def test_a_participant_of_another_round_cannot_be_revoked_through_this_one(
    client, org, team, round_, lead, invite
):
    from tests.factories import RoundFactory

    other = RoundFactory(team=team)
    invite(other, ["ada@example.com"])
    participant = Participant.objects.get(round=other)
    client.force_login(lead)
    url = reverse("surveys:participant_revoke", args=[org.slug, round_.public_id])
    for posted in (str(participant.public_id), "not-a-uuid", ""):
        response = client.post(url, {"participant": posted}, follow=True)
        assert response.status_code == 200
        assert "not invited to this round; nothing was revoked" in response.content.decode()
    assert Participant.objects.get(pk=participant.pk).revoked_at is None


def test_an_invitation_still_queued_when_the_link_is_revoked_is_not_sent(round_):
    """The e-mail job may run after the revoke (a busy or stopped worker): it sends nothing."""
    from apps.surveys.tasks import send_participant_email

    round_services.participants_invite(round_=round_, emails=["ada@example.com"])
    participant = Participant.objects.get()
    Participant.objects.filter(pk=participant.pk).update(invited_at=None)  # not sent yet
    round_services.participant_revoke(round_=round_, participant_public_id=participant.public_id)
    mail.outbox.clear()
    send_participant_email(participant.pk, "invitation")
    assert mail.outbox == []
