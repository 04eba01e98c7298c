"""The access matrix: every org-scoped URL with the lowest role that may use it, and the
data (a "world") that fills in the URLs' ids. tests/organizations/test_access_matrix.py asks
each as every role; the URL walk and the security-header test reuse it."""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.organizations.models import Invitation, Role
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    ParticipantFactory,
    ResponseFactory,
    RoundFactory,
    TeamMembershipFactory,
    ready_team_report,
)
from tests.scenarios import submitted_round


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    min_role: Role
    data: tuple = ()

    def __str__(self):
        return f"{self.method} {self.url_name}"

    @property
    def view_name(self) -> str:
        return self.url_name if ":" in self.url_name else f"organizations:{self.url_name}"


# A valid target for the Targets forms: LLMOps' application dimension at level 3.
TARGET = (("bank", "llmops"), ("dimension", "application"), ("level", "3"), ("due", "2099-12-31"))

CASES = [
    Case("surveys:round_create", "get", Role.ADMIN),
    Case(
        "surveys:round_create",
        "post",
        Role.ADMIN,
        (
            ("title", "Q1"),
            ("opens_on", "2026-01-01"),
            ("closes_on", "2099-01-01"),
            ("min_respondents", "3"),
        ),
    ),
    Case("surveys:round_bank_preview", "get", Role.ADMIN),  # and the team's own leads
    Case("surveys:round_detail", "get", Role.ADMIN),
    Case("surveys:round_progress", "get", Role.ADMIN),
    Case("surveys:round_edit", "get", Role.ADMIN),
    Case("surveys:round_invite", "post", Role.ADMIN, (("emails", "new.person@example.com"),)),
    Case("surveys:round_remind", "post", Role.ADMIN),
    Case("surveys:round_close", "post", Role.ADMIN),
    Case("surveys:round_people", "get", Role.ADMIN),
    Case("surveys:participant_revoke", "post", Role.ADMIN),
    Case("reports:list", "get", Role.MEMBER),
    Case("reports:request", "post", Role.EXECUTIVE, (("scope", "organization"),)),
    Case("reports:status", "get", Role.EXECUTIVE),
    Case("reports:retry", "post", Role.EXECUTIVE),
    Case("reports:download", "get", Role.EXECUTIVE),
    Case("scoring:dashboard", "get", Role.EXECUTIVE),
    Case("scoring:dashboard_csv", "get", Role.EXECUTIVE),
    Case("scoring:round_result", "get", Role.EXECUTIVE),
    Case("scoring:round_result_csv", "get", Role.EXECUTIVE),
    Case("scoring:round_comments_csv", "get", Role.EXECUTIVE),
    Case("scoring:team_history", "get", Role.EXECUTIVE),
    Case("scoring:team_history_csv", "get", Role.EXECUTIVE),
    Case("scoring:targets", "get", Role.EXECUTIVE),
    Case("scoring:targets", "post", Role.EXECUTIVE, TARGET),
    Case("scoring:target_policy", "post", Role.ADMIN, (("teams_may_go_below", "on"),)),
    Case("scoring:team_targets", "get", Role.EXECUTIVE),  # and the team's own members
    Case("scoring:team_targets", "post", Role.ADMIN, TARGET),  # and the team's own leads
    Case("dashboard", "get", Role.MEMBER),
    Case("leave", "post", Role.MEMBER),
    Case("settings", "get", Role.ADMIN),
    Case("settings", "post", Role.ADMIN, (("name", "Acme Corp"), ("time_zone", "Europe/Paris"))),
    Case("delete", "post", Role.OWNER, (("confirm_name", "not the name"),)),
    Case("delete_cancel", "post", Role.OWNER),  # nothing scheduled: back to the settings
    Case("audit:log", "get", Role.ADMIN),
    Case("reports:export", "get", Role.OWNER),
    Case("reports:export_request", "post", Role.OWNER),
    Case("reports:export_status", "get", Role.OWNER),
    Case("reports:export_download", "get", Role.OWNER),
    Case("sso:settings", "get", Role.OWNER),
    Case("sso:settings", "post", Role.OWNER, (("action", "add_domain"), ("domain", "acme.test"))),
    Case("sso:test", "post", Role.OWNER),  # without a provider: back to the settings
    Case("team_list", "get", Role.MEMBER),
    Case("team_list", "post", Role.ADMIN, (("name", "New team"),)),
    Case("team_detail", "get", Role.EXECUTIVE),
    Case("team_detail", "post", Role.ADMIN, (("name", "Renamed"),)),
    Case("team_archive", "post", Role.ADMIN),
    Case("team_member_add", "post", Role.ADMIN),
    Case("team_member_update", "post", Role.ADMIN, (("is_lead", "1"),)),
    Case("member_list", "get", Role.ADMIN),
    Case("member_list", "post", Role.ADMIN, (("email", "new@example.com"), ("role", "10"))),
    Case("member_update", "post", Role.ADMIN, (("role", "20"),)),
    Case("invitation_update", "post", Role.ADMIN),
    Case("plans:action_new", "get", Role.ADMIN),
    Case("plans:action_new", "post", Role.ADMIN, (("title", "Eval gate"), ("status", "todo"))),
    Case("plans:team_csv", "get", Role.EXECUTIVE),
    Case("plans:organization_csv", "get", Role.EXECUTIVE),
    Case("plans:action_row", "get", Role.EXECUTIVE),
    Case("plans:action_edit", "get", Role.ADMIN),
    Case("plans:action_edit", "post", Role.ADMIN, (("title", "Renamed"), ("status", "doing"))),
    Case("plans:action_status", "post", Role.ADMIN, (("status", "done"),)),
    Case("plans:action_delete", "post", Role.ADMIN),
    Case("plans:organization_plan", "get", Role.EXECUTIVE),
    Case("plans:organization_action_new", "get", Role.EXECUTIVE),
    Case(
        "plans:organization_action_new",
        "post",
        Role.EXECUTIVE,
        (("title", "Shared eval gate"), ("status", "todo")),
    ),
]


