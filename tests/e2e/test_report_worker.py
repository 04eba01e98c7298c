"""PDF reports built by real Celery workers on Redis: requested through the view, downloaded, read
back with pdftotext; and a worker killed in the middle of a build."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from apps.reports import services
from apps.reports.models import Report, ReportStatus
from tests.scenarios import submit_responses
from tests.support.report_worker import (
    kill,
    pdf_text,
    purge_queue,
    status_of,
    wait_for,
    worker_env,
    worker_process,
)

pytestmark = pytest.mark.e2e


def test_a_retro_pack_requested_on_the_page_is_built_by_the_worker(
    client, celery_worker, org, team, round_, lead, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    submit_responses(round_, [0, 1, 1])
    client.force_login(lead)
    client.post(
        reverse("reports:request", args=[org.slug]),
        {"scope": "round", "object_id": str(round_.public_id)},
    )
    report = Report.objects.get()
    assert wait_for(lambda: status_of(report.pk) == ReportStatus.READY), status_of(report.pk)
    response = client.get(reverse("reports:download", args=[org.slug, report.public_id]))
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "TEAM RETRO PACK" in text and "Platform · Q4 check" in text and "Defined" in text
    assert "What to discuss" in text and "Appendix: answers per question" in text
    assert response["Content-Disposition"].startswith(
        'attachment; filename="acme_platform_q4-check_'
    )
    steps = text.split("What to do next")[1].split("Appendix: answers per question")[0]
    # The first step quotes the bank's guidance for the next level of its question.
    from apps.surveys.models import Guidance

    quotes = [
        g.text[:40] for g in Guidance.objects.filter(bank=round_.bank, question__isnull=False)
    ]
    first_step = steps.split("2.")[0]
    assert any(" ".join(quote.split()) in " ".join(first_step.split()) for quote in quotes)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_building_leaves_a_job_that_completes_once(round_, lead, tmp_path):
    submit_responses(round_, [1, 2, 1])
    purge_queue()
    env = worker_env(tmp_path)
    with worker_process(env) as first:
        report = services.report_request(scope="round", obj=round_, requested_by=lead)
        assert wait_for(lambda: status_of(report.pk) == ReportStatus.RUNNING, step=0.005)
        kill(first)  # mid-build: the claim is taken, no file yet
    assert status_of(report.pk) == ReportStatus.RUNNING
    # Past the hard time limit the beat task gives the job back; a second worker builds it.
    Report.objects.filter(pk=report.pk).update(
        started_at=timezone.now() - timedelta(seconds=django_settings.CELERY_TASK_TIME_LIMIT + 60)
    )
    with worker_process(env):
        from apps.reports.tasks import reclaim_stuck_reports

        reclaim_stuck_reports.delay()
        assert wait_for(lambda: status_of(report.pk) == ReportStatus.READY)
    report.refresh_from_db()
    assert report.attempts == 2
    assert len(list(tmp_path.rglob("*.pdf"))) == 1  # exactly one file
    assert Report.objects.count() == 1
