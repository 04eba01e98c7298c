"""CSV downloads: no cell, nor any part of a cell after a separator, starts a formula in a
spreadsheet, whatever locale splits it (issue #11)."""

import re
import unicodedata

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from apps.scoring.csv_export import FORMULA_CHARS, SEPARATORS, csv_response, safe_cell
from tests.scenarios import submitted_round
from tests.support.downloads import read_csv

FULL_WIDTH = "\uff1d\uff0b\uff0d\uff20"  # = + - @


def starts_formula(part: str) -> bool:
    """The oracle: a part whose first non-blank character is, in compatibility form, one of
    = + - @ (computed with unicodedata, not with the module's list)."""
    stripped = part.lstrip()
    return bool(stripped) and unicodedata.normalize("NFKC", stripped[0])[:1] in "=+-@"


def parts(text: str) -> list[str]:
    return re.split(f"[{re.escape(SEPARATORS)}]", text)


def looks_safe(cell: str) -> bool:
    """What a spreadsheet sees, whether it reads the cell whole or split at any separator."""
    return cell[:1] not in ("\t", "\r", "\n") and not any(starts_formula(p) for p in parts(cell))


@pytest.mark.pure
@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),
        (" =1+1", "' =1+1"),
        ("x;=1+1", "'x;'=1+1"),
        ("x; =1+1", "'x; '=1+1"),
        ("x,=1+1", "'x,'=1+1"),
        ("x\t=1+1", "'x\t'=1+1"),
        ("x\r\n=1+1", "'x\r\n'=1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("Ops; \uff1d1+1", "'Ops; '\uff1d1+1"),
        ("plain", "plain"),
        ("Ops; deploys", "Ops; deploys"),
        ("Build, test and release", "Build, test and release"),
        ("2024-01-01; a-b", "2024-01-01; a-b"),
        ("e-mail: a@b.example", "e-mail: a@b.example"),
        ("", ""),
        (None, ""),
        (-2, "-2"),
        (1.5, "1.5"),
    ],
)
def test_examples(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.pure
def test_the_formula_characters_are_every_compatibility_form_of_the_four():
    every = {c for c in map(chr, range(0x110000)) if unicodedata.normalize("NFKC", c)[:1] in "=+-@"}
    assert set(FORMULA_CHARS) == every
    assert set(FULL_WIDTH) <= every


@pytest.mark.pure
@given(st.text())
@example("x;=1+1")
@example("\uff1d1+1")
@example("a,\u3000\uff20b")
def test_no_formula_survives_and_only_quotes_are_added(text):
    cell = safe_cell(text)
    assert looks_safe(cell)
    # Nothing is lost or changed: only quotes are inserted.
    assert cell.replace("'", "") == text.replace("'", "")
    assert cell == text or cell.startswith("'")


ordinary = st.text(
    alphabet=st.characters(
        blacklist_characters="=+-@\t\r\n" + FORMULA_CHARS, blacklist_categories=("Cs",)
    )
)


@pytest.mark.pure
@given(ordinary)
def test_ordinary_text_is_left_alone(text):
    assert safe_cell(text) == text


separator = st.sampled_from([";", ",", "; ", ", ", "\t", "\n", "\r\n", ";\u3000"])
formula = st.builds(
    lambda blank, start, rest: blank + start + rest,
    st.sampled_from(["", " ", "  ", "\u3000"]),
    st.sampled_from(list("=+-@") + list(FULL_WIDTH)),
    st.text(max_size=10),
)


@pytest.mark.pure
@given(st.lists(ordinary, min_size=1, max_size=4), formula, st.data())
def test_a_formula_after_any_separator_gets_the_prefix(segments, bad, data):
    position = data.draw(st.integers(0, len(segments)))
    pieces = [*segments[:position], bad, *segments[position:]]
    text = "".join(
        p + (data.draw(separator) if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)
    )
    cell = safe_cell(text)
    assert cell.startswith("'")
    assert looks_safe(cell)


@pytest.mark.pure
def test_a_download_writes_neutralised_cells():
    response = csv_response("x.csv", ["a", "b"], [["x;=1+1", "\uff1d1+1"], ["Ops; deploys", 3]])
    rows = read_csv(response)
    assert rows[1:] == [["'x;'=1+1", "'\uff1d1+1"], ["Ops; deploys", "3"]]


@pytest.mark.django_db
def test_team_history_csv_neutralises_locale_and_full_width_formulas(client, org, team, lead):
    submitted_round(team=team, days_ago=100, title='Q1;=HYPERLINK("x")', points=[0, 1, 1])
    submitted_round(team=team, days_ago=5, title="\uff1d1+1", points=[2, 2, 1])
    client.force_login(lead)
    response = client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id]))
    assert response.status_code == 200
    titles = {row[1] for row in read_csv(response)[1:]}
    assert titles == {"'Q1;'=HYPERLINK(\"x\")", "'\uff1d1+1"}
    for title in titles:
        assert looks_safe(title)