def ready_export(org):
    """A built organization export (a stand-in ZIP file), for the URLs that need one."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.reports.models import OrganizationExport

    return OrganizationExport.objects.create(
        organization=org,
        status="ready",
        download_name="export.zip",
        file=SimpleUploadedFile("e.zip", b"PK test"),
    )


def org_world(org, team) -> dict:
    """A target member in the team, a round someone has started answering, a report and a
    pending invitation in `org`, for the URLs that need them: {url keyword: value}."""
    target = TeamMembershipFactory(team=team, membership=MembershipFactory(organization=org))
    round_ = RoundFactory(team=team)
    ResponseFactory(participant=ParticipantFactory(round=round_))  # someone has started
    # An earlier round closed at its threshold: reports have a team result to show (without
    # one, a report request is refused, 409).
    submitted_round(team=team, days_ago=100, points=[1, 1, 1])
    report = ready_team_report(team)
    invitation = Invitation.objects.create(
        organization=org,
        email="pending@example.com",
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=3),
    )
    return {
        "org_slug": org.slug,
        "team_id": team.public_id,
        "member_id": target.membership.public_id,
        "invitation_id": invitation.public_id,
        "round_id": round_.public_id,
        "report_id": report.public_id,
        "action_id": ActionFactory(team=team).public_id,
        "export_id": ready_export(org).public_id,
    }


URL_SIGNATURES = (
    ("org_slug",),
    ("org_slug", "team_id"),
    ("org_slug", "team_id", "member_id"),
    ("org_slug", "member_id"),
    ("org_slug", "invitation_id"),
    ("org_slug", "round_id"),
    ("org_slug", "report_id"),
    ("org_slug", "action_id"),
    ("org_slug", "export_id"),
)


def url_for(case: Case, world: dict) -> str:
    """The URL of `case` with the ids of `world`."""
    for names in URL_SIGNATURES:
        try:
            return reverse(case.view_name, kwargs={k: world[k] for k in names})
        except NoReverseMatch:
            continue
    raise AssertionError(f"no known signature builds {case.view_name}")
