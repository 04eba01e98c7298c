"""The garbage collector paused while a view builds many short-lived objects (#14)."""

import gc

import pytest

from apps.core.collector import collector_paused
from apps.scoring import dashboard_cache


@pytest.mark.pure
def test_paused_inside_on_again_after_even_when_the_block_fails():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still off, and the outer block turns it on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


@pytest.mark.pure
def test_left_off_by_someone_else_it_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_the_dashboard_is_drawn_afresh_with_the_collector_paused(org):
    seen = []

    def render():
        seen.append(gc.isenabled())
        return "<p>drawn</p>"

    html = dashboard_cache.cached_fragment(org, since=None, filters=("all",), render=render)
    assert html == "<p>drawn</p>" and seen == [False] and gc.isenabled()
