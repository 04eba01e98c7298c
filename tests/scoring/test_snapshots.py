"""Team aggregates stored at close, and the recompute command."""

import io

import pytest
from django.core.management import CommandError, call_command

from apps.scoring.models import DimensionScore, TeamScore
from apps.surveys import round_services

pytestmark = pytest.mark.django_db


def submit_everyone(round_, invite, points_per_person):
    tokens = invite(round_, [f"p{i}@example.com" for i in range(len(points_per_person))])
    questions = list(round_.bank.questions.prefetch_related("choices"))
    for participant, points in zip(
        round_.participants.order_by("email"), points_per_person, strict=True
    ):
        for question in questions:
            choice = next(c for c in question.choices.all() if c.points == points)
            round_services.answer_save(
                participant=participant, question_id=question.pk, choice_id=choice.pk
            )
        round_services.response_submit(participant=participant)
    return tokens


def test_closing_stores_team_aggregates_per_dimension_and_total(round_, invite):
    submit_everyone(round_, invite, [0, 1, 2])
    assert round_services.round_close(round_=round_)
    total = TeamScore.objects.get(round=round_, dimension__isnull=True)
    assert (total.n, total.mean, total.median, total.minimum, total.maximum) == (3, 14, 14, 0, 28)
    assert (total.level_number, total.level_name) == (2, "Defined")
    assert str(total.stdev) == "11.43"
    per_dimension = TeamScore.objects.filter(round=round_, dimension__isnull=False)
    assert sorted((s.dimension.key, s.mean, s.max_points) for s in per_dimension) == [
        ("application", 7, 14),
        ("operational", 7, 14),
    ]
    assert not round_services.round_close(round_=round_)  # idempotent: nothing recomputed twice
    assert TeamScore.objects.filter(round=round_).count() == 3


def test_recompute_reports_agreement_and_differences(round_, invite):
    submit_everyone(round_, invite, [1, 2])
    round_services.round_close(round_=round_)
    out = io.StringIO()
    call_command("recompute_round", str(round_.public_id), stdout=out)
    assert "matches the raw answers" in out.getvalue()
    DimensionScore.objects.filter(dimension__key="application").update(
        points=0
    )  # simulate a corrupted snapshot
    out = io.StringIO()
    with pytest.raises(CommandError, match="difference"):
        call_command("recompute_round", str(round_.public_id), stdout=out)
    assert "recomputed" in out.getvalue()
    with pytest.raises(CommandError, match="no round"):
        call_command("recompute_round", "not-a-round")
