"""Report jobs: idempotent requests, the claim, building, failure and retry, reclaim, access."""

import datetime
import re
import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Role
from apps.reports import services
from apps.reports.models import Report, ReportStatus
from apps.reports.offer import ReportUnavailable
from apps.reports.pdf import FetchRefused, StaticOnlyFetcher, render_pdf
from apps.reports.tasks import build_report, reclaim_stuck_reports
from apps.scoring import targets
from apps.scoring.models import Target
from apps.scoring.selectors import round_team_result
from tests.factories import ActionFactory, RoundFactory
from tests.scenarios import submit_responses

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def closed(round_):
    return submit_responses(round_, [0, 1, 1])


def test_requests_for_an_unchanged_scope_share_one_job(closed, lead):
    first = services.report_request(scope="round", obj=closed, requested_by=lead)
    again = services.report_request(scope="round", obj=closed, requested_by=lead)
    assert first.pk == again.pk
    assert Report.objects.count() == 1


def test_a_changed_scope_gets_a_new_job(closed, team, lead):
    before = services.report_request(scope="team", obj=team, requested_by=lead)
    submit_responses(RoundFactory(team=team, title="Q1 check"), [2, 2, 2])
    after = services.report_request(scope="team", obj=team, requested_by=lead)
    assert before.pk != after.pk


def test_the_claim_is_won_once(closed, lead):
    report = services.report_request(scope="round", obj=closed, requested_by=lead)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED)
    assert services.report_claim(report.pk) is True
    assert services.report_claim(report.pk) is False
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.RUNNING, 1)


def test_building_stores_a_team_retro_pack_named_after_the_team_round_and_day(
    client, org, closed, lead, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(scope="round", obj=closed, requested_by=lead)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.file
    text = pdf_text(report.file.read(), tmp_path)
    assert "TEAM RETRO PACK" in text and "Platform · Q4 check" in text
    assert "Result at a glance" in text and "Defined" in text
    assert "What to discuss" in text and "What to do next" in text
    assert "Appendix: answers per question" in text and "Page 4 of 4" in text
    assert mail.outbox[-1].subject == "Your PDF is ready: Team retro pack"
    build_report(report.pk)  # a redelivered task: no second file, no error
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.attempts == 1
    client.force_login(lead)
    response = client.get(reverse("reports:download", args=[org.slug, report.public_id]))
    built = timezone.localdate(report.finished_at, timezone=ZoneInfo(org.time_zone))
    assert response["Content-Disposition"] == (
        f'attachment; filename="acme_platform_q4-check_{built.isoformat()}.pdf"'
    )


@pytest.mark.parametrize("close", [False, True])
def test_no_retro_pack_for_an_open_or_withheld_round_and_the_button_says_why(
    client, org, round_, lead, close
):
    submit_responses(round_, [2, 2], close=close)  # two of the three needed
    round_.refresh_from_db()
    why = (
        "No retro pack: the round closed below its threshold (2 of the 3 responses needed)"
        if close
        else "No retro pack while the round is open (2 submitted of 2 invited)"
    )
    with pytest.raises(ReportUnavailable, match=re.escape(why)):
        services.report_request(scope="round", obj=round_, requested_by=lead)
    client.force_login(lead)
    page = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id]))
    html = page.content.decode()
    note = (
        "The team retro pack (PDF) is not available: the round closed below its threshold."
        if close
        else "The team retro pack (PDF) is available once the round has closed with at least 3 "
        "respondents."
    )
    # No dead buttons: no PDF and no CSV to press, what is missing said instead.
    assert note in html and "<button" not in html.split("Team history")[1].split("</div>")[0]
    assert "Download CSV" not in html
    asked = {"scope": "round", "object_id": str(round_.public_id)}
    response = client.post(reverse("reports:request", args=[org.slug]), asked)
    assert response.status_code == 409 and why in response.content.decode()
    response = client.post(reverse("reports:request", args=[org.slug]), asked, HTTP_HX_REQUEST="1")
    assert response.status_code == 409 and why in response.content.decode()
    api = client.post(
        f"/api/v1/organizations/{org.slug}/reports", asked, content_type="application/json"
    )
    assert api.status_code == 409 and why in api.json()["detail"]
    assert not Report.objects.exists()


