"""Words people understand (issue #16, part 5): the invitation e-mails say who asks, for which
team, why and how long it takes; a lead previews a bank's questions before creating a round."""

import re
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.organizations.models import Role
from apps.surveys.bank_preview import minutes_to_answer
from apps.surveys.models import BankStatus, QuestionBank
from tests.factories import OrganizationFactory, published_bank
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("questions", "minutes"), [(0, 2), (3, 2), (12, 4), (14, 5), (15, 5)])
def test_one_estimate_of_the_time_to_answer(questions, minutes):
    assert minutes_to_answer(questions) == minutes


def test_the_round_invitation_says_who_asks_which_team_why_and_how_long(round_, invite):
    invite(round_, ["ada@example.com"])
    message = mail.outbox[-1]
    body, html = message.body, message.alternatives[0][0]
    count = round_.bank.questions.count()
    for text in (body, html):
        assert "Lena Lead (lead@acme.example)" in text  # who asks, with their address
        assert "Platform" in text and "Acme" in text  # for which team, of which organization
        assert "Why:" in text and "what to improve next" in text
        assert f"about {minutes_to_answer(count)} minutes ({count} questions)" in text
    assert "a few minutes" not in body  # the number, not a vague "few"


def test_the_intro_page_and_the_invitation_give_the_same_time(client, round_, invite):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    count = round_.bank.questions.count()
    html = client.get(reverse("surveys:intro", args=[token])).content.decode()
    assert f"about {minutes_to_answer(count)} minutes for {count} questions" in html
    assert f"about {minutes_to_answer(count)} minutes" in mail.outbox[-1].body


def test_a_round_whose_creator_is_gone_is_asked_by_the_teams_lead(round_, invite):
    round_.created_by.delete()
    round_.refresh_from_db()
    invite(round_, ["ada@example.com"])
    assert "The lead of Platform asks you to answer" in mail.outbox[-1].body


def test_the_organization_invitation_says_who_which_team_why_and_how_long(
    client, org, team, member_of, django_capture_on_commit_callbacks
):
    admin = member_of(Role.ADMIN, name="Ada Admin", email="ada@acme.example")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations:member_list", args=[org.slug]),
            {"email": "new@example.com", "role": int(Role.LEAD), "teams": [team.pk]},
        )
    assert response.status_code == 302
    message = mail.outbox[-1]
    for text in (message.body, message.alternatives[0][0]):
        assert "Ada Admin (ada@acme.example) invited you to join" in text
        assert "Platform" in text  # the team they join
        assert "As a lead, you run the maturity surveys of the teams you lead" in text
        assert "accepting takes a minute" in text


def preview_url(org, team, bank=None):
    url = reverse("surveys:round_bank_preview", args=[org.slug, team.public_id])
    return f"{url}?bank={bank.pk}" if bank else url


def test_a_lead_previews_the_questions_grouped_by_dimension_with_options_and_levels(
    client, org, team, lead
):
    bank = published_bank()
    client.force_login(lead)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(preview_url(org, team, bank))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    dimensions = list(bank.dimensions.order_by("order"))
    positions = [html.index(f'id="dimension-{d.key}"') for d in dimensions]
    assert positions == sorted(positions)  # one section per dimension, in the bank's order
    for question in bank.questions.prefetch_related("choices"):
        assert question.text in html
        for choice in question.choices.all():
            assert choice.label in html
    for level in bank.levels.all():
        assert f"{level.number} · {level.name}" in html
    count = bank.questions.count()
    assert f"{count} questions on {len(dimensions)} pages, about {minutes_to_answer(count)}" in html
    main = html[html.index("<main") : html.index("</main>")]
    assert 'method="post"' not in main and "<input" not in main.replace(
        'name="bank"', ""
    )  # read-only
    assert len(queries) < 20


