"""Respondents answer through their personal link: autosave, resume, review, submit, results."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Role
from apps.scoring.models import DimensionScore
from apps.surveys import round_selectors, round_services
from apps.surveys.models import Answer, Response, Round, RoundStatus
from tests.factories import RoundFactory, published_bank
from tests.scenarios import answer_by_link, submit_by_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(round_, invite):
    return invite(round_, ["ada@example.com"])["ada@example.com"]


def questions(round_):
    return list(
        round_.bank.questions.order_by("dimension__order", "order").prefetch_related("choices")
    )


def choose(client, token, question, points):
    choice = next(c for c in question.choices.all() if c.points == points)
    return client.post(
        reverse("surveys:answer", args=[token]),
        {f"q-{question.pk}": choice.pk},
        HTTP_HX_REQUEST="true",
    )


def test_intro_explains_purpose_time_and_anonymity(client, round_, ada):
    Round.objects.filter(pk=round_.pk).update(anonymous=True)
    html = client.get(reverse("surveys:intro", args=[ada])).content.decode()
    assert "Q4 check" in html and "14 questions on 2 pages" in html
    assert "nobody, not even your team lead or an administrator" in html
    assert reverse("surveys:page", args=[ada, 1]) in html


def test_a_forged_link_is_404_with_a_clear_page(client, db):
    response = client.get(reverse("surveys:intro", args=["made-up-token"]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_answers_save_as_chosen_and_are_there_when_coming_back(client, round_, ada):
    first, second = questions(round_)[:2]
    assert "Saved" in choose(client, ada, first, 1).content.decode()
    choose(client, ada, first, 2)  # a change of mind replaces the answer
    choose(client, ada, second, 0)
    assert Answer.objects.count() == 2
    assert Answer.objects.get(question=first).choice.points == 2
    other_device = type(client)()
    html = other_device.get(reverse("surveys:page", args=[ada, 1])).content.decode()
    chosen = next(c for c in first.choices.all() if c.points == 2)
    assert (
        f'value="{chosen.pk}"\n                 checked' in html
        or f'id="c-{chosen.pk}" value="{chosen.pk}"' in html
    )
    assert html.count("checked") == 2
    intro = other_device.get(reverse("surveys:intro", args=[ada])).content.decode()
    assert "Continue where you left off (2 of 14 answered)" in intro


def test_without_javascript_a_page_saves_on_next(client, round_, ada):
    page_one = [q for q in questions(round_) if q.dimension.order == 0]
    data = {f"q-{q.pk}": q.choices.all()[1].pk for q in page_one}
    response = client.post(reverse("surveys:page", args=[ada, 1]), data)
    assert response["Location"] == reverse("surveys:page", args=[ada, 2])
    assert Answer.objects.count() == len(page_one) == 7


def test_a_choice_of_another_question_or_a_foreign_question_is_rejected(client, round_, ada):
    first, second = questions(round_)[:2]
    response = client.post(
        reverse("surveys:answer", args=[ada]),
        {f"q-{first.pk}": second.choices.first().pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "does not belong to the question" in response.content.decode()
    foreign = published_bank("delivery").questions.first()
    response = client.post(
        reverse("surveys:answer", args=[ada]),
        {f"q-{foreign.pk}": foreign.choices.first().pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "not part of this survey" in response.content.decode()
    assert not Answer.objects.exists()


def test_the_database_refuses_a_choice_of_another_question(round_, ada):
    first, second = questions(round_)[:2]
    response = round_services.response_get_or_start(round_.participants.get())
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, bank=round_.bank, question=first, choice=second.choices.first()
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_missing_answer_at_submit_is_pointed_at(client, round_, ada):
    for question in questions(round_)[:-1]:
        choose(client, ada, question, 1)
    response = client.post(reverse("surveys:submit", args=[ada]))
    html = response.content.decode()
    assert response.status_code == 400
    last = questions(round_)[-1]
    assert "1 question still needs an answer" in html
    assert f"#question-{last.code}" in html
    assert not Response.objects.filter(status="submitted").exists()


def test_submit_stores_the_score_snapshot_and_shows_own_result(client, round_, ada):
    answer_by_link(client, ada, points=2)
    response = client.post(reverse("surveys:submit", args=[ada]), follow=True)
    html = response.content.decode()
    submitted = Response.objects.get()
    assert (submitted.status, submitted.total_points, submitted.max_points) == ("submitted", 28, 28)
    assert sorted(DimensionScore.objects.values_list("dimension__key", "points")) == [
        ("application", 14),
        ("operational", 14),
    ]
    assert "Thank you, your answers are in" in html
    assert "28.00 / 28.00" in html and "4 · Optimized" in html
    assert "1 submitted of 1 invited" in html  # while the round is open: counts only
    assert round_.participants.get().submitted_at is not None


def test_submit_is_idempotent_and_a_submitted_response_is_read_only(client, round_, ada):
    answer_by_link(client, ada, points=1)
    assert client.post(reverse("surveys:submit", args=[ada])).status_code == 302
    assert client.post(reverse("surveys:submit", args=[ada])).status_code == 302
    assert Response.objects.filter(status="submitted").count() == 1
    assert DimensionScore.objects.count() == 2
    late = choose(client, ada, questions(round_)[0], 2)
    assert late.status_code == 409
    assert Answer.objects.get(question=questions(round_)[0]).choice.points == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(response__round=round_).update(
            choice=questions(round_)[0].choices.last()
        )
    assert client.get(reverse("surveys:page", args=[ada, 1]))["Location"] == reverse(
        "scoring:done", args=[ada]
    )


def test_team_result_appears_once_the_round_closes_at_the_threshold(client, round_, invite):
    tokens = invite(round_, ["a@example.com", "b@example.com", "c@example.com"])
    for points, token in zip((0, 1, 2), tokens.values(), strict=True):
        submit_by_link(client, token, points)
    done = reverse("scoring:done", args=[tokens["a@example.com"]])
    html = client.get(done).content.decode()
    assert "3 submitted of 3 invited" in html and "Average of" not in html  # open: counts only
    round_services.round_close(round_=round_)
    html = client.get(done).content.decode()
    assert "Average of 3 colleagues" in html
    assert "14.00 / 28.00" in html and "2 · Defined" in html  # the mean of 0, 14 and 28


def test_not_open_yet_and_closed_rounds_say_so_and_keep_drafts(client, round_, ada):
    question = questions(round_)[0]
    choose(client, ada, question, 1)
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED, closed_at=timezone.now())
    response = client.get(reverse("surveys:page", args=[ada, 1]))
    assert response.status_code == 410
    assert "This survey has closed. Your saved answers are kept." in response.content.decode()
    assert choose(client, ada, question, 2).status_code == 410
    assert client.post(reverse("surveys:submit", args=[ada])).status_code == 410
    assert Answer.objects.get().choice.points == 1
    Round.objects.filter(pk=round_.pk).update(
        status=RoundStatus.OPEN,
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=5),
    )
    response = client.get(reverse("surveys:page", args=[ada, 1]))
    assert response.status_code == 403
    assert "has not opened yet" in response.content.decode()


def test_my_surveys_lists_pending_rounds_for_a_logged_in_member(
    client, org, team, member_of, invite
):
    person = member_of(Role.MEMBER, email="me@example.com")
    round_ = RoundFactory(team=team, title="Spring check")
    tokens = invite(round_, ["me@example.com"])
    client.force_login(person)
    html = client.get(reverse("surveys:mine")).content.decode()
    assert "Spring check" in html and f"/s/{tokens['me@example.com']}/" in html
    submit_by_link(client, tokens["me@example.com"])
    assert "Spring check" not in client.get(reverse("surveys:mine")).content.decode()


def test_answering_pages_do_not_grow_with_questions_or_participants(
    client, team, invite, django_assert_max_num_queries
):
    small = RoundFactory(team=team, bank=published_bank("delivery"))  # 12 questions, 5 choices
    large = RoundFactory(team=team, bank=published_bank("llmops"))  # 14 questions
    round_selectors._bank_pages.clear()  # each bank's pages are read once, here by the intro
    counts = []
    for round_, people in ((small, 1), (large, 20)):
        tokens = invite(round_, [f"p{i}@example.com" for i in range(people)])
        token = next(iter(tokens.values()))
        for name, args in (
            ("surveys:intro", [token]),
            ("surveys:page", [token, 1]),
            ("surveys:review", [token]),
        ):
            with django_assert_max_num_queries(12) as captured:
                assert client.get(reverse(name, args=args)).status_code == 200
            counts.append((name, len(captured.captured_queries)))
    assert counts[:3] == counts[3:]


def test_progress_page_does_not_grow_with_participants(
    client, org, round_, lead, invite, django_assert_max_num_queries
):
    client.force_login(lead)
    url = reverse("surveys:round_detail", args=[org.slug, round_.public_id])
    invite(round_, ["a@example.com"])
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    invite(round_, [f"p{i}@example.com" for i in range(30)])
    with django_assert_max_num_queries(16) as many:
        client.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)
