"""Aggregates in SQL (issue #14): team statistics from PostgreSQL over the stored snapshots and
per-question counts from one GROUP BY equal the pure rules of `calculations` on random rounds;
the path for other databases gives the same numbers (on the whole demo too:
test_fractions_stored); the pages' queries stay flat from 10 to
1,000 responses, and the result CSV reads no answers at all."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.organizations.models import Role
from apps.scoring import aggregates, services
from apps.scoring.bands import bank_question_specs, bank_scale
from apps.scoring.calculations import (
    QuestionSpec,
    aggregate,
    knowledge_gap,
    level_for,
    max_by_dimension,
    median_level,
    on_scale_exact,
    question_distribution,
    question_level,
    respondent_scores,
)
from apps.scoring.models import TeamScore
from apps.scoring.selectors import round_team_result
from apps.surveys.models import (
    Dimension,
)
from tests.factories import TeamFactory
from tests.scenarios import round_at
from tests.support.scored_rounds import (
    BANDS,
    CODES,
    OFFER_NA,
    SCALE,
    closed_round,
    import_bank,
    people_answering,
    points_of,
)

pytestmark = pytest.mark.django_db


def reference_statistics(people, weights) -> dict:
    """What the pure rules say of the team, by dimension key and "total": (n, mean, median,
    minimum, maximum, stdev, level number), from the answers themselves."""
    specs = [
        QuestionSpec(code, "evaluate" if code.startswith("E") else "operate", Decimal(w), 3)
        for code, w in zip(CODES, weights, strict=True)
    ]
    maxima = max_by_dimension(specs)
    scores = [respondent_scores(specs, {c: points_of(a) for c, a in p.items()}) for p in people]
    values = {
        "total": [on_scale_exact(s.total, s.max_total, SCALE) for s in scores if s.max_total],
        **{
            key: [
                on_scale_exact(s.by_dimension[key], s.max_by_dimension[key], maxima[key])
                for s in scores
                if s.max_by_dimension.get(key)
            ]
            for key in maxima
        },
    }
    expected = {}
    for key, found in values.items():
        if not found:
            continue
        stats = aggregate(found)
        shown = SCALE if key == "total" else maxima[key]
        level = level_for(stats.mean, maximum=shown, bank_maximum=SCALE, bands=BANDS)
        expected[key] = (*_numbers(stats), level.number)
    return expected


def _numbers(stats) -> tuple:
    return (stats.n, stats.mean, stats.median, stats.minimum, stats.maximum, stats.stdev)


def stored_statistics(round_) -> dict:
    return {
        (score.dimension.key if score.dimension else "total"): (
            *_numbers(score),
            score.level_number,
        )
        for score in TeamScore.objects.filter(round=round_, n__gt=0).select_related("dimension")
    }


def reference_question(code, people, *, with_levels, threshold) -> dict:
    """What the pure rules say of one question, from the answers one by one."""
    answers = [person[code] for person in people]
    chosen = Counter(a for a in answers if isinstance(a, int))
    levels = Counter({points + 1: n for points, n in chosen.items()})
    distribution = question_distribution(
        chosen.items(),
        choice_points=[0, 1, 2, 3],
        level_count=len(BANDS),
        threshold=None if threshold is None else Decimal(threshold),
        chosen_levels=levels.items() if with_levels else None,
    )
    if with_levels:
        level = median_level(levels.items())
    else:
        band = question_level(chosen.items(), max_points=3, scale=SCALE, bands=BANDS)
        level = band.number if band else None
    return {
        "counts": [chosen[points] for points in range(4)],
        "na": answers.count("na"),
        "dont_know": answers.count("dk"),
        "disagreement": distribution.disagreement,
        "level": level,
        "knowledge_gap": knowledge_gap(answers.count("dk"), len(answers)),
    }


def person_answers():
    return st.fixed_dictionaries(
        {
            code: st.sampled_from([0, 1, 2, 3, "dk", *(["na"] if code in OFFER_NA else [])])
            for code in CODES
        }
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    people=st.lists(person_answers(), min_size=2, max_size=9),
    weights=st.lists(st.sampled_from(["1", "2", "0.5", "1.25", "3.33"]), min_size=6, max_size=6),
    with_levels=st.booleans(),
    threshold=st.none() | st.sampled_from(["0.5", "1", "2.5"]),
)
def test_on_random_rounds_the_database_path_equals_the_pure_rules(
    people, weights, with_levels, threshold
):
    bank = import_bank(weights=weights, with_levels=with_levels, threshold=threshold)
    round_ = closed_round(bank, people)

    # Team statistics: PostgreSQL over the snapshots, as stored at close, and the other path.
    assert stored_statistics(round_) == reference_statistics(people, weights)
    shown = _shown(round_)
    in_sql = aggregates.round_statistics_sql(round_.pk, scale=SCALE, shown=shown)
    assert in_sql == aggregates.round_statistics_python(round_.pk, scale=SCALE, shown=shown)
    assert in_sql.submitted == len(people)

    # Per question: the database's counts, and levels and findings from them.
    result = round_team_result(round_)
    assert result.visible and [q.code for q in result.questions] == CODES
    for row in result.questions:
        expected = reference_question(
            row.code, people, with_levels=with_levels, threshold=threshold
        )
        assert {
            "counts": [n for _, _, n in row.counts],
            "na": row.na,
            "dont_know": row.dont_know,
            "disagreement": row.disagreement,
            "level": row.level_number,
            "knowledge_gap": row.knowledge_gap,
        } == expected, row.code
        assert row.level_name == ({b.number: b.name for b in BANDS}.get(expected["level"], ""))


def _shown(round_) -> dict[int, Decimal]:
    """Each dimension's maximum by id, as `team_scores_compute` hands them to the statistics."""
    maxima = max_by_dimension(bank_question_specs(round_.bank_id))
    return {
        pk: maxima[key]
        for pk, key in Dimension.objects.filter(bank_id=round_.bank_id).values_list("pk", "key")
    }


