"""The respondent's way through a survey, as a new respondent finds it (#16): "Continue" opens
the first page with a question left, "Back" on the review goes to the last question page, the
progress bar counts answers, a closed round's introduction reads as closed and keeps the draft,
and the thank-you page says what each level badge means, in the bank's words."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.surveys import bank_services, round_services
from apps.surveys.models import Answer, Participant, Response, Round, RoundStatus
from tests.factories import RoundFactory, published_bank
from tests.scenarios import invite
from tests.surveys.bank_data_v2 import v2_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def llmops_round(team, lead):
    """The shipped bank: 14 questions, 7 on each of its 2 pages."""
    return RoundFactory(team=team, bank=published_bank("llmops"), title="Spring", created_by=lead)


@pytest.fixture
def ada(llmops_round):
    return invite(llmops_round, ["ada@example.com"])["ada@example.com"]


def pages_of(round_):
    """The question ids of each page, in the order the respondent sees them."""
    dimensions = round_.bank.dimensions.order_by("order")
    return [
        list(d.questions.order_by("order", "pk").prefetch_related("choices")) for d in dimensions
    ]


def answer(token, questions):
    participant = Participant.objects.select_related("round__bank").get(
        token_hash=__import__("apps.core.tokens", fromlist=["hash_token"]).hash_token(token)
    )
    for question in questions:
        choice = question.choices.order_by("points").first()
        round_services.answer_save(
            participant=participant, question_id=question.pk, choice_id=choice.pk
        )


def start_button(html: str) -> tuple[str, str]:
    """(href, text) of the introduction's start or continue button."""
    found = re.search(r'<a class="btn btn-primary btn-lg" href="([^"]+)">([^<]+)</a>', html)
    assert found, html
    return found.group(1), found.group(2)


def test_continue_opens_the_first_page_with_an_unanswered_question(client, llmops_round, ada):
    first, second = pages_of(llmops_round)
    intro = reverse("surveys:intro", args=[ada])
    assert start_button(client.get(intro).content.decode()) == (
        reverse("surveys:page", args=[ada, 1]),
        "Start",
    )
    answer(ada, first)  # page 1 complete: 7 of 14
    assert start_button(client.get(intro).content.decode()) == (
        reverse("surveys:page", args=[ada, 2]),
        "Continue where you left off (7 of 14 answered)",
    )
    answer(ada, second[:3] + first[:0])
    href, text = start_button(client.get(intro).content.decode())
    assert href == reverse("surveys:page", args=[ada, 2]) and "(10 of 14 answered)" in text
    answer(ada, second[3:])  # everything answered: on to the review
    href, text = start_button(client.get(intro).content.decode())
    assert href == reverse("surveys:review", args=[ada]) and "(14 of 14 answered)" in text


def test_continue_goes_back_to_an_earlier_page_left_incomplete(client, llmops_round, ada):
    first, second = pages_of(llmops_round)
    answer(ada, first[:6] + second)  # one question of page 1 left
    href, _ = start_button(client.get(reverse("surveys:intro", args=[ada])).content.decode())
    assert href == reverse("surveys:page", args=[ada, 1])


def test_back_on_the_review_goes_to_the_last_question_page(client, llmops_round, ada):
    html = client.get(reverse("surveys:review", args=[ada])).content.decode()
    back = re.search(r'<a class="btn btn-outline-secondary" href="([^"]+)">Back</a>', html)
    assert back.group(1) == reverse("surveys:page", args=[ada, 2])
    assert f'href="{reverse("surveys:intro", args=[ada])}">Back' not in html


def progress(html: str) -> tuple[int, str]:
    bar = re.search(r'<progress[^>]*value="(\d+)"[^>]*>', html).group(0)
    label = re.search(r'aria-label="([^"]+)"', bar).group(1)
    return int(re.search(r'value="(\d+)"', bar).group(1)), label


