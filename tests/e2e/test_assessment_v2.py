"""A v2-style assessment end to end: three colleagues answer an anonymous round in the browser
with a mix of levels, "not applicable", "I don't know", a comment and an evidence link; while
the round is open nobody sees a team result or a comment; once it has closed at its threshold
the result page, its comments CSV, the API and the PDF roadmap show them, without names."""

import csv
import io
import re
import subprocess
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.organizations.models import Role
from apps.reports.models import Report, ReportStatus
from apps.surveys import bank_services, round_services
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    ParticipantFactory,
    RoundFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.surveys.bank_data_v2 import v2_bank

pytestmark = pytest.mark.e2e

COMMENT = "We benchmark three models every month on our own test set."
EVIDENCE = "https://wiki.example.com/llm/benchmarks"
GAP_COMMENT = "Nobody told us how serving costs are tracked."
# Per respondent, question code -> the level's option ("managed"), or "na" / "dk".
ANSWERS = [
    {"E-1": "managed", "E-2": "defined", "E-3": "na", "O-1": "optimized", "O-2": "dk",
     "O-3": "initial"},
    {"E-1": "initial", "E-2": "defined", "E-3": "dk", "O-1": "managed", "O-2": "dk", "O-3": "na"},
    {"E-1": "optimized", "E-2": "managed", "E-3": "na", "O-1": "optimized", "O-2": "defined",
     "O-3": "defined"},
]  # fmt: skip


def choose(page, code, answer):
    question = page.locator(f"#question-{code}")
    label = {"na": "Not applicable", "dk": "I don't know"}.get(answer, f"{code}: {answer} practice")
    question.get_by_label(label, exact=True).check()
    expect(question.get_by_text("Saved", exact=True)).to_be_visible()


def write_note(page, code, *, comment=None, evidence=None):
    question = page.locator(f"#question-{code}")
    question.get_by_text("Comment or evidence").click()
    if comment:
        question.get_by_label("Comment").fill(comment)
        expect(question.get_by_text("Comment saved")).to_be_visible()
    if evidence:
        link = question.get_by_label("Evidence link")
        link.fill("javascript:alert(document.cookie)")
        link.press("Tab")  # a change: saved, or refused with the reason, and the text stays
        expect(question.get_by_text("Not saved: Enter a web address starting with")).to_be_visible()
        expect(link).to_have_value("javascript:alert(document.cookie)")
        expect(link).to_have_attribute("aria-invalid", "true")
        link.fill(evidence)
        link.press("Tab")
        expect(question.get_by_text("Evidence link saved")).to_be_visible()
        expect(link).not_to_have_attribute("aria-invalid", "true")


def answer_round(browser, link, answers, notes=()):
    page = browser.new_context().new_page()
    page.goto(link)
    page.get_by_role("link", name=re.compile("Start")).click()
    for codes in (("E-1", "E-2", "E-3"), ("O-1", "O-2", "O-3")):
        for code in codes:
            choose(page, code, answers[code])
        for code, note in notes:
            if code in codes:
                write_note(page, code, **note)
        page.get_by_role("button", name=re.compile("Next page|Review answers")).click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(page.get_by_text("Everything is answered.")).to_be_visible()
    review = page.locator("table")
    for kind, text in (("na", "Not applicable"), ("dk", "I don't know")):
        if kind in answers.values():
            expect(review).to_contain_text(text)  # answered, not missing
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you, your answers are in")).to_be_visible()
    page.context.close()


