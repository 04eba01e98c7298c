"""What a team should talk about in its retro: a suggested question for each disagreement and
each knowledge gap, written from the answers themselves. Pure functions of the result's
question rows (`selectors.QuestionRow`), tested without a database.

The suggestion names the answers that are apart, with how many chose each, and asks what the
groups see differently; it never says who answered what.
"""

import re
from dataclasses import dataclass

from apps.scoring.selectors import QuestionRow

QUOTE_LENGTH = 90  # characters of an option's text quoted in a question: a page holds five

NUMBER_WORDS = ["no one", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def number_word(n: int) -> str:
    """Small counts as words ("three of you"), larger ones as digits."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


@dataclass(frozen=True)
class Chosen:
    """An option somebody chose: its level name ("" where the bank names none), its text and
    how many chose it."""

    level: str
    label: str
    points: int
    n: int

    @property
    def quoted(self) -> str:
        """The option's text in quotes (its start, where it is long) and its level."""
        text = self.label
        if len(text) > QUOTE_LENGTH:
            text = text[: QUOTE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return f"“{text}”" + (f" ({self.level})" if self.level else "")


def _chosen(row: QuestionRow) -> list[Chosen]:
    """The options chosen at least once, from the lowest level to the highest."""
    return [Chosen(level, label, points, n) for level, label, points, n in row.options if n]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def retro_question(row: QuestionRow) -> str:
    """A question for the retro about a disagreement, from how the answers split: two even
    camps, two uneven ones, one answer apart from the rest, or answers spread over three
    options or more."""
    chosen = _chosen(row)
    if len(chosen) < 2:
        return "Your answers lie far apart here: what does each of you picture when you answer?"
    low, high = chosen[0], chosen[-1]
    if len(chosen) > 2:
        between = sum(option.n for option in chosen[1:-1])
        spread = (
            f"Your answers spread over {number_word(len(chosen))} options: "
            f"{number_word(low.n)} of you chose {low.quoted}, {number_word(high.n)} "
            f"{high.quoted} and {number_word(between)} something in between."
        )
        if low.n > high.n:
            return f"{spread} What do those who chose the highest answer see that the others don't?"
        if high.n > low.n:
            return f"{spread} Where is it still as the lowest answer says, and why there?"
        return f"{spread} Do parts of the team work differently, or read the question differently?"
    if low.n == high.n:
        return (
            f"Half of you chose {low.quoted} and half {high.quoted}: what does each group see "
            "that the other doesn't?"
        )
    if low.n == 1:
        return (
            f"One of you chose {low.quoted} while {number_word(high.n)} chose {high.quoted}: "
            "where is it still like that, and what would it take to change?"
        )
    if high.n == 1:
        return (
            f"One of you chose {high.quoted} while {number_word(low.n)} chose {low.quoted}: "
            "where is that already in place, and could the rest of the team use it?"
        )
    return _capital(
        f"{number_word(low.n)} of you chose {low.quoted} and {number_word(high.n)} "
        f"{high.quoted}: what does each group see that the other doesn't?"
    )


def gap_question(row: QuestionRow) -> str:
    """A question for the retro about a knowledge gap ("I don't know" from a third or more)."""
    return _capital(
        f"{number_word(row.dont_know)} of {number_word(row.answered)} answered “I don't know”: "
        "who can show the team how this works today, and where should the answer be written "
        "down?"
    )


def _code_order(code: str) -> list:
    """APP-2 before APP-10: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def disagreement_order(row: QuestionRow) -> tuple:
    """Widest apart first (points between the lowest and highest answer, as a share of the
    question's maximum), then the most even split, then by code."""
    chosen = _chosen(row)
    top = max((points for _, _, points, _ in row.options), default=0)
    spread = (chosen[-1].points - chosen[0].points) / top if chosen and top else 0
    even = min(chosen[0].n, chosen[-1].n) if len(chosen) > 1 else 0
    return (-spread, -even, _code_order(row.code))


def gap_order(row: QuestionRow) -> tuple:
    """The largest share of "I don't know" first, then by code."""
    share = row.dont_know / row.answered if row.answered else 0
    return (-share, _code_order(row.code))
