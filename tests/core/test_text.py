"""Text helpers for free text from outside (apps/core/text.py)."""

import pytest

from apps.core.text import has_nul, normalize_email, without_nul

pytestmark = pytest.mark.pure


def test_nul_and_control_characters():
    assert has_nul("a\x00") and has_nul("\x00") and not has_nul("a b")
    assert without_nul("  a\x00b\x01c \x7f") == "abc"
    assert without_nul("Ops; deploys") == "Ops; deploys"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Ada@Example.COM ", "ada@example.com"),
        ("x@bücher.example", "x@xn--bcher-kva.example"),
        ("x@XN--BCHER-KVA.example", "x@xn--bcher-kva.example"),
    ],
)
def test_an_address_has_one_spelling(typed, stored):
    assert normalize_email(typed) == stored
