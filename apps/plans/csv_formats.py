"""A plan as CSV: for a spreadsheet, and in the columns each tracker's importer reads (README,
"Improvement plans", documents the mapping per tool).

- Jira (the CSV importer): Issue Type, Summary, Description, Assignee (e-mail), Due Date
  (yyyy-MM-dd), Status (To Do, In Progress, Done), Resolution (Done, Won't Do) and one Labels
  column per label (Jira labels have no spaces).
- Azure Boards (Import Work Items from CSV): Work Item Type, Title, Description (HTML),
  Assigned To (e-mail), Tags ("; " between them). Azure creates every imported item in its
  type's first state, so the status travels as a tag, and the due date in the description
  (its Due Date field does not exist in every process).
- GitHub (no CSV import: `gh issue create` in a loop): title, body (Markdown), labels (comma
  separated), state (open or closed), owner_email, due_date.

Cells go through `csv_response`, which neutralises formulas (safe_cell).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify

from apps.core.emails import absolute_url
from apps.organizations.models import Organization
from apps.plans.models import Action, ActionStatus

PLAN_LABEL = "maturity-plan"
DAY = "%d %b %Y"


def action_link(action: Action, organization: Organization) -> str:
    """Where the action lives in the app: its team's page (the organization's dashboard for an
    organization-level action)."""
    if action.team is not None:
        path = reverse("organizations:team_detail", args=[organization.slug, action.team.public_id])
        return absolute_url(f"{path}#action-{action.public_id}")
    return absolute_url(reverse("organizations:dashboard", args=[organization.slug]))


def _question_line(action: Action) -> str:
    info = getattr(action, "question", None)
    if info is not None:
        return f"{info.code} · {info.text} ({info.dimension})"
    return action.question_code


def _details(action: Action, organization: Organization, *, due_in_text: bool) -> list:
    """(label, text) pairs that a description is made of, in order."""
    where = action.team.name if action.team else f"{organization.name} (organization)"
    details = []
    if action.question_code:
        details.append(("Question", _question_line(action)))
    if action.done_when:
        details.append(("Done when", action.done_when))
    if action.notes:
        details.append(("Notes", action.notes))
    if due_in_text and action.due_date:
        details.append(("Due", action.due_date.strftime(DAY)))
    if due_in_text:
        details.append(("Owner", action.owner.user.email if action.owner else "nobody yet"))
    details.append(("Plan", f"{where}: {action_link(action, organization)}"))
    return details


def plain_description(action: Action, organization: Organization, *, due_in_text=False) -> str:
    return "\n\n".join(
        f"{label}: {text}"
        for label, text in _details(action, organization, due_in_text=due_in_text)
    )


def html_description(action: Action, organization: Organization) -> str:
    return "".join(
        f"<p><b>{escape(label)}:</b> {escape(text).replace(chr(10), '<br>')}</p>"
        for label, text in _details(action, organization, due_in_text=True)
    )


def markdown_description(action: Action, organization: Organization) -> str:
    return "\n\n".join(
        f"**{label}:** {text}" for label, text in _details(action, organization, due_in_text=True)
    )


def labels(action: Action) -> list[str]:
    """Space-free labels: the plan's own, the team, the dimension and the question's code."""
    info = getattr(action, "question", None)
    found = [
        PLAN_LABEL,
        slugify(action.team.name) if action.team else "organization",
        info.dimension_key if info else "",
        action.question_code,
    ]
    return [label for label in found if label]


def _owner_email(action: Action) -> str:
    return action.owner.user.email if action.owner else ""


def _due(action: Action) -> str:
    return action.due_date.isoformat() if action.due_date else ""


# --- The formats


def spreadsheet_table(actions: list[Action], *, organization: Organization):
    header = [
        "Title",
        "Status",
        "Owner",
        "Owner e-mail",
        "Due date",
        "Overdue",
        "Done when",
        "Notes",
        "Team",
        "Bank",
        "Question",
        "Question text",
        "Dimension",
        "Source",
        "Source round",
        "Created",
        "Done on",
        "Link",
    ]

    def rows() -> Iterable[list]:
        for a in actions:
            info = getattr(a, "question", None)
            yield [
                a.title,
                a.get_status_display(),
                a.owner.user.display_name if a.owner else "",
                _owner_email(a),
                _due(a),
                "yes" if getattr(a, "overdue", False) else "no",
                a.done_when,
                a.notes,
                a.team.name if a.team else "(organization)",
                a.bank_slug,
                a.question_code,
                info.text if info else "",
                info.dimension if info else "",
                a.get_source_display(),
                a.source_round.title if a.source_round else "",
                a.created_at.date().isoformat(),
                a.done_at.date().isoformat() if a.done_at else "",
                action_link(a, organization),
            ]

    return header, rows()


JIRA_STATUS = {
    ActionStatus.TODO: ("To Do", ""),
    ActionStatus.DOING: ("In Progress", ""),
    ActionStatus.DONE: ("Done", "Done"),
    ActionStatus.DROPPED: ("Done", "Won't Do"),
}
JIRA_LABEL_COLUMNS = 4


def jira_table(actions: list[Action], *, organization: Organization):
    header = [
        "Issue Type",
        "Summary",
        "Description",
        "Assignee",
        "Due Date",
        "Status",
        "Resolution",
        *["Labels"] * JIRA_LABEL_COLUMNS,
    ]

    def rows() -> Iterable[list]:
        for a in actions:
            status, resolution = JIRA_STATUS[a.status]
            found = labels(a)
            yield [
                "Task",
                a.title,
                plain_description(a, organization),
                _owner_email(a),
                _due(a),
                status,
                resolution,
                *(found + [""] * JIRA_LABEL_COLUMNS)[:JIRA_LABEL_COLUMNS],
            ]

    return header, rows()


def azure_table(actions: list[Action], *, organization: Organization):
    header = ["Work Item Type", "Title", "Description", "Assigned To", "Tags"]

    def rows() -> Iterable[list]:
        for a in actions:
            tags = [*labels(a), a.get_status_display()]
            if getattr(a, "overdue", False):
                tags.append("Overdue")
            yield [
                "Task",
                a.title,
                html_description(a, organization),
                _owner_email(a),
                "; ".join(tags),
            ]

    return header, rows()


def github_table(actions: list[Action], *, organization: Organization):
    header = ["title", "body", "labels", "state", "owner_email", "due_date"]

    def rows() -> Iterable[list]:
        for a in actions:
            yield [
                a.title,
                markdown_description(a, organization),
                ",".join(labels(a)),
                "open" if a.is_open else "closed",
                _owner_email(a),
                _due(a),
            ]

    return header, rows()


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    suffix: str  # of the file name
    table: Callable


SPREADSHEET = Format("", "Spreadsheet", "", spreadsheet_table)
FORMATS = {
    f.key: f
    for f in [
        SPREADSHEET,
        Format("jira", "Jira", "_jira", jira_table),
        Format("azure", "Azure Boards", "_azure-boards", azure_table),
        Format("github", "GitHub issues", "_github", github_table),
    ]
}
