"""v2 banks through the database (issue #13): lossless round trips, the publish check, and
the v2 columns' database invariants."""

import json

import pytest
from django.db import IntegrityError, connection, transaction

from apps.surveys.bank_format import parse_bank
from apps.surveys.bank_services import (
    SHIPPED_BANKS_DIR,
    BankNotReady,
    bank_export,
    bank_import,
    bank_new_draft,
    bank_publish,
)
from apps.surveys.models import BankStatus, Choice, Level, Question, QuestionBank
from tests.surveys.bank_data import small_bank
from tests.surveys.bank_data_v2 import v2_bank

pytestmark = pytest.mark.django_db


def _empty_database():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE surveys_questionbank CASCADE")


def test_a_v2_bank_round_trips_losslessly_through_a_fresh_database():
    original = v2_bank()
    first = bank_export(bank_import(original, publish=True))
    _empty_database()
    second = bank_export(bank_import(first, publish=True))
    assert second == first
    assert {k: v for k, v in first.items() if k != "guidance"} == {
        k: v for k, v in original.items() if k != "guidance"
    }
    assert sorted(map(json.dumps, first["guidance"])) == sorted(
        map(json.dumps, original["guidance"])
    )
    bank = QuestionBank.objects.get(slug="mini2")
    assert bank.scale == 28 and bank.options_per_level and bank.allow_dont_know
    assert Question.objects.filter(bank=bank, allow_na=True).count() == 2


def test_keys_away_from_their_defaults_travel_and_defaults_are_not_written():
    data = v2_bank()
    data["allow_dont_know"] = False
    data["scale"] = 27.5
    exported = bank_export(bank_import(data))
    assert exported["allow_dont_know"] is False and exported["scale"] == 27.5
    plain = bank_export(bank_import(small_bank()))
    assert not {"scale", "options_per_level", "allow_dont_know"} & plain.keys()
    question = plain["dimensions"][0]["questions"][0]
    assert "allow_na" not in question and "level" not in question["choices"][0]


V1_FILES = ["delivery.json", "llmops.json"]


@pytest.mark.parametrize("name", V1_FILES)
def test_shipped_v1_files_export_exactly_as_they_are_written(name):
    original = json.loads((SHIPPED_BANKS_DIR / name).read_text(encoding="utf-8"))
    _empty_database()
    first = bank_export(bank_import(original, publish=True))
    _empty_database()
    assert bank_export(bank_import(first, publish=True)) == first
    assert {k: v for k, v in first.items() if k != "guidance"} == {
        k: v for k, v in original.items() if k != "guidance"
    }


def _content(data: dict) -> dict:
    spec = parse_bank(data).model_dump()
    spec["guidance"] = sorted(spec["guidance"], key=json.dumps)
    return spec


@pytest.mark.parametrize(
    "path", sorted(SHIPPED_BANKS_DIR.glob("*.json")), ids=lambda path: path.name
)
def test_every_shipped_file_round_trips_without_loss(path):
    """Same content (a key written at its default may be left out), and a stable export."""
    original = json.loads(path.read_text(encoding="utf-8"))
    _empty_database()
    first = bank_export(bank_import(original, publish=True))
    _empty_database()
    assert bank_export(bank_import(first, publish=True)) == first
    assert _content(first) == _content(original)


def test_a_new_draft_keeps_the_v2_settings_of_its_source():
    data = v2_bank()
    data["allow_dont_know"] = False
    source = bank_import(data, publish=True)
    draft = bank_new_draft(bank=source)
    assert bank_export(draft) == {**bank_export(source), "version": 2}


def test_publishing_a_draft_with_options_per_level_lists_every_problem():
    data = v2_bank()
    data["dimensions"][0]["questions"][0]["choices"][3]["level"] = 3
    data["dimensions"][1]["questions"][1]["choices"][1]["points"] = 5
    draft = bank_import(data)
    with pytest.raises(BankNotReady) as refused:
        bank_publish(bank=draft)
    assert refused.value.problems == [
        "Question E-1 has no option for level 4 (Optimized).",
        "Question E-1 has more than one option for level 3 (Managed).",
        "Question O-2: the options' points must rise with their level (by level: 0, 5, 2, 3).",
    ]
    draft.refresh_from_db()
    assert draft.status == BankStatus.DRAFT


def test_a_choice_level_is_a_level_of_its_own_bank():
    bank = bank_import(v2_bank())
    choice = Choice.objects.filter(bank=bank).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.filter(pk=choice.pk).update(level=7)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_deleting_a_level_clears_it_from_the_options_renumbering_moves_them():
    bank = bank_import(v2_bank())
    Level.objects.filter(bank=bank, number=4).delete()
    assert not Choice.objects.filter(bank=bank, level=4).exists()
    assert Choice.objects.filter(bank=bank, level__isnull=True).count() == 6
    Level.objects.filter(bank=bank, number=3).update(number=5)
    assert Choice.objects.filter(bank=bank, level=5).count() == 6


def test_banks_stored_before_the_migration_do_not_offer_dont_know():
    """Migration 0008 gives existing banks allow_dont_know = false (its column default was
    false when added); new banks default to true."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    migration = loader.get_migration("surveys", "0008_answer_kinds_and_option_levels")
    added = next(
        op for op in migration.operations if getattr(op, "name", None) == "allow_dont_know"
    )
    assert added.field.default is False
    assert QuestionBank._meta.get_field("allow_dont_know").default is True
