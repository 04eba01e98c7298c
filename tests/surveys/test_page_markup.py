"""The answering page's questions, written out by `page_markup` (#14): what a respondent saved
or typed shows escaped in its place, the chosen radio checked, a refused note with its reason."""

import re

import pytest
from django.urls import reverse

from apps.surveys.models import Question
from tests.factories import RoundFactory, published_bank
from tests.scenarios import invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(team, lead):
    round_ = RoundFactory(team=team, bank=published_bank(), created_by=lead)
    return round_, invite(round_, ["ada@example.com"])["ada@example.com"]


def fieldset(html: str, code: str) -> str:
    start = html.index(f'<fieldset class="card mb-3" id="question-{code}">')
    return html[start : html.index("</fieldset>", start)]


def test_saved_answers_and_notes_show_escaped_in_their_place(client, link):
    round_, token = link
    first, second = Question.objects.filter(bank=round_.bank).order_by("dimension__order", "order")[
        :2
    ]
    chosen = first.choices.order_by("points")[1]
    comment = 'We <b>rarely</b> & "sometimes" test'
    client.post(
        reverse("surveys:answer", args=[token]),
        {f"q-{first.pk}": chosen.pk, f"comment-{first.pk}": comment},
        HTTP_HX_REQUEST="true",
    )
    client.post(
        reverse("surveys:note", args=[token]),
        {f"comment-{first.pk}": comment},
        HTTP_HX_REQUEST="true",
    )
    html = client.get(reverse("surveys:page", args=[token, 1])).content.decode()
    answered = fieldset(html, first.code)
    assert re.search(rf'value="{chosen.pk}" checked\s+hx-post="/s/{token}/answer/"', answered)
    assert answered.count(" checked") == 1
    assert "We &lt;b&gt;rarely&lt;/b&gt; &amp; &quot;sometimes&quot; test</textarea>" in answered
    assert '<details class="answer-note mt-2" open>' in answered
    untouched = fieldset(html, second.code)
    assert " checked" not in untouched and '<details class="answer-note mt-2">' in untouched
    assert f'hx-post="/s/{token}/note/" hx-params="comment-{second.pk}"' in untouched


def test_a_refused_note_says_why_and_keeps_what_was_typed(client, link):
    round_, token = link
    first = Question.objects.filter(bank=round_.bank).order_by("dimension__order", "order")[0]
    data = {f"q-{first.pk}": first.choices.order_by("points")[0].pk}
    data[f"evidence-{first.pk}"] = "javascript:alert(<1>)"
    response = client.post(reverse("surveys:page", args=[token, 1]), data)
    assert response.status_code == 400
    refused = fieldset(response.content.decode(), first.code)
    assert 'value="javascript:alert(&lt;1&gt;)"' in refused and 'aria-invalid="true"' in refused
    assert '<span class="text-danger">Not saved: ' in refused
