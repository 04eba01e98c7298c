"""The bank import refuses huge, over-full and absurdly nested files with a clear message, in
the admin and in `import_bank`, instead of a RecursionError or a request that outlives
gunicorn's timeout (issue #11)."""

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.surveys import bank_services
from apps.surveys.bank_format import MAX_FILE_BYTES, MAX_QUESTIONS
from apps.surveys.models import QuestionBank
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str = "bank.json") -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def with_questions(count: int) -> dict:
    """small_bank with `count` questions in all (its second dimension keeps its two)."""
    data = small_bank(slug="big")
    template = data["dimensions"][0]["questions"][0]
    data["dimensions"][0]["questions"] += [{**template, "code": f"Q-{i}"} for i in range(count - 4)]
    assert sum(len(d["questions"]) for d in data["dimensions"]) == count
    return data


def deeply_nested(depth: int = 100_000) -> bytes:
    return b'{"slug": "deep", "levels": ' + b"[" * depth + b"]" * depth + b"}"


def post(admin_client, content: bytes):
    admin_client.raise_request_exception = False
    return admin_client.post(
        reverse("admin:surveys_questionbank_import"), {"file": upload(content)}
    )


def test_deeply_nested_json_is_refused_with_a_message(admin_client):
    response = post(admin_client, deeply_nested())
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "nests more than 20 levels deep" in html
    assert not QuestionBank.objects.filter(slug__in=["deep", "huge", "edge", "big"]).exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(admin_client, monkeypatch):
    parsed = []
    monkeypatch.setattr(bank_services, "bank_import", lambda *a, **k: parsed.append(a))
    big = json.dumps({**small_bank(slug="huge"), "description": "x" * (3 * 1024 * 1024)})
    started = time.monotonic()
    response = post(admin_client, big.encode())
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file is 3.0 MB; a question bank file may be at most 2 MB." in html
    assert parsed == []
    assert not QuestionBank.objects.filter(slug__in=["deep", "huge", "edge", "big"]).exists()


def test_a_file_just_over_the_limit_without_multipart_slack_is_refused(admin_client):
    """Over 2 MB but under the early Content-Length check: the upload's own size refuses it."""
    content = json.dumps({**small_bank(slug="edge"), "description": "y" * MAX_FILE_BYTES})
    response = post(admin_client, content.encode())
    assert response.status_code == 400
    assert "a question bank file may be at most 2 MB" in response.content.decode()


def test_too_many_questions_are_refused_before_any_database_work(
    admin_client, django_assert_max_num_queries, monkeypatch
):
    def no_database(*args, **kwargs):
        raise AssertionError("the bank should not be created")

    monkeypatch.setattr(bank_services, "_create", no_database)
    response = post(admin_client, json.dumps(with_questions(MAX_QUESTIONS + 1)).encode())
    assert response.status_code == 400
    assert (
        "The file has 501 questions; a question bank may have at most 500."
        in response.content.decode()
    )


def test_a_bank_at_the_limits_is_imported(admin_client):
    response = post(admin_client, json.dumps(with_questions(MAX_QUESTIONS)).encode())
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert QuestionBank.objects.get(slug="big").questions.count() == MAX_QUESTIONS


def test_not_json_still_says_so(admin_client):
    response = post(admin_client, b"{not json")
    assert response.status_code == 400
    assert "The file is not valid JSON" in response.content.decode()


def test_import_bank_command_has_the_same_limits(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(deeply_nested())
    with pytest.raises(CommandError, match="nests more than 20 levels deep"):
        call_command("import_bank", str(deep))
    many = tmp_path / "many.json"
    many.write_text(json.dumps(with_questions(MAX_QUESTIONS + 1)))
    with pytest.raises(CommandError, match="501 questions; a question bank may have at most 500"):
        call_command("import_bank", str(many))
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(CommandError, match="may be at most 2 MB"):
        call_command("import_bank", str(huge))
    assert not QuestionBank.objects.filter(slug__in=["deep", "huge", "edge", "big"]).exists()