def comments_csv(client, org, round_) -> list[dict]:
    response = client.get(reverse("scoring:round_comments_csv", args=[org.slug, round_.public_id]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def api_result(client, org, round_) -> dict:
    return client.get(f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result").json()


def pdf_text(client, org, round_, tmp_path) -> str:
    client.post(
        reverse("reports:request", args=[org.slug]),
        {"scope": "round", "object_id": str(round_.public_id)},
    )
    report = Report.objects.get(round=round_)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.READY, ReportStatus.FAILED):
            break
        time.sleep(0.1)
    assert report.status == ReportStatus.READY, report.error
    response = client.get(reverse("reports:download", args=[org.slug, report.public_id]))
    path = tmp_path / "roadmap.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_v2_round_with_levels_na_dont_know_and_notes_end_to_end(
    live_server, celery_worker, browser, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    lead = UserFactory(email="lead@example.com", name="Lina Lead")
    membership = MembershipFactory(user=lead, role=Role.LEAD)
    org = membership.organization
    team = TeamFactory(organization=org, name="Copilot")
    TeamMembershipFactory(team=team, membership=membership, is_lead=True)
    bank = bank_services.bank_import(v2_bank(), publish=True)
    round_ = RoundFactory(team=team, bank=bank, title="Copilot Q1", anonymous=True)
    people = [ParticipantFactory(round=round_, email=f"p{i}@example.com") for i in range(3)]
    links = [
        live_server.url + reverse("surveys:intro", args=[round_services.participant_token(p)])
        for p in people
    ]

    answer_round(
        browser,
        links[0],
        ANSWERS[0],
        notes=[("E-1", {"comment": COMMENT, "evidence": EVIDENCE})],
    )
    answer_round(browser, links[1], ANSWERS[1], notes=[("O-2", {"comment": GAP_COMMENT})])
    answer_round(browser, links[2], ANSWERS[2])

    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("lead@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    result_url = live_server.url + reverse(
        "scoring:round_result", args=[org.slug, round_.public_id]
    )
    client.force_login(lead)

    # Open: only the count, on every surface; no distribution, no comment.
    page.goto(result_url)
    expect(page.get_by_text("3 submitted of 3 invited")).to_be_visible()
    expect(page.get_by_role("heading", name="Answers per question")).to_have_count(0)
    expect(page.locator("svg[id^=question-], .question-chart")).to_have_count(0)
    expect(page.get_by_text(COMMENT)).to_have_count(0)
    rows = comments_csv(client, org, round_)
    assert [row["comment"] for row in rows] == ["3 submitted of 3 invited"]
    assert COMMENT not in str(rows) and EVIDENCE not in str(rows)
    api = api_result(client, org, round_)
    assert api["visible"] is False and api["questions"] == []
    assert COMMENT not in str(api)

    round_services.round_close(round_=round_)

    # Closed at its threshold: distributions, findings and comments, without names.
    page.goto(result_url)
    expect(page.locator(".question-chart svg:visible")).to_have_count(6)  # one of its 2 drawings
    e1 = page.locator("#question-e-1")
    expect(e1.get_by_text("disagreement", exact=True)).to_be_visible()
    expect(e1.get_by_text(COMMENT)).to_be_visible()
    evidence = e1.get_by_role("link", name=re.compile("Evidence"))
    expect(evidence).to_have_attribute("href", EVIDENCE)
    expect(evidence).to_have_attribute("rel", "noopener noreferrer nofollow")
    o2 = page.locator("#question-o-2")
    expect(o2.get_by_text("knowledge gap", exact=True)).to_be_visible()
    expect(o2.get_by_text(GAP_COMMENT)).to_be_visible()
    chart = o2.locator("svg").first
    expect(chart.locator("desc")).to_contain_text("Don't know 2")
    expect(page.get_by_text("p0@example.com")).to_have_count(0)
    page.screenshot(path="/tmp/e2e-v2-result.png", full_page=True)

    rows = comments_csv(client, org, round_)
    assert {(r["question"], r["comment"], r["evidence_url"]) for r in rows} == {
        ("E-1", COMMENT, EVIDENCE),
        ("O-2", GAP_COMMENT, ""),
    }
    assert "p0@example.com" not in str(rows)
    api = api_result(client, org, round_)
    by_code = {q["code"]: q for q in api["questions"]}
    assert by_code["E-1"]["comments"] == [
        {"answer": "Managed", "comment": COMMENT, "evidence_url": EVIDENCE}
    ]
    assert by_code["O-2"]["comments"][0]["comment"] == GAP_COMMENT
    assert "p1@example.com" not in str(api)

    text = pdf_text(client, org, round_, tmp_path)
    flat = " ".join(text.split())
    assert "Appendix: answers per question" in flat
    assert COMMENT in flat and GAP_COMMENT in flat
    assert EVIDENCE in "".join(text.split())  # a long link may wrap
    assert "knowledge gap" in flat.lower()
    assert "p0@example.com" not in flat
