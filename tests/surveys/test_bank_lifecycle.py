"""Publishing checks, the JSON interchange format, import errors, commands and shipped banks."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.surveys.bank_format import BankFormatError, parse_bank
from apps.surveys.bank_services import (
    BankNotReady,
    bank_export,
    bank_import,
    bank_publish,
    bank_retire,
    install_shipped_banks,
)
from apps.surveys.models import BankStatus, Choice, Question, QuestionBank
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.django_db


def test_publish_lists_every_problem_at_once():
    data = small_bank()
    data["dimensions"].append({"key": "empty", "name": "Empty", "questions": []})
    data["dimensions"][0]["questions"][0]["choices"] = data["dimensions"][0]["questions"][0][
        "choices"
    ][:1]
    data["levels"][3]["min_score"] = 50  # beyond the maximum total
    data["guidance"] = [
        g for g in data["guidance"] if not (g["dimension"] == "run" and g["level"] == 3)
    ]
    draft = bank_import(data)
    with pytest.raises(BankNotReady) as refused:
        bank_publish(bank=draft)
    problems = refused.value.problems
    assert "Dimension “Empty” has no questions." in problems
    assert "Question B-1 has fewer than 2 choices." in problems
    assert any("do not cover 0 to the maximum score" in p for p in problems)
    assert "Dimension “Run” has no guidance for moving from Defined to Managed." in problems
    draft.refresh_from_db()
    assert draft.status == BankStatus.DRAFT


def test_publish_and_retire():
    bank = bank_publish(bank=bank_import(small_bank()))
    assert bank.status == BankStatus.PUBLISHED and bank.published_at
    bank = bank_retire(bank=bank)
    assert bank.status == BankStatus.RETIRED and bank.retired_at


def test_json_round_trip_is_lossless_through_a_fresh_database():
    original = small_bank()
    original["dimensions"][1]["questions"][0]["weight"] = 1.5
    first = bank_export(bank_import(original, publish=True))
    with connection.cursor() as cursor:  # a fresh database: no bank left at all
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE surveys_questionbank CASCADE")
    assert not Question.objects.exists()
    second = bank_export(bank_import(first, publish=True))
    assert second == first
    assert first["dimensions"][1]["questions"][0]["weight"] == 1.5
    assert first == {**original, "guidance": first["guidance"]}
    assert sorted(map(json.dumps, first["guidance"])) == sorted(
        map(json.dumps, original["guidance"])
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["dimensions"][0]["questions"][1]["choices"][2].update(points="two"),
            "dimensions[0].questions[1].choices[2].points: input should be a valid integer",
        ),
        (
            lambda d: d["guidance"].append(
                {"dimension": "nope", "question": None, "level": 2, "text": "x"}
            ),
            "guidance[10].dimension: unknown dimension 'nope'",
        ),
        (
            lambda d: d["dimensions"][1]["questions"][0].update(code="B-1"),
            "dimensions[1].questions[0].code: question code 'B-1' appears twice",
        ),
        (lambda d: d.pop("levels"), "levels: field required"),
        (lambda d: d.update(version="1"), "version: input should be a valid integer"),
        (
            lambda d: d["levels"][2].update(min_score=2),
            "levels: level 3 must start above level 2 (2 ≤ 3)",
        ),
    ],
    ids=[
        "wrong type",
        "unknown dimension",
        "duplicate code",
        "missing levels",
        "string version",
        "bands",
    ],
)
def test_bad_files_name_the_faulty_path_and_write_nothing(mutate, message):
    data = small_bank()
    mutate(data)
    with pytest.raises(BankFormatError) as refused:
        bank_import(data)
    assert message in refused.value.problems
    assert not QuestionBank.objects.filter(slug="mini").exists()
    assert not Choice.objects.filter(bank__slug="mini").exists()


def test_importing_an_existing_version_is_refused():
    bank_import(small_bank(), publish=True)
    with pytest.raises(BankFormatError, match="already exists"):
        bank_import(small_bank())


def test_export_bank_command_prints_the_latest_published_version():
    bank_import(small_bank(), publish=True)
    bank_import(small_bank(version=2))  # a draft: not the default
    out = io.StringIO()
    call_command("export_bank", "mini", stdout=out)
    assert json.loads(out.getvalue())["version"] == 1
    out = io.StringIO()
    call_command("export_bank", "mini", "--version", "2", stdout=out)
    assert json.loads(out.getvalue())["version"] == 2
    with pytest.raises(CommandError, match="no published version"):
        call_command("export_bank", "nothing-here")


def test_import_bank_command(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(small_bank()))
    call_command("import_bank", str(good), "--publish", stdout=io.StringIO())
    assert QuestionBank.objects.get(slug="mini").status == BankStatus.PUBLISHED
    bad = tmp_path / "bad.json"
    data = small_bank(slug="broken")
    data["dimensions"][0]["questions"][0]["choices"][0]["points"] = -1
    bad.write_text(json.dumps(data))
    with pytest.raises(
        CommandError, match=r"dimensions\[0\]\.questions\[0\]\.choices\[0\]\.points"
    ):
        call_command("import_bank", str(bad))
    assert not QuestionBank.objects.filter(slug="broken").exists()
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_bank", str(not_json))


def test_llmops_bank_ships_with_microsofts_bands():
    bank = QuestionBank.objects.get(slug="llmops", version=1)
    assert bank.status == BankStatus.PUBLISHED
    spec = parse_bank(bank_export(bank))
    assert [d.key for d in spec.dimensions] == ["application", "operational"]
    assert [len(d.questions) for d in spec.dimensions] == [7, 7]
    assert all([c.points for c in q.choices] == [0, 1, 2] for q in spec.questions)
    assert spec.max_total() == 28
    assert [(lv.name, lv.min_score) for lv in spec.levels] == [
        ("Initial", 0),
        ("Defined", 10),
        ("Managed", 15),
        ("Optimized", 20),
    ]
    targets = {(g.dimension, g.question, g.level) for g in spec.guidance}
    for dimension in spec.dimensions:
        for level in (2, 3, 4):
            assert (dimension.key, None, level) in targets
            for question in dimension.questions:
                assert (dimension.key, question.code, level) in targets


def test_a_second_bank_proves_the_engine_is_generic():
    others = QuestionBank.objects.filter(status=BankStatus.PUBLISHED).exclude(slug="llmops")
    assert sorted(others.values_list("slug", "version")) == [("delivery", 1), ("delivery", 2)]
    for bank in others:
        spec = parse_bank(bank_export(bank))  # delivery v1 and v2: five levels, three dimensions
        assert len(spec.dimensions) >= 3
        assert len(spec.levels) == 5


def test_installing_shipped_banks_is_idempotent_and_a_newer_file_is_a_new_version(tmp_path):
    before = QuestionBank.objects.count()
    assert install_shipped_banks() == []
    assert QuestionBank.objects.count() == before
    newer = bank_export(QuestionBank.objects.get(slug="llmops", version=1))
    newer["version"] = 3  # the shipped files are versions 1 and 2
    newer["dimensions"][0]["questions"][0]["text"] = "A reworded question"
    (tmp_path / "llmops.json").write_text(json.dumps(newer))
    assert [b.version for b in install_shipped_banks(tmp_path)] == [3]
    assert install_shipped_banks(tmp_path) == []
    v1 = QuestionBank.objects.get(slug="llmops", version=1)
    assert v1.questions.order_by("order").first().text != "A reworded question"


def test_a_disagreement_threshold_travels_through_the_json_format():
    bank = bank_import({**small_bank(), "disagreement_threshold": 1.5})
    bank.refresh_from_db()
    assert str(bank.disagreement_threshold) == "1.50"
    exported = bank_export(bank)
    assert exported["disagreement_threshold"] == 1.5
    again = bank_import({**exported, "slug": "mini-copy"})
    assert again.disagreement_threshold == bank.disagreement_threshold
    # Without one, the file stays as it was (no key at all).
    assert "disagreement_threshold" not in bank_export(bank_import(small_bank("plain")))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "disagreement_threshold: input should be greater than or equal to 0"),
        ("a lot", "disagreement_threshold: input should be a valid decimal"),
    ],
)
def test_a_bad_disagreement_threshold_is_named(value, message):
    with pytest.raises(BankFormatError) as refused:
        bank_import({**small_bank(), "disagreement_threshold": value})
    assert message in refused.value.problems
