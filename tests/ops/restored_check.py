"""Run in a process of its own against a restored database and storage (DATABASE_URL and
STORAGE_URL in the environment): `python -m tests.ops.restored_check BACKUP_DIR` prints JSON.

- every round: its status and what `manage.py recompute_round` says (differences, or none);
- every ready report: downloaded through the download view as the organization's owner, its
  bytes compared with the backup's copy;
- the sweep: which report jobs it would publish again (those queued or running at backup time).
"""

import hashlib
import json
import os
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import CommandError, call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.organizations.models import Membership, Role  # noqa: E402
from apps.reports import services  # noqa: E402
from apps.reports.models import Report, ReportStatus  # noqa: E402
from apps.surveys.models import Round  # noqa: E402


def main(backup: Path) -> dict:
    rounds = {}
    for round_ in Round.objects.order_by("pk"):
        out = StringIO()
        try:
            call_command("recompute_round", str(round_.public_id), stdout=out)
            differences = []
        except CommandError as error:
            differences = [*out.getvalue().splitlines(), str(error)]
        rounds[str(round_.public_id)] = {"status": round_.status, "differences": differences}
    downloads = {}
    client = Client()
    for report in Report.objects.filter(status=ReportStatus.READY).select_related("organization"):
        owner = Membership.objects.filter(organization=report.organization, role=Role.OWNER)
        client.force_login(owner.first().user)
        url = reverse("reports:download", args=[report.organization.slug, report.public_id])
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.status_code == 200 else b""
        copy = (backup / "files" / report.file.name).read_bytes()
        downloads[str(report.public_id)] = {
            "status": response.status_code,
            "pdf": body.startswith(b"%PDF"),
            "same_as_backup": hashlib.sha256(body).digest() == hashlib.sha256(copy).digest(),
        }
    later = timezone.now() + timedelta(days=1)  # past the grace period and the time limit
    republished = sorted(
        str(Report.objects.get(pk=pk).public_id) for pk in services.reports_reclaim_stuck(later)
    )
    return {"rounds": rounds, "downloads": downloads, "republished": republished}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
