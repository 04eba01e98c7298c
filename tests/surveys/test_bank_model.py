"""Invariants of question banks: database constraints and immutability once published."""

import pytest
from django.db import IntegrityError, connection, transaction

from apps.surveys.bank_services import bank_import, bank_new_draft, bank_publish
from apps.surveys.models import (
    BankLocked,
    BankStatus,
    Choice,
    Dimension,
    Level,
    Question,
    QuestionBank,
)
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.django_db


def check_deferred_now():
    """Deferred constraints fire at commit; tests never commit, so ask for the check now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def draft():
    return bank_import(small_bank())


def test_slug_and_version_are_unique(draft):
    bank_publish(bank=draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionBank.objects.create(
            slug="mini", version=1, title="again", status=BankStatus.PUBLISHED
        )


def test_only_one_draft_per_slug(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionBank.objects.create(slug="mini", version=2, title="second draft")


def test_question_codes_are_unique_within_a_bank(draft):
    dimension = draft.dimensions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(bank=draft, dimension=dimension, code="B-1", text="dup")


def test_choice_points_are_distinct_within_a_question(draft):
    question = draft.questions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.create(question=question, label="same points", points=1)


def test_first_level_starts_at_zero_and_later_ones_above():
    bank = QuestionBank.objects.create(slug="lv", version=1, title="Levels")
    with pytest.raises(IntegrityError), transaction.atomic():
        Level.objects.create(bank=bank, number=1, name="First", min_score=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Level.objects.create(bank=bank, number=2, name="Second", min_score=0)


def test_level_bounds_must_rise_with_the_level_number():
    bank = QuestionBank.objects.create(slug="lv", version=1, title="Levels")
    Level.objects.create(bank=bank, number=1, name="One", min_score=0)
    Level.objects.create(bank=bank, number=2, name="Two", min_score=10)
    with pytest.raises(IntegrityError, match="rise strictly"), transaction.atomic():
        Level.objects.create(bank=bank, number=3, name="Three", min_score=5)
        check_deferred_now()


def test_a_question_cannot_sit_in_another_banks_dimension(draft):
    other = bank_import(small_bank(slug="other"))
    foreign_dimension = Dimension.objects.get(bank=other, key="build")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(bank=draft, dimension=foreign_dimension, code="X-1", text="where?")
        check_deferred_now()


def test_published_bank_refuses_every_change(draft):
    bank = bank_publish(bank=draft)
    question = bank.questions.first()
    question.text = "Edited after publishing"
    with pytest.raises(BankLocked):
        question.save()
    with pytest.raises(BankLocked):
        Choice.objects.filter(question=question).first().delete()
    with pytest.raises(BankLocked):
        Question.objects.filter(bank=bank).update(text="bulk edit")
    with pytest.raises(BankLocked):
        Choice.objects.create(question=question, label="new", points=9)
    bank.title = "Renamed"
    with pytest.raises(BankLocked):
        bank.save()
    with pytest.raises(BankLocked):
        bank.delete()
    with pytest.raises(BankLocked):
        QuestionBank.objects.filter(pk=bank.pk).delete()
    assert Question.objects.get(pk=question.pk).text == "How do you test?"


def test_new_draft_version_clones_into_the_next_version(draft):
    published = bank_publish(bank=draft)
    clone = bank_new_draft(bank=published)
    assert (clone.slug, clone.version, clone.status) == ("mini", 2, BankStatus.DRAFT)
    assert clone.questions.count() == published.questions.count() == 4
    assert Choice.objects.filter(bank=clone).count() == 12
    assert clone.guidance.count() == published.guidance.count()
    question = clone.questions.get(code="B-1")
    question.text = "Edited in the draft"
    question.save()
    assert published.questions.get(code="B-1").text == "How do you test?"
