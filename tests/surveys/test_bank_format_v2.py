"""The format's v2 keys (issue #13): scale, options_per_level, allow_dont_know, allow_na and a
choice's level; and the publishing check of options per level. No database."""

import pytest

from apps.surveys.bank_format import BankFormatError, parse_bank, publish_problems
from tests.surveys.bank_data import small_bank
from tests.surveys.bank_data_v2 import v2_bank

pytestmark = pytest.mark.pure


def test_v2_keys_parse_and_default_when_absent():
    v2 = parse_bank(v2_bank())
    assert v2.scale == 28 and v2.options_per_level and v2.allow_dont_know
    assert [q.allow_na for q in v2.questions] == [False, False, True, False, False, True]
    assert [c.level for c in v2.questions[0].choices] == [1, 2, 3, 4]
    v1 = parse_bank(small_bank())
    assert v1.scale is None and not v1.options_per_level and v1.allow_dont_know
    assert v1.effective_scale() == v1.max_total() == 8
    assert not any(q.allow_na for q in v1.questions)
    assert publish_problems(v2) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(scale=0), "scale: input should be greater than 0"),
        (
            lambda d: d.update(allow_dont_know="yes"),
            "allow_dont_know: input should be a valid boolean",
        ),
        (
            lambda d: d["dimensions"][0]["questions"][0].update(allow_na=1),
            "dimensions[0].questions[0].allow_na: input should be a valid boolean",
        ),
        (
            lambda d: d["dimensions"][0]["questions"][1]["choices"][0].update(level=9),
            "dimensions[0].questions[1].choices[0].level: unknown level 9",
        ),
    ],
    ids=["scale zero", "dk not a boolean", "na not a boolean", "unknown level"],
)
def test_bad_v2_values_name_the_faulty_path(mutate, message):
    data = v2_bank()
    mutate(data)
    with pytest.raises(BankFormatError) as refused:
        parse_bank(data)
    assert message in refused.value.problems


def test_options_per_level_problems_are_listed_all_at_once():
    data = v2_bank()
    questions = [q for d in data["dimensions"] for q in d["questions"]]
    questions[0]["choices"][3]["level"] = 3  # E-1: two options for Managed, none for Optimized
    del questions[1]["choices"][2]["level"]  # E-2: an option without its level
    questions[3]["choices"] = questions[3]["choices"][:3]  # O-1: no Optimized option
    questions[4]["choices"][1]["points"] = 5  # O-2: Defined worth more than Managed
    problems = publish_problems(parse_bank(data))
    assert problems == [
        "Question E-1 has no option for level 4 (Optimized).",
        "Question E-1 has more than one option for level 3 (Managed).",
        "Question E-2: every option needs its level (options per level).",
        "Question O-1 has no option for level 4 (Optimized).",
        "Question O-2: the options' points must rise with their level (by level: 0, 5, 2, 3).",
    ]


def test_without_options_per_level_levels_on_options_are_optional():
    data = v2_bank()
    data["options_per_level"] = False
    del data["dimensions"][0]["questions"][0]["choices"][0]["level"]
    assert publish_problems(parse_bank(data)) == []


def test_level_bounds_are_checked_against_the_scale():
    data = v2_bank()
    data["scale"] = 18
    problems = publish_problems(parse_bank(data))
    assert any("do not cover 0 to the scale 18" in p for p in problems)