def test_no_team_history_or_board_brief_before_a_round_is_visible(
    client, org, team, round_, lead, member_of
):
    submit_responses(round_, [1, 1])  # closed below its threshold
    with pytest.raises(ReportUnavailable, match="no closed round of this team has met"):
        services.report_request(scope="team", obj=team, requested_by=lead)
    with pytest.raises(ReportUnavailable, match="no team has a closed round that met"):
        services.report_request(scope="organization", obj=org, requested_by=lead)
    client.force_login(member_of(Role.EXECUTIVE))
    dashboard = client.get(reverse("scoring:dashboard", args=[org.slug])).content.decode()
    assert "No board brief yet: no team has a closed round that met its threshold." in dashboard
    history = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id]))
    assert "No team history PDF yet" in history.content.decode()


def test_the_retro_pack_measures_dimensions_against_their_targets_as_the_result_page_does(
    client, org, closed, lead, tmp_path
):
    closed.refresh_from_db()
    before = services.report_request(scope="round", obj=closed, requested_by=lead)
    target = Target.objects.create(
        organization=org,
        bank_slug=closed.bank.slug,
        dimension_key="application",
        level=3,
        due=datetime.date(2099, 3, 31),
    )
    report = services.report_request(scope="round", obj=closed, requested_by=lead)
    assert report.pk != before.pk  # a target set changes what the pack says
    result = round_team_result(closed)
    row = next(r for r in result.dimensions if r.key == "application")
    effective = targets.target_for(closed.team, closed.bank.slug, "application")
    gap = targets.target_gap(row, effective)
    assert effective.due == target.due and not gap.met
    text = " ".join(pdf_text(render_pdf(services.report_html(report)), tmp_path).split())
    assert f"Managed by 31 Mar 2099: {gap.text}" in text and gap.text.startswith("gap ")
    assert "Operational maturity" in text and "no target" in text
    client.force_login(lead)
    page = client.get(reverse("scoring:round_result", args=[org.slug, closed.public_id]))
    assert gap.text in page.content.decode()


def test_the_retro_pack_lists_the_plan_and_the_board_brief_counts_it(
    org, team, closed, lead, member_of, tmp_path
):
    closed.refresh_from_db()
    owner = lead.memberships.get(organization=org)
    today = timezone.localdate(timezone=ZoneInfo(org.time_zone))
    late = ActionFactory(
        team=team, title="Evaluation gate", owner=owner, due_date=today - timedelta(days=1)
    )
    ActionFactory(
        team=team, title="Prompt registry", status="doing", due_date=today + timedelta(days=9)
    )
    done_at = timezone.now() - timedelta(hours=1)  # before the round closed: checked by it
    ActionFactory(team=team, title="Cost dashboard", status="done", done_at=done_at)
    before = services.report_request(scope="round", obj=closed, requested_by=lead)
    pack = " ".join(pdf_text(render_pdf(services.report_html(before)), tmp_path).split())
    assert "2 open actions (1 in progress, 1 overdue), 1 done" in pack
    assert f"Evaluation gate Lena Lead {late.due_date:%-d %b %Y} To do overdue" in pack
    assert "Prompt registry nobody yet" in pack
    assert "Done since" in pack and "Done: Cost dashboard" in pack

    late.status, late.status_changed_at = "doing", timezone.now()
    late.save()
    after = services.report_request(scope="round", obj=closed, requested_by=lead)
    assert after.pk != before.pk  # the plan changed: a new pack

    brief = services.report_request(
        scope="organization", obj=org, requested_by=member_of(Role.EXECUTIVE)
    )
    text = " ".join(pdf_text(render_pdf(services.report_html(brief)), tmp_path).split())
    assert "Plan progress 1 action done, 2 open, of which 1 overdue" in text
    assert "Platform 1 2 2 1" in text  # done, open, in progress, overdue


