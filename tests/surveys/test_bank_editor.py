"""The bank editor in Django admin: a question with its options (label, points, level) and its
guidance per target level on one page; the bank page lists its questions compactly; "Preview
as a respondent" is the respondents' own page, without points."""

import re

import pytest
from django.urls import reverse

from apps.surveys.bank_services import bank_import, bank_publish
from apps.surveys.models import Guidance
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return bank_import(small_bank())


@pytest.fixture
def published():
    return bank_publish(bank=bank_import(small_bank(slug="pub")))


def _form_data(response) -> dict:
    """What the change form would post back: its fields, management forms and inline rows."""
    context = response.context
    data = {}
    for field in context["adminform"].form:
        if (value := field.value()) is not None:
            data[field.html_name] = value
    for formset in context["inline_admin_formsets"]:
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
        for form in formset.formset.forms:
            for field in form:
                if (value := field.value()) is not None:
                    data[field.html_name] = value
    return data


def test_a_question_its_options_with_levels_and_its_guidance_are_one_page(
    admin_client, draft, django_assert_max_num_queries
):
    question = draft.questions.get(code="B-1")
    url = reverse("admin:surveys_question_change", args=[question.pk])
    with django_assert_max_num_queries(20):
        page = admin_client.get(url)
    html = page.content.decode()
    assert 'name="choices-0-label"' in html and 'name="choices-0-points"' in html
    assert '<select name="choices-0-level"' in html and ">2. Defined</option>" in html
    assert "Guidance per target level" in html and 'name="guidance-0-text"' in html
    assert 'name="allow_na"' in html
    assert f"{reverse('admin:surveys_questionbank_preview', args=[draft.pk])}?page=1" in html

    data = _form_data(page)
    data["choices-0-label"] = "Nobody tests yet"
    data["choices-2-level"] = "4"
    data["allow_na"] = "on"
    rows = int(data["guidance-TOTAL_FORMS"])
    data["guidance-TOTAL_FORMS"] = str(rows + 1)
    level = draft.levels.get(number=4)
    data.update(
        {f"guidance-{rows}-level": str(level.pk), f"guidance-{rows}-text": "Test every change."}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    question.refresh_from_db()
    assert question.allow_na
    assert question.choices.get(points=0).label == "Nobody tests yet"
    assert question.choices.get(points=2).level == 4
    added = Guidance.objects.get(question=question, level=level)
    assert (added.text, added.dimension_id, added.bank_id) == (
        "Test every change.",
        question.dimension_id,
        draft.pk,
    )


def test_the_bank_page_lists_questions_as_a_compact_table(
    admin_client, draft, django_assert_max_num_queries
):
    url = reverse("admin:surveys_questionbank_change", args=[draft.pk])
    with django_assert_max_num_queries(25):
        html = admin_client.get(url).content.decode()
    table = html.split('class="module question-list"', 1)[1].split("</table>", 1)[0]
    assert "Questions (4)" in table and "Add a question" in table
    for code in ("B-1", "B-2", "R-1", "R-2"):
        question = draft.questions.get(code=code)
        link = reverse("admin:surveys_question_change", args=[question.pk])
        assert f'<a href="{link}">{code}</a>' in table
    assert "How do you monitor?" in table
    # No option or per-question guidance form on the bank page any more.
    assert 'name="choices-' not in html
    assert not re.search(r'name="guidance-\d+-question"', html)


def test_saving_the_bank_page_keeps_its_questions(admin_client, draft):
    url = reverse("admin:surveys_questionbank_change", args=[draft.pk])
    data = _form_data(admin_client.get(url))
    data["title"] = "Renamed"
    assert admin_client.post(url, data).status_code == 302
    assert draft.questions.count() == 4


def test_a_published_banks_question_page_is_read_only(admin_client, published):
    question = published.questions.get(code="B-1")
    html = admin_client.get(
        reverse("admin:surveys_question_change", args=[question.pk])
    ).content.decode()
    assert "can no longer change" in html
    assert 'name="choices-0-label"' not in html and 'name="guidance-0-text"' not in html
    assert "B-1: automated and reviewed" in html  # shown, not editable
    bank_page = admin_client.get(
        reverse("admin:surveys_questionbank_change", args=[published.pk])
    ).content.decode()
    assert "Add a question" not in bank_page and "Questions (4)" in bank_page


def test_preview_is_the_respondents_page_without_points(
    admin_client, published, django_assert_max_num_queries
):
    preview = reverse("admin:surveys_questionbank_preview", args=[published.pk])
    with django_assert_max_num_queries(12):
        response = admin_client.get(preview)
    html = response.content.decode()
    assert [t.name for t in response.templates][:2] == [
        "surveys/page.html",
        "surveys/_respondent_base.html",
    ]
    assert "Page 1 of 2" in html and '<h1 class="h3">Build</h1>' in html
    assert "How do you test?" in html and "B-1: automated and reviewed" in html
    assert "pt)" not in html and "points" not in html.lower().split("<main", 1)[-1]
    assert "id_csrfmiddlewaretoken" not in html  # not the admin's styling: no admin chrome
    assert "nothing is saved" in html
    # Every link and form of the page leads back to the preview, none to a survey link.
    assert "/s/" not in html
    assert f'action="{preview}?page=1"' in html
    page_two = admin_client.post(f"{preview}?page=1")
    assert page_two["Location"] == f"{preview}?page=2"
    html = admin_client.get(page_two["Location"]).content.decode()
    assert "Page 2 of 2" in html and "How do you monitor?" in html
    saved = admin_client.post(f"{preview}?save=1", {"q-1": "1"}, HTTP_HX_REQUEST="true")
    assert "not saved" in saved.content.decode()


def test_preview_offers_not_applicable_and_dont_know_when_the_bank_does(admin_client):
    data = small_bank(slug="kinds")
    data["dimensions"][0]["questions"][0]["allow_na"] = True
    bank = bank_publish(bank=bank_import(data))
    assert bank.allow_dont_know  # the default
    html = admin_client.get(
        reverse("admin:surveys_questionbank_preview", args=[bank.pk])
    ).content.decode()
    assert html.count("Not applicable") == 1  # B-1 only
    assert html.count("t know</label>") == 2  # "I don't know", apostrophe escaped or not

    data = small_bank(slug="plain")
    data["allow_dont_know"] = False
    plain = bank_publish(bank=bank_import(data))
    html = admin_client.get(
        reverse("admin:surveys_questionbank_preview", args=[plain.pk])
    ).content.decode()
    assert "Not applicable" not in html and "I don't know" not in html


def test_only_staff_can_preview(client, published):
    response = client.get(reverse("admin:surveys_questionbank_preview", args=[published.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
