"""The retro pack stays within four A4 pages on the 20-question bank however much there is to
say: every question disputed, many "don't know", a long comment from everyone on every question,
and a long plan. What does not fit is counted, and said where to find it."""

import datetime as dt
import io
import subprocess

import pytest
from django.utils import timezone
from pypdf import PdfReader

from apps.reports import services
from apps.reports.models import Report
from apps.reports.pdf import render_pdf
from apps.surveys import answer_notes, round_services
from tests.factories import ActionFactory, RoundFactory, published_bank
from tests.scenarios import invite

pytestmark = pytest.mark.django_db

PEOPLE = 6
COMMENT = (
    "We discussed this at length in the last incident review and still do not agree on who "
    "owns it; the runbook says one thing, the on-call rota another, and the dashboard shows a "
    "third picture entirely, so the answer depends on which week you ask and whom you ask it."
)


def disputed_round(team):
    """Six people answer the 20-question bank: on every question half choose the lowest
    level's option and half the highest's, two answer "don't know" on every other question,
    and everyone leaves a long comment everywhere."""
    bank = published_bank(version=None)
    assert bank.questions.count() == 20
    round_ = RoundFactory(team=team, bank=bank, title="Q4 check")
    invite(round_, [f"p{i}@example.com" for i in range(PEOPLE)])
    questions = list(bank.questions.prefetch_related("choices").order_by("pk"))
    for number, participant in enumerate(round_.participants.order_by("email")):
        for index, question in enumerate(questions):
            choices = sorted(question.choices.all(), key=lambda c: c.points)
            if number < 2 and index % 2 == 0:
                choice = "dk"
            else:
                choice = (choices[0] if number % 2 else choices[-1]).pk
            round_services.answer_save(
                participant=participant, question_id=question.pk, choice_id=choice
            )
            answer_notes.answer_note_save(
                participant=participant,
                question_id=question.pk,
                field=answer_notes.COMMENT,
                value=f"{COMMENT} ({number}/{index})",
            )
        round_services.response_submit(participant=participant)
    round_services.round_close(round_=round_)
    round_.refresh_from_db()
    return round_


def test_a_pack_with_everything_to_say_stays_within_four_pages(org, team, lead, tmp_path):
    round_ = disputed_round(team)
    owner = lead.memberships.get(organization=org)
    today = timezone.localdate()
    for n in range(9):
        ActionFactory(
            team=team,
            title=f"Put the evaluation gate in the release pipeline, part {n}",
            owner=owner,
            done_when="The pipeline blocks a release whose evaluation scores fall below the "
            "agreed thresholds, and the last three releases show it ran. " * 2,
            due_date=today + dt.timedelta(days=n - 3),
            status="doing" if n % 2 else "todo",
        )
    for n in range(6):
        ActionFactory(
            team=team,
            title=f"Done thing {n}",
            status="done",
            done_at=timezone.now() - dt.timedelta(days=1),
            bank_slug="llmops",
            question_code=f"APP-{n + 1}",
        )
    report = services.report_request(scope="round", obj=round_, requested_by=lead)
    pdf = render_pdf(services.report_html(Report.objects.get(pk=report.pk)))
    assert len(PdfReader(io.BytesIO(pdf)).pages) <= 4
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "Also two or more levels apart:" in text  # 20 disagreements, 6 in full
    assert "Also a third or more “I don't know”:" in text
    assert "115 more comments: the comments CSV on the round result has every one." in text
    assert "5 more open actions on the team page." in text
    assert "3 overdue" in text
    assert "Appendix: answers per question" in text and "OPS-11" in text
