"""gunicorn's hooks, read with `gunicorn -c python:config.gunicorn` (the Dockerfile and
docker-compose.yml start it so; their flags set the rest).

Once a worker has loaded the app, every view module is imported (the URLconf) and everything
alive is moved out of the garbage collector's reach (`gc.freeze()`): the modules, models,
URL patterns and settings live as long as the worker, yet each full collection would walk them
all again, and a view that makes thousands of objects (the dashboard drawn afresh at hundreds
of teams) wakes several. benchmarks/dashboard.py measures the page with and without it.
"""

import gc


def post_worker_init(worker) -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view now, not at a first request)
    gc.freeze()
