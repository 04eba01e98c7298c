"""Team aggregates stored at close, and the recompute command."""

import io

import pytest
from django.core.management import CommandError, call_command

from apps.scoring.models import DimensionScore, TeamScore
from apps.surveys import round_services
from tests.scenarios import submit_responses

pytestmark = pytest.mark.django_db


def test_closing_stores_team_aggregates_per_dimension_and_total(round_):
    submit_responses(round_, [0, 1, 2], close=False)
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


def test_recompute_reports_agreement_and_differences(round_):
    submit_responses(round_, [1, 2])
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
