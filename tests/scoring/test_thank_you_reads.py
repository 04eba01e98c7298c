"""The thank-you page reads the respondent's own result and their open round's counts in one
statement (#14): the same counts `round_team_result` reads for itself, and the page says them."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from apps.scoring.own_result import bank_rules, participant_own_result_and_counts
from apps.scoring.selectors import round_team_result
from apps.surveys import round_services
from tests.factories import RoundFactory, published_bank
from tests.scenarios import invite, submit_by_link

pytestmark = pytest.mark.django_db


def test_the_counts_read_with_the_result_are_the_rounds(client, team, lead):
    round_ = RoundFactory(team=team, bank=published_bank(), created_by=lead, min_respondents=3)
    tokens = invite(round_, [f"p{n}@example.com" for n in range(4)])
    first, second, *_ = tokens.values()
    submit_by_link(client, first)
    submit_by_link(client, second)

    participant = round_services.participant_for_token(first)
    own, counts = participant_own_result_and_counts(participant, bank_rules(round_.bank))
    assert own is not None and own.total is not None
    read_apart = round_team_result(round_, viewer=participant)
    assert counts == {"invited": 4, "submitted": 2}
    assert (read_apart.invited, read_apart.n) == (4, 2)
    with_counts = round_team_result(round_, viewer=participant, counts=counts)
    assert (with_counts.invited, with_counts.n, with_counts.reason) == (
        read_apart.invited,
        read_apart.n,
        read_apart.reason,
    )

    html = client.get(reverse("scoring:done", args=[first])).content.decode()
    assert "Thank you, your answers are in" in html
    message = read_apart.message  # "2 of the 3 responses needed ..."
    assert "2" in message and escape(message) in html


def test_before_submitting_there_is_no_result_and_the_page_sends_back(client, team, lead):
    round_ = RoundFactory(team=team, bank=published_bank(), created_by=lead)
    (token,) = invite(round_, ["ada@example.com"]).values()
    participant = round_services.participant_for_token(token)
    assert participant_own_result_and_counts(participant, bank_rules(round_.bank)) == (None, None)
    assert client.get(reverse("scoring:done", args=[token]))["Location"] == reverse(
        "surveys:intro", args=[token]
    )
