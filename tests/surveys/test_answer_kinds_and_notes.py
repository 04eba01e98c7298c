"""Respondents answer with an option, "Not applicable" or "I don't know", and may add a comment
and an evidence link to an answer; all of it autosaves through their link (DESIGN §3, §4)."""

import re

import pytest
from django.urls import reverse

from apps.surveys import bank_services
from apps.surveys.models import Answer, AnswerKind
from tests.factories import RoundFactory
from tests.surveys.bank_data_v2 import v2_bank

pytestmark = pytest.mark.django_db

DONT_KNOW = re.compile("I don(&#x27;|')t know")


@pytest.fixture
def v2_round(team, lead):
    bank = bank_services.bank_import(v2_bank(), publish=True)
    return RoundFactory(team=team, bank=bank, title="V2 check", created_by=lead)


@pytest.fixture
def ada(v2_round, invite):
    return invite(v2_round, ["ada@example.com"])["ada@example.com"]


def question(round_, code):
    return round_.bank.questions.prefetch_related("choices").get(code=code)


def answer(client, token, q, value):
    """Autosave one answer (htmx) as the radio does: an option's id, "na" or "dk"."""
    return client.post(
        reverse("surveys:answer", args=[token]), {f"q-{q.pk}": value}, HTTP_HX_REQUEST="true"
    )


def note(client, token, q, field, value):
    """Autosave a comment ("comment") or an evidence link ("evidence") as the page does."""
    return client.post(
        reverse("surveys:note", args=[token]), {f"{field}-{q.pk}": value}, HTTP_HX_REQUEST="true"
    )


def level(q, number):
    return next(c for c in q.choices.all() if c.level == number)


def test_each_question_offers_its_options_and_apart_not_applicable_where_allowed(
    client, v2_round, ada
):
    html = client.get(reverse("surveys:page", args=[ada, 1])).content.decode()
    app1, app2 = question(v2_round, "E-1"), question(v2_round, "E-3")
    for number in (1, 2, 3, 4):
        assert level(app1, number).label in html
    # "I don't know" on every question (the bank allows it), "Not applicable" only on APP-2.
    assert f'id="dk-{app1.pk}"' in html and f'id="dk-{app2.pk}"' in html
    assert f'id="na-{app2.pk}"' in html and f'id="na-{app1.pk}"' not in html
    # ...in a group of their own, after the options.
    fieldset = html[html.index('id="question-E-3"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    aside = fieldset[fieldset.index('class="answer-aside"') :]
    assert "Not applicable" in aside and DONT_KNOW.search(aside)
    assert "practice" not in aside.replace("This practice does not apply", "")


def test_a_bank_without_dont_know_does_not_offer_it(client, team, invite):
    bank = bank_services.bank_import({**v2_bank("nodk"), "allow_dont_know": False}, publish=True)
    round_ = RoundFactory(team=team, bank=bank)
    token = invite(round_, ["bo@example.com"])["bo@example.com"]
    html = client.get(reverse("surveys:page", args=[token, 1])).content.decode()
    assert 'value="dk"' not in html and not DONT_KNOW.search(html)


def test_not_applicable_and_dont_know_save_show_again_and_count_as_answered(client, v2_round, ada):
    app1, app2 = question(v2_round, "E-1"), question(v2_round, "E-3")
    assert "Saved" in answer(client, ada, app2, "na").content.decode()
    assert "Saved" in answer(client, ada, app1, "dk").content.decode()
    assert {a.kind for a in Answer.objects.all()} == {AnswerKind.NOT_APPLICABLE, "dk"}
    html = client.get(reverse("surveys:page", args=[ada, 1])).content.decode()
    assert re.search(rf'id="na-{app2.pk}" value="na"\s+checked', html)
    assert re.search(rf'id="dk-{app1.pk}" value="dk"\s+checked', html)
    review = client.get(reverse("surveys:review", args=[ada])).content.decode()
    assert "<em>Not applicable</em>" in review and DONT_KNOW.search(review)
    assert "4 questions still need an answer" in review


def test_not_applicable_is_refused_where_the_question_does_not_offer_it(client, v2_round, ada):
    response = answer(client, ada, question(v2_round, "E-1"), "na")
    assert response.status_code == 400
    assert "not applicable" in response.content.decode()
    assert not Answer.objects.exists()


def test_submit_needs_every_question_answered_and_takes_a_mix(client, v2_round, ada):
    e1, e2, e3, o1, o2, o3 = (
        question(v2_round, c) for c in ("E-1", "E-2", "E-3", "O-1", "O-2", "O-3")
    )
    answer(client, ada, e1, level(e1, 3).pk)
    answer(client, ada, e2, level(e2, 1).pk)
    answer(client, ada, e3, "na")
    answer(client, ada, o1, "dk")
    answer(client, ada, o2, "dk")
    refused = client.post(reverse("surveys:submit", args=[ada]))
    assert refused.status_code == 400 and "O-3" in refused.content.decode()
    answer(client, ada, o3, level(o3, 2).pk)
    assert client.post(reverse("surveys:submit", args=[ada])).status_code == 302


def test_a_comment_and_an_evidence_link_autosave_with_the_answer(client, v2_round, ada):
    app1 = question(v2_round, "E-1")
    answer(client, ada, app1, level(app1, 2).pk)
    saved = note(client, ada, app1, "comment", "  We compared two models in March.  ")
    assert saved.status_code == 200 and "Comment saved" in saved.content.decode()
    assert note(client, ada, app1, "comment", "We compared two models in March.").status_code == 204
    saved = note(client, ada, app1, "evidence", "https://wiki.example.com/models?id=1")
    assert "Evidence link saved" in saved.content.decode()
    stored = Answer.objects.get(question=app1)
    assert stored.comment == "We compared two models in March."
    assert stored.evidence_url == "https://wiki.example.com/models?id=1"
    answer(client, ada, app1, level(app1, 4).pk)  # a change of answer keeps the note
    assert Answer.objects.get(question=app1).comment == "We compared two models in March."
    html = client.get(reverse("surveys:page", args=[ada, 1])).content.decode()
    assert ">We compared two models in March.</textarea>" in html
    assert 'value="https://wiki.example.com/models?id=1"' in html


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "ftp://files.example.com/x", "data:text/html,hi", "https://", "a b"],
)
def test_only_http_and_https_links_are_taken_and_a_bad_one_says_why(client, v2_round, ada, link):
    app1 = question(v2_round, "E-1")
    answer(client, ada, app1, level(app1, 2).pk)
    note(client, ada, app1, "evidence", "https://ok.example.com/")
    refused = note(client, ada, app1, "evidence", link)
    assert refused.status_code == 422
    assert "Enter a web address starting with http:// or https://." in refused.content.decode()
    assert Answer.objects.get(question=app1).evidence_url == "https://ok.example.com/"


