"""The garbage collector paused while a view builds many short-lived objects at once.

Drawing the dashboard afresh at 1,000 teams makes tens of thousands of rows, cells and strings
that are all freed by reference counting when the view is done, and none of which form cycles
that need the collector; yet their number alone woke it several times per view, each time
walking every object the worker has promoted since start-up: about 35-40 ms of a 150 ms view
(benchmarks/dashboard.py prints the collector's share). Paused for the build, it runs at its
next turn after, as usual. gunicorn also freezes what a worker holds after start-up out of its
reach (config/gunicorn.py).
"""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Pause automatic collection inside the block (nestable, and across threads the collector
    is on again once the first block that turned it off ends)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
