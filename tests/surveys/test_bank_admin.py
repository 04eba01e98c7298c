"""The question bank admin, as a logged-in staff user, with bounded queries."""

import io
import json

import pytest
from django.urls import reverse

from apps.surveys.bank_services import bank_import, bank_publish
from apps.surveys.models import BankStatus, QuestionBank
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return bank_import(small_bank())


@pytest.fixture
def published():
    return bank_publish(bank=bank_import(small_bank(slug="pub")))


def act(client, action, banks):
    return client.post(
        reverse("admin:surveys_questionbank_changelist"),
        {"action": action, "_selected_action": [b.pk for b in banks]},
        follow=True,
    )


def test_bank_list_shows_status_and_counts(
    admin_client, draft, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        html = admin_client.get(reverse("admin:surveys_questionbank_changelist")).content.decode()
    assert "Mini bank (mini)" in html and "Draft" in html and "Published" in html
    assert "Import JSON" in html


def test_draft_bank_page_is_editable(admin_client, draft, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        response = admin_client.get(reverse("admin:surveys_questionbank_change", args=[draft.pk]))
    html = response.content.decode()
    assert 'name="title"' in html and 'name="levels-0-min_score"' in html
    assert "Preview as a respondent" in html
    url = reverse("admin:surveys_questionbank_change", args=[draft.pk])
    page = admin_client.get(url)
    data = {k: v for k, v in _form_data(page).items()}
    data["title"] = "Renamed draft"
    assert admin_client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Renamed draft"


def _form_data(response) -> dict:
    """The values the change form would post back (management forms and inline rows included)."""
    context = response.context
    data = {}
    for field in context["adminform"].form:
        value = field.value()
        if value is not None:
            data[field.html_name] = value
    for formset in context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for field in management:
            data[field.html_name] = field.value()
        for form in formset.formset.forms:
            for field in form:
                value = field.value()
                if value is not None:
                    data[field.html_name] = value
    return data


def test_published_bank_page_is_read_only(admin_client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        html = admin_client.get(
            reverse("admin:surveys_questionbank_change", args=[published.pk])
        ).content.decode()
    assert "can no longer change" in html
    assert 'name="title"' not in html and 'name="levels-0-min_score"' not in html
    question = published.questions.first()
    html = admin_client.get(
        reverse("admin:surveys_question_change", args=[question.pk])
    ).content.decode()
    assert 'name="text"' not in html
    response = admin_client.post(
        reverse("admin:surveys_question_change", args=[question.pk]), {"text": "sneaky edit"}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.text == "How do you test?"


def test_question_page_edits_choices_inline(admin_client, draft, django_assert_max_num_queries):
    question = draft.questions.get(code="B-1")
    url = reverse("admin:surveys_question_change", args=[question.pk])
    with django_assert_max_num_queries(20):
        page = admin_client.get(url)
    data = _form_data(page)
    data["choices-0-label"] = "Nobody tests yet"
    assert admin_client.post(url, data).status_code == 302
    assert question.choices.get(points=0).label == "Nobody tests yet"


def test_question_list_search_and_filter(
    admin_client, draft, published, django_assert_max_num_queries
):
    url = reverse("admin:surveys_question_changelist")
    with django_assert_max_num_queries(12):
        html = admin_client.get(url, {"q": "monitor", "bank__slug": "mini"}).content.decode()
    assert "R-2" in html and "B-1" not in html


def test_preview_renders_the_bank_as_a_respondent_sees_it(
    admin_client, published, django_assert_max_num_queries
):
    url = reverse("admin:surveys_questionbank_preview", args=[published.pk])
    with django_assert_max_num_queries(12):
        html = admin_client.get(url).content.decode()
    assert "Page 1 of 2" in html and "How do you test?" in html and "B-1: done by hand" in html
    html = admin_client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in html and "How do you deploy?" in html
    assert "R-1: automated and reviewed" in html


def test_publish_action_lists_every_problem(admin_client):
    data = small_bank(slug="broken")
    data["dimensions"].append({"key": "empty", "name": "Empty", "questions": []})
    bank = bank_import(data)
    html = act(admin_client, "publish", [bank]).content.decode()
    assert "was not published" in html
    assert "Dimension “Empty” has no questions." in html
    assert "no guidance for moving from Initial to Defined" in html
    bank.refresh_from_db()
    assert bank.status == BankStatus.DRAFT


def test_publish_new_draft_and_retire_actions(admin_client, draft):
    assert "is published" in act(admin_client, "publish", [draft]).content.decode()
    draft.refresh_from_db()
    assert draft.status == BankStatus.PUBLISHED
    assert "as a draft to edit" in act(admin_client, "new_draft_version", [draft]).content.decode()
    assert QuestionBank.objects.get(slug="mini", version=2).status == BankStatus.DRAFT
    assert "already has a draft" in act(admin_client, "new_draft_version", [draft]).content.decode()
    assert "is retired" in act(admin_client, "retire", [draft]).content.decode()
    draft.refresh_from_db()
    assert draft.status == BankStatus.RETIRED


def test_bulk_delete_is_not_offered(admin_client, published):
    html = admin_client.get(reverse("admin:surveys_questionbank_changelist")).content.decode()
    assert "delete_selected" not in html


def test_export_action_and_button_download_json(admin_client, published):
    response = act(admin_client, "export_json", [published])
    assert response["Content-Disposition"] == 'attachment; filename="pub-v1.json"'
    assert json.loads(response.content)["slug"] == "pub"
    button = admin_client.get(reverse("admin:surveys_questionbank_export", args=[published.pk]))
    assert json.loads(button.content) == json.loads(response.content)


def test_import_form(admin_client):
    url = reverse("admin:surveys_questionbank_import")
    assert admin_client.get(url).status_code == 200
    good = io.BytesIO(json.dumps(small_bank(slug="uploaded")).encode())
    good.name = "uploaded.json"
    response = admin_client.post(url, {"file": good, "publish": "on"})
    assert response.status_code == 302
    assert QuestionBank.objects.get(slug="uploaded").status == BankStatus.PUBLISHED
    data = small_bank(slug="bad")
    data["dimensions"][0]["questions"][0]["choices"][0]["points"] = "zero"
    bad = io.BytesIO(json.dumps(data).encode())
    bad.name = "bad.json"
    response = admin_client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "dimensions[0].questions[0].choices[0].points" in response.content.decode()
    assert not QuestionBank.objects.filter(slug="bad").exists()


def test_non_staff_users_cannot_reach_the_bank_admin(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_user(email="plain@example.com", password="x")
    )
    response = client.get(reverse("admin:surveys_questionbank_import"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def count(client, url, django_assert_max_num_queries, bound=30) -> int:
    with django_assert_max_num_queries(bound) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_admin_pages_do_not_grow_with_the_size_of_the_bank(
    admin_client, draft, django_assert_max_num_queries
):
    """The LLMOps draft has 14 questions and 48 guidance rows: one query per row would show."""
    from apps.surveys.bank_services import bank_new_draft

    large = bank_new_draft(bank=QuestionBank.objects.get(slug="llmops", version=1))
    for name in ("admin:surveys_questionbank_change", "admin:surveys_questionbank_preview"):
        for bank in (draft, large):
            count(admin_client, reverse(name, args=[bank.pk]), django_assert_max_num_queries, 15)
    question_list = reverse("admin:surveys_question_changelist")
    assert count(admin_client, question_list, django_assert_max_num_queries) == count(
        admin_client, f"{question_list}?bank__slug=mini", django_assert_max_num_queries
    )


def test_levels_that_do_not_rise_are_a_form_error_not_a_crash(admin_client, draft):
    url = reverse("admin:surveys_questionbank_change", args=[draft.pk])
    data = _form_data(admin_client.get(url))
    data["levels-2-min_score"] = "2"  # Managed below Defined (3)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Level 3 must start above level 2" in response.content.decode()
    assert draft.levels.get(number=3).min_score == 5


def test_two_choices_with_the_same_points_are_a_form_error(admin_client, draft):
    question = draft.questions.get(code="B-1")
    url = reverse("admin:surveys_question_change", args=[question.pk])
    data = _form_data(admin_client.get(url))
    data["choices-1-points"] = "0"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Choice with this Question and Points already exists." in response.content.decode()
    assert sorted(question.choices.values_list("points", flat=True)) == [0, 1, 2]


def test_dimension_guidance_on_the_bank_page_names_no_question(admin_client, draft):
    """A question's guidance is edited on the question's page (so its dimension is the
    question's own); the bank page keeps the advice on whole dimensions."""
    url = reverse("admin:surveys_questionbank_change", args=[draft.pk])
    data = _form_data(admin_client.get(url))
    assert not any(k.startswith("guidance-") and k.endswith("-question") for k in data)
    assert admin_client.post(url, data).status_code == 302


def test_add_a_question_with_its_choices_to_a_draft(admin_client, draft):
    dimension = draft.dimensions.get(key="run")
    response = admin_client.post(
        reverse("admin:surveys_question_add"),
        {
            "bank": draft.pk,
            "dimension": dimension.pk,
            "code": "R-3",
            "order": 3,
            "text": "How do you handle incidents?",
            "help": "",
            "weight": "1",
            "choices-TOTAL_FORMS": "2",
            "choices-INITIAL_FORMS": "0",
            "choices-MIN_NUM_FORMS": "2",
            "choices-MAX_NUM_FORMS": "1000",
            "choices-0-order": "0",
            "choices-0-label": "Nobody is on call",
            "choices-0-points": "0",
            "choices-1-order": "1",
            "choices-1-label": "An on-call rotation with runbooks",
            "choices-1-points": "2",
        },
    )
    assert response.status_code == 302
    question = draft.questions.get(code="R-3")
    assert question.dimension == dimension
    assert list(question.choices.values_list("label", "points")) == [
        ("Nobody is on call", 0),
        ("An on-call rotation with runbooks", 2),
    ]


def test_round_admin_is_read_only_and_shows_counts_not_people(
    admin_client, django_capture_on_commit_callbacks
):
    from apps.surveys import round_services
    from tests.factories import RoundFactory

    round_ = RoundFactory(title="Support view")
    with django_capture_on_commit_callbacks(execute=True):
        round_services.participants_invite(round_=round_, emails=["secret.person@example.com"])
    html = admin_client.get(reverse("admin:surveys_round_changelist")).content.decode()
    assert "Support view" in html and "secret.person@example.com" not in html
    detail = admin_client.get(
        reverse("admin:surveys_round_change", args=[round_.pk])
    ).content.decode()
    assert "secret.person@example.com" not in detail and 'name="title"' not in detail