def test_a_link_without_a_scheme_is_read_as_https(client, v2_round, ada):
    app1 = question(v2_round, "E-1")
    answer(client, ada, app1, "dk")
    note(client, ada, app1, "evidence", "wiki.example.com/page")
    assert Answer.objects.get(question=app1).evidence_url == "https://wiki.example.com/page"


def test_a_comment_longer_than_1000_characters_is_refused(client, v2_round, ada):
    app1 = question(v2_round, "E-1")
    answer(client, ada, app1, level(app1, 1).pk)
    assert note(client, ada, app1, "comment", "x" * 1000).status_code == 200
    refused = note(client, ada, app1, "comment", "y" * 1001)
    assert refused.status_code == 422 and "at most 1,000 characters" in refused.content.decode()
    assert Answer.objects.get(question=app1).comment == "x" * 1000


def test_a_note_before_the_answer_asks_for_the_answer_first(client, v2_round, ada):
    app1 = question(v2_round, "E-1")
    refused = note(client, ada, app1, "comment", "Thoughts first")
    assert refused.status_code == 409 and "Choose an answer first" in refused.content.decode()
    assert note(client, ada, app1, "comment", "").status_code == 204  # nothing to keep
    # The answer's "Saved" tells the page's note fields to save what they hold.
    saved = answer(client, ada, app1, level(app1, 1).pk)
    assert "answer-saved" in saved["HX-Trigger"]
    html = client.get(reverse("surveys:page", args=[ada, 1])).content.decode()
    assert "answer-saved from:closest fieldset" in html


def test_notes_cannot_change_after_submit(client, v2_round, ada):
    for code in ("E-1", "E-2", "E-3", "O-1", "O-2", "O-3"):
        answer(client, ada, question(v2_round, code), "dk")
    client.post(reverse("surveys:submit", args=[ada]))
    refused = note(client, ada, question(v2_round, "E-1"), "comment", "Too late")
    assert refused.status_code in (302, 409)
    assert not Answer.objects.exclude(comment="").exists()


def test_without_javascript_next_page_saves_notes_and_keeps_a_bad_link_with_its_message(
    client, v2_round, ada
):
    app1, app2 = question(v2_round, "E-1"), question(v2_round, "E-3")
    data = {
        f"q-{app1.pk}": level(app1, 3).pk,
        f"comment-{app1.pk}": "Benchmarks run monthly",
        f"q-{app2.pk}": "na",
        f"evidence-{app2.pk}": "javascript:alert(1)",
    }
    response = client.post(reverse("surveys:page", args=[ada, 1]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not saved: Enter a web address starting with http:// or https://." in html
    assert 'value="javascript:alert(1)"' in html and 'aria-invalid="true"' in html
    assert Answer.objects.get(question=app1).comment == "Benchmarks run monthly"
    assert Answer.objects.get(question=app2).kind == AnswerKind.NOT_APPLICABLE
    data[f"evidence-{app2.pk}"] = "https://example.com/no-fine-tuning"
    response = client.post(reverse("surveys:page", args=[ada, 1]), data)
    assert response["Location"] == reverse("surveys:page", args=[ada, 2])
