"""How long a team retro pack takes to build, against a minimal WeasyPrint document with the same
number of pages, and how many retro packs two Celery workers build per minute.

    .venv/bin/python benchmarks/pdf.py [--runs 5] [--jobs 20]

Uses the demo organization in its own PostgreSQL database (BENCH_PDF_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/maturity_bench_pdf) and Redis database 13 for its broker.
"""

import argparse
import io
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_PDF_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maturity_bench_pdf"
)
os.environ["REDIS_URL"] = os.environ.get("BENCH_PDF_REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("MEDIA_ROOT", "/tmp/maturity-bench-media")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=20)
    args = parser.parse_args()
    from benchmarks.dashboard import ensure_database

    ensure_database()
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from apps.demo.seed import seed_demo

    organization = seed_demo()
    from pypdf import PdfReader

    from apps.reports import services
    from apps.reports.models import Report, ReportScope, ReportStatus
    from apps.reports.pdf import render_pdf
    from apps.surveys.models import Round

    # Rounds with a retro pack: closed at their threshold (the demo's latest are on the
    # 20-question bank).
    visible = Round.objects.filter(team__organization=organization).results_visible()
    round_ = visible.order_by("-opens_at").first()
    report = Report(
        scope=ReportScope.ROUND, organization=organization, round=round_, team=round_.team
    )
    pdf = render_pdf(services.report_html(report))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    minimal = "".join(f'<p style="page-break-after: always">Page {i}</p>' for i in range(pages))

    def timed(function) -> float:
        function()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            function()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    pack_ms = timed(lambda: render_pdf(services.report_html(report)))
    minimal_ms = timed(lambda: render_pdf(minimal))
    questions = round_.bank.questions.count()
    print(
        f"team retro pack ({questions} questions, {pages} pages): {pack_ms:7.1f} ms   minimal "
        f"{pages}-page document: {minimal_ms:6.1f} ms   ratio {pack_ms / minimal_ms:4.1f}x "
        "(goal <= 3x)"
    )

    # Throughput: two worker processes draining `jobs` queued retro packs.
    from config.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("celery")
    Report.objects.filter(organization=organization).delete()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"bench{i}@%h",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    try:
        time.sleep(4)  # let both workers connect
        rounds = list(visible.order_by("-opens_at")[: args.jobs])
        started = time.perf_counter()
        for job in rounds:
            services.report_request(scope=ReportScope.ROUND, obj=job, requested_by=None)
        while Report.objects.filter(
            status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
        ).exists():
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
    ready = Report.objects.filter(status=ReportStatus.READY).count()
    print(
        f"two workers: {ready} retro packs in {elapsed:.1f} s = "
        f"{ready / elapsed * 60:.0f} per minute"
    )


if __name__ == "__main__":
    main()