def test_the_preview_does_not_grow_with_the_bank(
    client, org, team, lead, django_assert_max_num_queries
):
    """The LLMOps v2 bank (more questions, option levels) costs what v1 costs."""
    client.force_login(lead)
    with CaptureQueriesContext(connection) as small:
        client.get(preview_url(org, team, published_bank()))
    big = published_bank(version=None)
    with django_assert_max_num_queries(len(small)):
        client.get(preview_url(org, team, big))


def test_the_round_form_links_each_bank_to_its_preview_and_back(client, org, team, lead):
    bank = published_bank()
    client.force_login(lead)
    form = client.get(reverse("surveys:round_create", args=[org.slug, team.public_id]))
    assert preview_url(org, team, bank).replace("&", "&amp;") in form.content.decode()
    preview = client.get(preview_url(org, team, bank)).content.decode()
    use = f"{reverse('surveys:round_create', args=[org.slug, team.public_id])}?bank={bank.pk}"
    assert use in preview
    chosen = client.get(use)
    assert chosen.context["form"].initial["bank"] == bank


def test_draft_and_unknown_banks_are_not_previewed(client, org, team, lead):
    client.force_login(lead)
    draft = QuestionBank.objects.create(slug="draft-bank", version=1, title="Draft")
    assert draft.status == BankStatus.DRAFT
    for bank_id in (draft.pk, 999999, "x"):
        url = f"{preview_url(org, team)}?bank={bank_id}"
        assert client.get(url).status_code == 404


def test_the_preview_is_gated_like_the_round_form(client, org, team, member_of, in_team):
    member = member_of(Role.MEMBER)
    in_team(member, team)
    client.force_login(member)
    assert client.get(preview_url(org, team)).status_code == 403
    outsider_org = OrganizationFactory(slug="elsewhere")
    stranger = member_of(Role.OWNER, organization=outsider_org)
    client.force_login(stranger)
    assert client.get(preview_url(org, team)).status_code == 404


def test_the_round_form_names_the_organizations_time_zone_in_good_english(client, team, lead):
    team.organization.name = "NewCo Labs"
    team.organization.save()
    client.force_login(lead)
    html = client.get(
        reverse("surveys:round_create", args=[team.organization.slug, team.public_id])
    ).content.decode()
    assert "Dates are in NewCo Labs&#x27; time zone" in html and "Labs&#x27;s" not in html


def test_a_withheld_result_says_what_its_numbers_count_open_or_closed(client, org, team, lead):
    """ "2 of 3 needed" read as "2 more needed", and said "so far" after the round closed."""
    client.force_login(lead)
    closed = submitted_round(team=team, points=[1, 1])
    html = client.get(
        reverse("scoring:round_result", args=[org.slug, closed.public_id])
    ).content.decode()
    assert "2 of the 3 responses needed" in html
    assert "so far" not in html and "2 of 3 needed" not in html
    still_open = submitted_round(team=team, points=[1, 1], closed=False, days_ago=2)
    html = client.get(
        reverse("scoring:round_result", args=[org.slug, still_open.public_id])
    ).content.decode()
    assert "2 submitted of" in html
    assert "responses needed" not in html


def test_an_organizations_creator_is_not_told_they_joined_it(
    client, django_capture_on_commit_callbacks
):
    """The creator once read "Welcome! You are now a member of NewCo Labs". From sign-up to
    the first page after confirming the address, nothing says they joined what they created;
    the page says they own it. (Only an invited person is told they are now a member.)"""
    with django_capture_on_commit_callbacks(execute=True):
        signup = client.post(
            reverse("accounts:signup"),
            {
                "name": "Nora N",
                "email": "nora@example.com",
                "password1": "a-long-passphrase-2026",
                "organization_name": "NewCo Labs",
            },
            follow=True,
        )
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body)
    landing = client.post(confirm.group(1), follow=True)
    pages = signup.content.decode() + landing.content.decode()
    assert "now a member" not in pages
    assert "owner" in landing.content.decode().lower()  # the home page names their role
