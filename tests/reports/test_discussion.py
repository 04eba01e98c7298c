"""The retro pack's suggested questions, written from how the answers split, and its file
names: pure functions, no database."""

import datetime as dt

import pytest

from apps.reports.discussion import disagreement_order, gap_question, retro_question
from apps.reports.filenames import report_filename
from apps.scoring.selectors import QuestionRow

pytestmark = pytest.mark.pure

LEVELS = ("Initial", "Defined", "Managed", "Optimized")
LABELS = ("Free text", "Shared template", "Variants scored", "Failure cases tracked")


def row(*counts: int, code: str = "APP-2", dont_know: int = 0) -> QuestionRow:
    """A question with one option per level, chosen `counts` times (lowest level first)."""
    return QuestionRow(
        code=code,
        text="How are the team's prompts constructed?",
        dimension="Application maturity",
        counts=[
            (label, points, n) for points, (label, n) in enumerate(zip(LABELS, counts, strict=True))
        ],
        disagreement=True,
        dont_know=dont_know,
        option_levels=LEVELS,
    )


def test_an_even_split_asks_what_each_group_sees():
    assert retro_question(row(2, 0, 2, 0)) == (
        "Half of you chose “Free text” (Initial) and half “Variants scored” (Managed): what "
        "does each group see that the other doesn't?"
    )


def test_an_uneven_split_counts_both_groups_in_words():
    assert retro_question(row(3, 0, 0, 2)) == (
        "Three of you chose “Free text” (Initial) and two “Failure cases tracked” "
        "(Optimized): what does each group see that the other doesn't?"
    )


def test_one_answer_below_the_rest_asks_where_it_is_still_like_that():
    assert retro_question(row(1, 0, 4, 0)) == (
        "One of you chose “Free text” (Initial) while four chose “Variants scored” "
        "(Managed): where is it still like that, and what would it take to change?"
    )


def test_one_answer_above_the_rest_asks_whether_the_others_could_use_it():
    assert retro_question(row(0, 5, 0, 1)).startswith(
        "One of you chose “Failure cases tracked” (Optimized) while five chose "
        "“Shared template” (Defined): where is that already in place"
    )


def test_a_spread_over_three_options_names_both_ends_and_the_middle():
    question = retro_question(row(2, 3, 0, 1))
    assert question.startswith(
        "Your answers spread over three options: two of you chose “Free text” (Initial), one "
        "“Failure cases tracked” (Optimized) and three something in between."
    )
    assert question.endswith(
        "What do those who chose the highest answer see that the others don't?"
    )


def test_a_bank_without_option_levels_quotes_the_options_alone():
    plain = QuestionRow(
        code="Q1",
        text="Do you deploy on Fridays?",
        dimension="Delivery",
        counts=[("Never", 0, 2), ("Sometimes", 1, 0), ("Always", 2, 2)],
        disagreement=True,
    )
    assert retro_question(plain).startswith("Half of you chose “Never” and half “Always”")


def test_a_knowledge_gap_asks_who_can_show_how_it_works():
    assert gap_question(row(1, 1, 0, 0, dont_know=3)) == (
        "Three of five answered “I don't know”: who can show the team how this works today, "
        "and where should the answer be written down?"
    )


def test_disagreements_widest_apart_first_then_the_most_even_split_then_by_code():
    rows = [
        row(1, 0, 3, 0, code="APP-10"),
        row(2, 0, 0, 2, code="APP-9"),
        row(1, 0, 0, 3, code="APP-3"),
        row(2, 0, 2, 0, code="APP-2"),
    ]
    assert [r.code for r in sorted(rows, key=disagreement_order)] == [
        "APP-9",
        "APP-3",
        "APP-2",
        "APP-10",
    ]


BUILT = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)  # 29 Nov in Amsterdam


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            {"team": "Support Copilot", "round_title": "Q3 2026 LLMOps check"},
            "contoso-ai_support-copilot_q3-2026-llmops-check_2026-11-28.pdf",
        ),
        ({"team": "Support Copilot"}, "contoso-ai_support-copilot_history_2026-11-28.pdf"),
        ({}, "contoso-ai_board-brief_2026-11-28.pdf"),
        (
            {"team": "שלום", "round_title": "Q&A “check” 🚀"},
            "contoso-ai_team_qa-check_2026-11-28.pdf",
        ),
    ],
)
def test_file_names_carry_organization_team_scope_and_day(names, expected):
    assert report_filename(organization="Contoso AI", built_at=BUILT, time_zone="UTC", **names) == (
        expected
    )


def test_the_day_in_a_file_name_is_the_organizations():
    name = report_filename(organization="Contoso AI", built_at=BUILT, time_zone="Europe/Amsterdam")
    assert name == "contoso-ai_board-brief_2026-11-29.pdf"
