"""Exports in the audit log: a PDF report requested and downloaded, a CSV downloaded, one entry
each; none for a refused request or a download of a file that is gone."""

import pytest
from django.urls import reverse

from apps.core.models import AuditEntry
from apps.organizations.models import Role
from apps.reports import services
from apps.reports.offer import ReportUnavailable
from tests.factories import ready_team_report
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_report_download_and_csv_download(client, org, team, member_of):
    executive = member_of(Role.EXECUTIVE)
    client.force_login(executive)
    report = ready_team_report(team)
    response = client.get(reverse("reports:download", args=[org.slug, report.public_id]))
    assert response.status_code in (200, 302)
    [downloaded] = entries("report.downloaded")
    assert (downloaded.organization, downloaded.actor) == (org, executive)

    response = client.get(reverse("plans:organization_csv", args=[org.slug]))
    assert response.status_code == 200
    [csv_entry] = entries("export.csv_downloaded")
    assert csv_entry.object_label.endswith(".csv") and csv_entry.organization == org


def test_report_requests_one_entry_each_none_when_refused(org, team, member_of):
    executive = member_of(Role.EXECUTIVE)
    open_round = submitted_round(team=team, points=[1, 1, 1], closed=False)
    with pytest.raises(ReportUnavailable):
        services.report_request(scope="round", obj=open_round, requested_by=executive)
    assert entries("report.requested") == []
    closed = submitted_round(team=team, points=[0, 1, 2])
    first = services.report_request(scope="round", obj=closed, requested_by=executive)
    again = services.report_request(scope="round", obj=closed, requested_by=executive)
    assert again == first  # the same report, asked twice: two requests
    assert [(e.object_id, e.actor) for e in entries("report.requested")] == [
        (str(first.public_id), executive)
    ] * 2
