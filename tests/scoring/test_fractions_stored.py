"""Scoring by fractions through the database (issue #13): snapshots and team aggregates with
N/A and don't know, per-question counts, levels and knowledge gaps; and v1 numbers unchanged,
to the last digit, on the whole demo."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.demo.seed import seed_demo
from apps.organizations.models import Role
from apps.scoring import aggregates, services
from apps.scoring.bands import bank_question_specs, bank_scale
from apps.scoring.calculations import aggregate, max_by_dimension
from apps.scoring.models import DimensionScore, TeamScore
from apps.scoring.own_result import own_result
from apps.scoring.selectors import round_team_result, team_history
from apps.surveys import bank_services, round_services
from apps.surveys.models import Answer, AnswerKind, Response, ResponseStatus, Round
from tests.scenarios import invite, round_at
from tests.surveys.bank_data_v2 import v2_bank

pytestmark = pytest.mark.django_db

CODES = ["E-1", "E-2", "E-3", "O-1", "O-2", "O-3"]


@pytest.fixture
def v2_round(team):
    bank = bank_services.bank_import(v2_bank(), publish=True)
    return round_at(team, 3, bank=bank, min_respondents=3)


def run(round_: Round, people: list[list]) -> Round:
    """Everyone answers E-1..O-3 in order: a level number (the option of that level: 1-4,
    worth 0-3), "na" (E-3 and O-3 only) or "dk"; then submits; the round closes."""
    invite(round_, [f"p{i}@example.com" for i in range(len(people))])
    questions = {q.code: q for q in round_.bank.questions.prefetch_related("choices")}
    for participant, answers in zip(round_.participants.order_by("email"), people, strict=True):
        for code, wanted in zip(CODES, answers, strict=True):
            question = questions[code]
            if wanted not in ("na", "dk"):
                wanted = next(c.pk for c in question.choices.all() if c.level == wanted)
            round_services.answer_save(
                participant=participant, question_id=question.pk, choice_id=wanted
            )
        round_services.response_submit(participant=participant)
    round_services.round_close(round_=round_)
    round_.refresh_from_db()
    return round_


def test_snapshots_leave_n_a_and_dont_know_out_and_skip_unassessed_dimensions(v2_round):
    run(
        v2_round,
        [
            [4, 4, "na", "dk", "dk", "na"],  # evaluate 6 of 6; operate not assessed
            [1, 2, 3, "dk", 4, 4],  # evaluate 3 of 9; operate 6 of 6
            [2, 2, 2, 2, 2, 2],  # 3 of 9 and 3 of 9
        ],
    )
    first, second, third = Response.objects.filter(round=v2_round).order_by("participant__email")
    stored = {
        r.pk: {
            d.dimension.key: (d.points, d.max_points)
            for d in DimensionScore.objects.filter(response=r).select_related("dimension")
        }
        for r in (first, second, third)
    }
    assert stored[first.pk] == {"evaluate": (6, 6)}
    assert stored[second.pk] == {"evaluate": (3, 9), "operate": (6, 6)}
    assert (first.total_points, first.max_points) == (6, 6)
    assert (second.total_points, second.max_points) == (9, 15)
    assert services.round_recompute_differences(v2_round) == []

    result = round_team_result(v2_round)
    assert result.visible and result.n == 3
    total, by_key = result.total, result.by_key
    # On the scale of 28: 28 * 6/6 = 28, 28 * 9/15 = 16.8, 28 * 6/18 = 9.33...
    expected = aggregate([Decimal(28), Decimal("16.8"), Decimal(28) * 6 / 18])
    assert (total.n, total.max_points) == (3, 28)
    assert (total.mean, total.median, total.minimum, total.maximum, total.stdev) == (
        expected.mean,
        expected.median,
        expected.minimum,
        expected.maximum,
        expected.stdev,
    )
    assert total.mean == Decimal("18.04") and total.level_name == "Managed"
    # operate: only two respondents have a score there, shown on its maximum of 9
    assert by_key["operate"].n == 2 and by_key["operate"].max_points == 9
    assert by_key["operate"].mean == (Decimal(9) + Decimal(3)) / 2
    assert by_key["evaluate"].n == 3


def test_a_respondents_own_result_is_on_the_scale_and_leaves_out_what_they_did_not_assess(
    v2_round,
):
    run(v2_round, [[1, 2, 3, "dk", 4, 4], [4, 4, "na", "dk", "dk", "na"], ["dk"] * 6])
    mixed, evaluate_only, nothing = (
        own_result(r)
        for r in Response.objects.filter(round=v2_round).order_by("participant__email")
    )
    assert (mixed.total, mixed.max_total, mixed.level.name) == (Decimal("16.8"), 28, "Managed")
    assert [(d.key, d.points, d.max_points) for d in mixed.dimensions] == [
        ("evaluate", 3, 9),
        ("operate", 9, 9),  # 6 of the 6 it scored, shown on its maximum of 9
    ]
    assert [d.key for d in evaluate_only.dimensions] == ["evaluate"] and evaluate_only.total == 28
    assert (nothing.total, nothing.level, nothing.dimensions) == (None, None, [])


def test_a_dimension_nobody_assessed_is_not_shown_and_the_threshold_counts_everyone(v2_round):
    run(
        v2_round,
        [
            [4, 3, 2, "dk", "dk", "na"],
            [3, 3, 3, "dk", "dk", "dk"],
            ["dk", "dk", "dk", "dk", "dk", "dk"],  # no score at all, still counts for the threshold
        ],
    )
    scores = {
        s.dimension.key if s.dimension else "total": s
        for s in TeamScore.objects.filter(round=v2_round).select_related("dimension")
    }
    assert set(scores) == {"total", "evaluate"}
    assert (scores["total"].submitted, scores["total"].n) == (3, 2)
    result = round_team_result(v2_round)
    assert result.visible and result.n == 3  # min_respondents 3: everyone who submitted
    assert [row.key for row in result.dimensions] == ["evaluate"]
    assert result.total.n == 2
    assert Round.objects.results_visible().filter(pk=v2_round.pk).exists()


def test_question_rows_count_n_a_and_dont_know_and_name_levels_and_knowledge_gaps(v2_round):
    run(
        v2_round,
        [
            [1, 4, "na", "dk", 2, 4],
            [3, 4, 3, "dk", 2, "na"],
            [2, 3, "na", 2, 3, "dk"],
        ],
    )
    rows = {q.code: q for q in round_team_result(v2_round).questions}
    e1, e3, o1, o3 = rows["E-1"], rows["E-3"], rows["O-1"], rows["O-3"]
    assert [n for _, _, n in e1.counts] == [1, 1, 1, 0]
    assert (e1.level_number, e1.level_name, e1.disagreement) == (2, "Defined", True)
    assert (e3.na, e3.dont_know, e3.level_number) == (2, 0, 3)
    assert (o1.dont_know, o1.knowledge_gap, o1.level_number) == (2, True, 2)
    assert (o3.na, o3.dont_know, o3.knowledge_gap) == (1, 1, True)  # 1 of 3 is a third
    assert not rows["E-2"].disagreement and rows["E-2"].level_number == 4
    assert [q.code for q in round_team_result(v2_round).knowledge_gaps] == ["O-1", "O-3"]


def test_the_result_page_lists_knowledge_gaps_and_n_a_counts(client, org, v2_round, member_of):
    run(v2_round, [[1, 4, "na", "dk", 2, 4], [3, 4, 3, "dk", 2, "na"], [2, 3, "na", 2, 3, "dk"]])
    client.force_login(member_of(Role.EXECUTIVE))
    url = reverse("scoring:round_result", args=[org.slug, v2_round.public_id])
    html = client.get(url).content.decode()
    assert "Knowledge gaps" in html and "2 of 3 answered “I don't know”" in html
    assert "Not applicable" in html and "2 · Defined" in html  # E-1's current level


def _numbers(result) -> list:
    rows = ([result.total] if result.total else []) + list(result.dimensions)
    fields = ("key", "n", "mean", "median", "minimum", "maximum", "stdev", "max_points")
    fields += ("level_number", "level_name", "percent", "change")
    return [(result.round.pk, *(getattr(r, f) for f in fields)) for r in rows]


def test_v1_numbers_are_unchanged_on_the_whole_demo():
    """The demo's v1 rounds: what every surface reads equals the plain sums of DESIGN §3 before
    #13 (points times weight, summed, aggregated as before), and recomputing changes no digit;
    on every round, v1 and v2, the statistics in SQL equal those of the path for other
    databases (#14)."""
    organization = seed_demo()
    rounds = list(
        Round.objects.filter(team__organization=organization, status="closed")
        .select_related("bank")
        .order_by("pk")
    )
    assert rounds
    before = [_numbers(round_team_result(r)) for r in rounds]
    history_before = {
        team.pk: [(p.n, _numbers(p.result)) for p in team_history(team)[0]]
        for team in {r.team for r in rounds}
    }
    plain_rounds = 0
    for round_ in rounds:
        assert services.round_recompute_differences(round_) == []
        # The team statistics in SQL (PostgreSQL) and through `calculations.aggregate` (other
        # databases) agree to the last digit.
        specs = bank_question_specs(round_.bank_id)
        maxima = max_by_dimension(specs)
        shown = {d.pk: maxima[d.key] for d in round_.bank.dimensions.all()}
        scale = bank_scale(round_.bank, specs)
        assert aggregates.round_statistics_sql(
            round_.pk, scale=scale, shown=shown
        ) == aggregates.round_statistics_python(round_.pk, scale=scale, shown=shown)
        submitted = Response.objects.filter(round=round_, status=ResponseStatus.SUBMITTED)
        answers = Answer.objects.filter(response__in=submitted)
        if round_.bank.scale is not None or answers.exclude(kind=AnswerKind.CHOICE).exists():
            continue  # not a v1 round: no plain sum to compare with
        plain_rounds += 1
        totals, by_dimension = defaultdict(Decimal), defaultdict(lambda: defaultdict(Decimal))
        for response_id, key, points, weight in answers.values_list(
            "response_id", "question__dimension__key", "choice__points", "question__weight"
        ):
            totals[response_id] += points * weight
            by_dimension[key][response_id] += points * weight
        result = round_team_result(round_)
        if not result.visible:
            continue
        plain = aggregate(list(totals.values()))
        assert (result.total.mean, result.total.median, result.total.stdev) == (
            plain.mean,
            plain.median,
            plain.stdev,
        )
        assert (result.total.minimum, result.total.maximum) == (plain.minimum, plain.maximum)
        for row in result.dimensions:
            expected = aggregate(list(by_dimension[row.key].values()))
            assert (row.n, row.mean, row.median, row.minimum, row.maximum, row.stdev) == (
                expected.n,
                expected.mean,
                expected.median,
                expected.minimum,
                expected.maximum,
                expected.stdev,
            )
    assert plain_rounds
    for round_ in rounds:
        services.team_scores_store(round_=round_)
    assert [_numbers(round_team_result(r)) for r in rounds] == before
    assert {
        team.pk: [(p.n, _numbers(p.result)) for p in team_history(team)[0]]
        for team in {r.team for r in rounds}
    } == history_before