def test_the_progress_bar_counts_answers_not_pages(client, llmops_round, ada):
    first, second = pages_of(llmops_round)
    page_1 = reverse("surveys:page", args=[ada, 1])
    page_2 = reverse("surveys:page", args=[ada, 2])
    html = client.get(page_1).content.decode()
    assert progress(html) == (0, "Survey progress: 0 of 14 questions answered")
    assert "0 of 14 answered" in html
    answer(ada, first)  # page 1 fully answered, still on page 1: half done, not "0% done"
    html = client.get(page_1).content.decode()
    assert progress(html) == (50, "Survey progress: 7 of 14 questions answered")
    assert "0% done" not in html and "7 of 14 answered" in html
    answer(ada, second[:2])
    assert progress(client.get(page_2).content.decode())[0] == round(100 * 9 / 14)
    # The page tells the script how many are answered elsewhere, to count this page's live.
    assert 'data-elsewhere="7" data-total="14"' in client.get(page_2).content.decode()


def test_a_closed_round_s_introduction_reads_as_closed_and_keeps_the_draft(
    client, llmops_round, ada
):
    first, _ = pages_of(llmops_round)
    answer(ada, first[:3])
    Round.objects.filter(pk=llmops_round.pk).update(
        status=RoundStatus.CLOSED, closed_at=timezone.now()
    )
    response = client.get(reverse("surveys:intro", args=[ada]))
    html = response.content.decode()
    assert response.status_code == 410  # as its question pages
    assert client.get(reverse("surveys:page", args=[ada, 1])).status_code == 410
    assert "This survey has closed" in html and "Your saved answers are kept." in html
    for promise in ("Saved as you go", "come back", "Closes:", "Continue where you left off"):
        assert promise not in html
    assert Answer.objects.count() == 3 and Response.objects.get().status == "draft"
    # Someone who never answered is not told about saved answers.
    bo = invite(llmops_round, ["bo@example.com"])["bo@example.com"]
    html = client.get(reverse("surveys:intro", args=[bo])).content.decode()
    assert "It no longer takes answers." in html and "saved answers" not in html


def test_a_round_past_its_close_moment_reads_as_closed_too(client, llmops_round, ada):
    Round.objects.filter(pk=llmops_round.pk).update(closes_at=timezone.now())
    assert client.get(reverse("surveys:intro", args=[ada])).status_code == 410


def test_the_thank_you_page_explains_each_level_badge_in_the_bank_s_words(client, team):
    levels = [
        {
            "number": 1,
            "name": "Crawl",
            "description": "Nothing repeatable yet. More text.",
            "min_score": 0,
        },
        {"number": 2, "name": "Walk", "description": "Some habits hold.", "min_score": 10},
        {
            "number": 3,
            "name": "Run",
            "description": "Practice is routine. It is measured.",
            "min_score": 15,
        },
        {"number": 4, "name": "Fly", "description": "Leading practice.", "min_score": 20},
    ]
    bank = bank_services.bank_import({**v2_bank("words"), "levels": levels}, publish=True)
    round_ = RoundFactory(team=team, bank=bank)
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    answer(token, [q for page in pages_of(round_) for q in page])
    assert client.post(reverse("surveys:submit", args=[token])).status_code == 302
    html = client.get(reverse("scoring:done", args=[token])).content.decode()
    key = html.split("What the levels mean", 1)[1].split("</ul>", 1)[0]
    lines = re.findall(
        r'<li[^>]*><span class="badge level-(\d)">\d · (\w+)</span> ([^<]+)</li>', key
    )
    assert lines == [
        ("1", "Crawl", "Nothing repeatable yet."),
        ("2", "Walk", "Some habits hold."),
        ("3", "Run", "Practice is routine."),
        ("4", "Fly", "Leading practice."),
    ]
    for other in ("Initial", "Defined", "Managed", "Optimized"):
        assert other not in key  # not hard-coded LLMOps names