def test_a_failure_is_reported_and_can_be_retried(
    client, org, closed, lead, monkeypatch, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(
        services,
        "report_html",
        lambda report, built_at: (_ for _ in ()).throw(RuntimeError("template exploded")),
    )
    report = services.report_request(scope="round", obj=closed, requested_by=lead)
    build_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "template exploded" in report.error
    client.force_login(lead)
    status = client.get(
        reverse("reports:status", args=[org.slug, report.public_id])
    ).content.decode()
    assert "Failed: The PDF could not be built" in status and "Try again" in status
    monkeypatch.undo()
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:retry", args=[org.slug, report.public_id]))
    fresh = Report.objects.exclude(pk=report.pk).get()
    assert fresh.status == ReportStatus.READY


def test_a_job_stuck_running_past_its_time_limit_is_reclaimed_and_built(
    closed, lead, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    report = services.report_request(scope="round", obj=closed, requested_by=lead)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1), file=""
    )
    assert reclaim_stuck_reports() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.READY  # re-queued and built (eagerly in this test)


def test_the_renderer_refuses_the_network_and_files_outside_static():
    fetcher = StaticOnlyFetcher()
    for url in ("http://example.com/logo.png", "https://example.com/x.css", "file:///etc/passwd"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    pdf = render_pdf('<img src="http://127.0.0.1:9/tracker.png"><p>Still renders</p>')
    assert pdf.startswith(b"%PDF")


def test_download_goes_through_the_gate(
    client, org, team, closed, lead, member_of, in_team, outsider, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    report = services.report_request(scope="round", obj=closed, requested_by=lead)
    build_report(report.pk)
    url = reverse("reports:download", args=[org.slug, report.public_id])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    stranger = member_of(Role.MEMBER)
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    in_team(stranger, team)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "/media/" not in response.get("Location", "")


def test_old_reports_and_their_files_are_deleted(closed, lead, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    report = services.report_request(scope="round", obj=closed, requested_by=lead)
    build_report(report.pk)
    report.refresh_from_db()
    path = report.file.path
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=31))
    from apps.reports.tasks import delete_old_reports

    assert delete_old_reports() == 1
    import os

    assert not os.path.exists(path) and not Report.objects.exists()


def test_request_from_the_page_shows_a_status_that_polls(
    client, org, closed, lead, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(lead)
    page = client.get(
        reverse("scoring:round_result", args=[org.slug, closed.public_id])
    ).content.decode()
    assert "Team retro pack (PDF)" in page
    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(
            reverse("reports:request", args=[org.slug]),
            {"scope": "round", "object_id": str(closed.public_id)},
            HTTP_HX_REQUEST="true",
        ).content.decode()
    assert "Queued" in html and 'hx-trigger="every 2s"' in html  # answered before the build
    report = Report.objects.get()
    status = client.get(
        reverse("reports:status", args=[org.slug, report.public_id])
    ).content.decode()
    assert "download the team retro pack" in status and "hx-trigger" not in status
    listing = client.get(reverse("reports:list", args=[org.slug])).content.decode()
    assert "Team retro pack" in listing and "Q4 check" in listing


def test_a_malformed_or_foreign_object_id_is_a_clear_404_not_a_crash(client, org, lead, outsider):
    client.force_login(lead)
    for object_id in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", ""):
        response = client.post(
            reverse("reports:request", args=[org.slug]), {"scope": "round", "object_id": object_id}
        )
        assert response.status_code == 404
    response = client.post(reverse("reports:request", args=[org.slug]), {"scope": "nonsense"})
    assert response.status_code == 404
    assert not Report.objects.exists()