def test_ties_round_half_to_even_on_both_paths_as_the_exact_rule_says():
    """Two respondents a cent apart in a dimension (E-1 weighs 1.02, E-2 1.03): the mean and
    the median are exactly 1.025 and the standard deviation exactly 0.005, half to even 1.02
    and 0.00 (floating point used to make the standard deviation 0.01)."""
    bank = import_bank(weights=["1.02", "1.03", "1", "1", "1", "1"])
    nothing = {code: 0 for code in CODES}
    round_ = closed_round(bank, [{**nothing, "E-1": 1}, {**nothing, "E-2": 1}])
    evaluate = TeamScore.objects.get(round=round_, dimension__key="evaluate")
    assert _numbers(evaluate) == (
        2,
        Decimal("1.02"),
        Decimal("1.02"),
        Decimal("1.02"),
        Decimal("1.03"),
        Decimal("0.00"),
    )
    shown = _shown(round_)
    scale = bank_scale(round_.bank)
    in_sql = aggregates.round_statistics_sql(round_.pk, scale=scale, shown=shown)
    assert in_sql == aggregates.round_statistics_python(round_.pk, scale=scale, shown=shown)
    assert services.round_recompute_differences(round_) == []


def test_team_aggregates_of_a_round_nobody_submitted_to_are_none():
    round_ = round_at(TeamFactory(), 3, bank=import_bank(), min_respondents=2)
    assert services.team_scores_compute(round_) == []
    statistics = aggregates.round_statistics_sql(round_.pk, scale=SCALE, shown=_shown(round_))
    assert (statistics.submitted, statistics.by_dimension) == (0, {})


def test_a_total_with_nothing_scored_counts_as_submitted_without_statistics():
    everything_unscored = {code: "dk" for code in CODES}
    round_ = closed_round(import_bank(), [everything_unscored, everything_unscored])
    total = TeamScore.objects.get(round=round_, dimension=None)
    assert (total.submitted, total.n, total.mean, total.level_number) == (2, 0, None, None)
    assert not TeamScore.objects.filter(round=round_, dimension__isnull=False).exists()


def test_result_page_csv_and_history_queries_are_flat_from_10_to_1000_responses(
    client, org, team, lead, django_assert_max_num_queries
):
    bank = import_bank()
    closed_round(bank, people_answering(3), team=team, days_ago=60)  # so both have a previous round
    small = closed_round(bank, people_answering(10), team=team, days_ago=40)
    client.force_login(lead)

    # The bounds of test_result_pages for the pages (what #15 added included); the CSVs read
    # only stored aggregates.
    bounds = {
        "scoring:round_result": 26,
        "scoring:round_result_csv": 12,
        "scoring:team_history": 30,
        "scoring:team_history_csv": 12,
    }

    def queries(name, arg) -> int:
        with django_assert_max_num_queries(bounds[name]) as captured:
            response = client.get(reverse(name, args=[org.slug, arg]))
            assert response.status_code == 200
            b"".join(response.streaming_content) if response.streaming else response.content
        return len(captured.captured_queries)

    pages = ("scoring:round_result", "scoring:round_result_csv")
    histories = ("scoring:team_history", "scoring:team_history_csv")
    before = [queries(name, small.public_id) for name in pages]
    before_history = [queries(name, team.public_id) for name in histories]
    large = closed_round(bank, people_answering(1000), team=team, days_ago=20)
    assert [queries(name, large.public_id) for name in pages] == before
    assert [queries(name, team.public_id) for name in histories] == before_history
    assert round_team_result(large).questions[0].answered == 1000


def test_the_result_csv_reads_no_answers_and_builds_no_question_rows(client, org, team, member_of):
    round_ = closed_round(import_bank(), people_answering(4), team=team)
    client.force_login(member_of(Role.EXECUTIVE))
    url = reverse("scoring:round_result_csv", args=[org.slug, round_.public_id])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 4  # the header, two dimensions, the total
    assert not [q["sql"] for q in captured.captured_queries if "surveys_answer" in q["sql"]]
    assert round_team_result(round_, questions=False).questions == []
    full = round_team_result(round_)
    assert len(full.questions) == len(CODES) and full.total == (
        round_team_result(round_, questions=False).total
    )
