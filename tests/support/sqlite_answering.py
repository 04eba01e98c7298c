"""Answering on SQLite, the embedded default of `make run`, in a process of its own.

    python -m tests.support.sqlite_answering /path/to/new.sqlite3

The test suite runs on PostgreSQL; this migrates a new SQLite database and takes a respondent
through the statements that save answers there (autosave, N/A, don't know, notes, a page post,
each refusal, submit) with Django's test client. Prints "ok", or fails with the first surprise.
"""

import os
import sys
from datetime import timedelta


def main(path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "sqlite-check-only")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    assert connection.vendor == "sqlite"
    call_command("migrate", verbosity=0)  # installs the shipped banks
    setup_test_environment()

    from apps.core.tokens import hash_token
    from apps.organizations.models import Organization, Team
    from apps.surveys import round_services
    from apps.surveys.models import Answer, Participant, QuestionBank, Response, Round

    team = Team.objects.create(
        organization=Organization.objects.create(name="SQLite", slug="sqlite"), name="Team"
    )
    v1 = QuestionBank.objects.get(slug="llmops", version=1)
    v2 = QuestionBank.objects.get(slug="llmops", version=2)  # N/A on some, don't know on all
    now = timezone.now()
    round_ = Round.objects.create(
        team=team,
        bank=v2,
        title="On SQLite",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )

    def person(email):
        participant = Participant(round=round_, email=email)
        token = round_services.participant_token(participant)
        participant.token_hash = hash_token(token)
        participant.save()
        return token

    token, client = person("ada@example.com"), Client()
    questions = list(v2.questions.order_by("dimension__order", "order").prefetch_related("choices"))
    plain = next(q for q in questions if not q.allow_na)
    with_na = next(q for q in questions if q.allow_na)

    def autosave(question, value, expected, **notes):
        data = {f"q-{question.pk}": value}
        data.update({f"{field}-{question.pk}": text for field, text in notes.items()})
        response = client.post(f"/s/{token}/answer/", data, HTTP_HX_REQUEST="true")
        assert response.status_code == expected, (value, response.status_code, response.content)
        return response.content.decode()

    choices = list(plain.choices.all())
    assert "Saved" in autosave(plain, choices[0].pk, 200, comment="", evidence="")
    assert "Saved" in autosave(plain, choices[1].pk, 200)
    assert "Saved" in autosave(with_na, "na", 200)
    assert "does not belong" in autosave(plain, with_na.choices.first().pk, 400)
    foreign = v1.questions.first()
    assert "not part of this survey" in autosave(foreign, foreign.choices.first().pk, 400)
    assert "not applicable" in autosave(plain, "na", 400)
    assert Response.objects.count() == 1
    assert Answer.objects.get(question=plain).choice_id == choices[1].pk

    # "Next" on page 1: every answer and a note, in one statement; again, nothing changes.
    page = [q for q in questions if q.dimension_id == questions[0].dimension_id]
    form = {f"q-{q.pk}": "dk" for q in page}
    form[f"comment-{page[0].pk}"] = "Reviewed monthly"
    assert client.post(f"/s/{token}/page/1/", form).status_code == 302
    stamps = dict(Answer.objects.values_list("question_id", "updated_at"))
    assert client.post(f"/s/{token}/page/1/", form).status_code == 302
    assert dict(Answer.objects.values_list("question_id", "updated_at")) == stamps
    assert Answer.objects.get(question=page[0]).comment == "Reviewed monthly"
    assert Answer.objects.filter(kind="dk").count() == len(page)

    for question in questions:
        if not Answer.objects.filter(question=question).exists():
            autosave(question, question.choices.first().pk, 200)
    assert client.post(f"/s/{token}/submit/").status_code == 302
    assert Response.objects.get().status == "submitted"
    assert "already submitted" in autosave(plain, choices[2].pk, 409)
    assert Answer.objects.get(question=plain).kind == "dk"

    # A round closed or past its moment refuses, and starts no response.
    late = person("bo@example.com")
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now())
    token = late
    assert "has closed" in autosave(plain, choices[0].pk, 410)
    assert Response.objects.count() == 1
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
