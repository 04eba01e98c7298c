"""Names appear as typed on every surface: pages, both parts of every e-mail, CSV and PDFs
(any script, emoji, quotes, markup), and a PDF's page header is the title as typed."""

import subprocess
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from apps.organizations import services as org_services
from apps.organizations.access import organization_access
from apps.organizations.models import Role
from apps.reports import services as report_services
from apps.reports.models import Report
from apps.reports.pdf import render_pdf
from tests.scenarios import submit_responses
from tests.support.downloads import read_csv

pytestmark = pytest.mark.django_db

NAME = "Ops & Data “Ünïcødé” 🚀 שלום <b>x</b>"
ESCAPED = "Ops &amp; Data “Ünïcødé” 🚀 שלום &lt;b&gt;x&lt;/b&gt;"
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f"))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    """What a browser shows of `html` (the text nodes, entities decoded)."""
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def pdf_pages(data: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return [page.translate(BIDI_CONTROLS) for page in text.split("\f") if page.strip()]


def assert_shown_as_typed(html: str, name: str = NAME) -> None:
    assert ESCAPED in html and "<b>x</b>" not in html
    assert name in text_of(html)


@pytest.fixture
def named(org, team, round_):
    org.name, team.name, round_.title = NAME, NAME, NAME
    org.save()
    team.save()
    round_.save()
    return round_


def test_pages_show_names_as_typed(client, named, lead, org, team):
    client.force_login(lead)
    for url in (
        reverse("organizations:team_detail", args=[org.slug, team.public_id]),
        reverse("surveys:round_detail", args=[org.slug, named.public_id]),
    ):
        assert_shown_as_typed(client.get(url).content.decode())


def test_both_parts_of_the_invitation_emails_show_names_as_typed(
    named, org, lead, member_of, invite, django_capture_on_commit_callbacks
):
    owner = member_of(Role.OWNER, email="olga@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        org_services.invitation_send(
            actor=organization_access(owner, org.slug),
            email="new@example.com",
            role=Role.MEMBER,
            invited_by=owner,
        )
    invite(named, ["ann@example.com"])
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert NAME in message.body and "&amp;" not in message.body and "&lt;" not in message.body
        assert_shown_as_typed(message.alternatives[0].content)
    assert NAME in mail.outbox[1].subject


def test_history_csv_cells_hold_names_as_typed(client, named, lead, org, team):
    submit_responses(named, [1, 1, 1])
    client.force_login(lead)
    rows = read_csv(
        client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id]))
    )
    assert {(row[0], row[1]) for row in rows[1:]} == {(NAME, NAME)}


def built_pages(round_, lead) -> list[str]:
    """The retro pack's pages as the worker builds it (the report read afresh, as it does)."""
    report = report_services.report_request(scope="round", obj=round_, requested_by=lead)
    return pdf_pages(render_pdf(report_services.report_html(Report.objects.get(pk=report.pk))))


def test_pdf_text_layer_holds_names_as_typed_emoji_included(named, lead):
    submit_responses(named, [1, 1, 1])
    pages = built_pages(named, lead)
    first = pages[0]  # its masthead
    for part in ("Ops & Data", "“Ünïcødé”", "🚀", "שלום", "x</b>"):
        assert part in first
    for page in pages[1:]:  # the header, on every page after the first
        assert "🚀" in page and "שלום" in page and "Ünïcødé" in page


@pytest.mark.parametrize(
    "title",
    [
        "This quarter's LLMOps check",
        'Q&A "Platform" \\ back\\slash',
        "</style><b>Break out</b>",
        "Lift-off 🚀✅",
    ],
)
def test_pdf_page_header_prints_the_title_as_typed_on_every_page(title, org, team, round_, lead):
    round_.title = title
    round_.save()
    submit_responses(round_, [1, 1, 1])
    pages = built_pages(round_, lead)
    assert len(pages) >= 3
    header = f"Acme · Team retro pack · Platform · {title}"
    for number, page in enumerate(pages[1:], start=2):
        assert header in page.splitlines(), f"page {number}: {page[:200]!r}"
    assert "u0027" not in "".join(pages) and "\\u" not in "".join(pages)
