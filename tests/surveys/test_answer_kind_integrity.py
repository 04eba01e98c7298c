"""The database refuses answers of the wrong kind, whatever the code above it does (#13)."""

import pytest
from django.db import IntegrityError, transaction

from apps.surveys import bank_services
from apps.surveys.models import Answer, AnswerKind, Participant, Response
from tests.factories import RoundFactory
from tests.surveys.bank_data_v2 import v2_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(team):
    bank = bank_services.bank_import({**v2_bank(), "allow_dont_know": False}, publish=True)
    round_ = RoundFactory(team=team, bank=bank)
    participant = Participant.objects.create(round=round_, email="a@example.com", token_hash="x")
    return Response.objects.create(participant=participant, round=round_, bank=bank)


def _answer(response, code, kind, with_choice=False):
    question = response.bank.questions.get(code=code)
    choice = question.choices.first() if with_choice else None
    with transaction.atomic():
        return Answer.objects.create(
            response=response, bank=response.bank, question=question, kind=kind, choice=choice
        )


def test_not_applicable_only_where_the_question_offers_it(response):
    assert _answer(response, "E-3", AnswerKind.NOT_APPLICABLE).choice is None
    with pytest.raises(IntegrityError, match="not applicable"):
        _answer(response, "E-1", AnswerKind.NOT_APPLICABLE)


def test_dont_know_only_where_the_bank_offers_it(response):
    with pytest.raises(IntegrityError, match="know"):
        _answer(response, "E-1", AnswerKind.DONT_KNOW)


def test_an_option_answer_names_its_option_and_the_others_none(response):
    assert _answer(response, "E-1", AnswerKind.CHOICE, with_choice=True).choice_id
    with pytest.raises(IntegrityError, match="answer_kind_matches_choice"):
        _answer(response, "E-2", AnswerKind.CHOICE)
    with pytest.raises(IntegrityError, match="answer_kind_matches_choice"):
        _answer(response, "E-3", AnswerKind.NOT_APPLICABLE, with_choice=True)
