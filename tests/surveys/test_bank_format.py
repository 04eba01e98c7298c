"""The JSON interchange format, before any database work: problems named by their path."""

import json

import pytest

from apps.surveys.bank_format import (
    MAX_QUESTIONS,
    BankFormatError,
    load_bank_json,
    parse_bank,
    size_problems,
)
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.pure


def test_a_complete_bank_parses():
    spec = parse_bank(small_bank())
    assert spec.slug == "mini" and len(spec.dimensions) == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["dimensions"][0]["questions"][1]["choices"][2].update(points="two"),
            "dimensions[0].questions[1].choices[2].points: input should be a valid integer",
        ),
        (
            lambda d: d["dimensions"][1]["questions"][0].update(code="B-1"),
            "dimensions[1].questions[0].code: question code 'B-1' appears twice",
        ),
        (lambda d: d.pop("levels"), "levels: field required"),
    ],
    ids=["wrong type", "duplicate code", "missing levels"],
)
def test_a_bad_file_names_the_faulty_path(mutate, message):
    data = small_bank()
    mutate(data)
    with pytest.raises(BankFormatError) as refused:
        parse_bank(data)
    assert message in refused.value.problems


def test_not_an_object_and_deep_nesting_are_refused_with_a_message():
    with pytest.raises(BankFormatError, match="expected a JSON object"):
        parse_bank([])
    with pytest.raises(BankFormatError, match="nests more than 20 levels deep"):
        load_bank_json(b"[" * 5000 + b"]" * 5000)
    assert load_bank_json(json.dumps(small_bank()).encode()) == small_bank()


def test_counts_beyond_the_limits_are_named():
    data = small_bank()
    data["dimensions"][0]["questions"] *= MAX_QUESTIONS
    assert size_problems(data) == [
        f"The file has {2 * MAX_QUESTIONS + 2} questions; a question bank may have at most "
        f"{MAX_QUESTIONS}."
    ]
    assert size_problems(small_bank()) == []
