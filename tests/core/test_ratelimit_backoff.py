"""The log-in back-off policy: free attempts, then waits that double up to a ceiling."""

import pytest

from apps.core.ratelimit import Backoff

pytestmark = pytest.mark.pure


def test_the_longest_wait_has_a_ceiling(settings):
    policy = Backoff.parse(settings.BACKOFF_LIMITS["login-account"])
    assert [policy.delay(n) for n in (0, 4, 5, 6, 7)] == [0, 0, 2, 4, 8]
    assert policy.delay(50) == 300


def test_a_policy_reads_free_attempts_and_ceiling():
    assert Backoff.parse("3/60") == Backoff(free=3, ceiling=60)
    assert [Backoff(3, 60).delay(n) for n in (2, 3, 4, 8, 9)] == [0, 2, 4, 60, 60]
