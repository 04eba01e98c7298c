"""Organization patterns from the question levels stored at close (#14): the same patterns as
counting every answer of every team's latest visible round, which is how they were computed
before (`patterns_from_answers`, kept here as the reference), on random rounds of the shipped
LLMOps v1 (options without levels: the mean's level) and v2 (options tied to levels: the
median level), with N/A, "don't know", rounds under their threshold, open rounds, archived
teams and another organization; the snapshot is stored at close, checked by the recompute, and
backfilled for rounds closed before it existed."""

import importlib
import random
import uuid
from collections import defaultdict

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.scoring import services
from apps.scoring.bands import bank_bands, bank_question_specs, bank_scale
from apps.scoring.calculations import question_current_level, respondent_scores
from apps.scoring.models import DimensionScore, QuestionLevel
from apps.scoring.patterns import Pattern, organization_patterns, weak_patterns
from apps.scoring.selectors import bank_version_label, round_team_result
from apps.surveys import round_services
from apps.surveys.models import (
    Answer,
    AnswerKind,
    Choice,
    Guidance,
    Participant,
    QuestionBank,
    Response,
    ResponseStatus,
    Round,
)
from tests.factories import OrganizationFactory, TeamFactory, published_bank
from tests.scenarios import round_at

pytestmark = pytest.mark.django_db


def patterns_from_answers(organization) -> list[Pattern]:
    """The organization patterns as computed before the snapshot: every submitted answer of
    each team's latest visible round counted per option, each question's level by
    `question_current_level`, per bank (the reference the stored levels must reproduce)."""
    from apps.scoring.patterns import latest_visible_rounds

    rounds = latest_visible_rounds(organization)
    if not rounds:
        return []
    round_rows = {
        pk: (team_name, bank_id)
        for pk, team_name, bank_id in Round.objects.filter(pk__in=rounds).values_list(
            "pk", "team__name", "bank_id"
        )
    }
    chosen: dict[tuple[int, int], int] = defaultdict(int)
    for round_id, choice_id, n in (
        Answer.objects.filter(
            response__round_id__in=rounds,
            response__status=ResponseStatus.SUBMITTED,
            kind=AnswerKind.CHOICE,
        )
        .values("response__round_id", "choice_id")
        .annotate(n=Count("pk"))
        .values_list("response__round_id", "choice_id", "n")
        .order_by()
    ):
        chosen[round_id, choice_id] = n
    bank_ids = {bank_id for _, bank_id in round_rows.values()}
    options: dict[int, list[Choice]] = defaultdict(list)
    questions: dict[int, tuple] = {}
    for choice in (
        Choice.objects.filter(question__bank_id__in=bank_ids)
        .select_related("question__dimension")
        .order_by("question__dimension__order", "question__order", "points", "pk")
    ):
        options[choice.question_id].append(choice)
        q = choice.question
        questions[q.pk] = (q.bank_id, q.code, q.text, q.dimension.name, q.dimension.key)
    patterns = []
    for bank in QuestionBank.objects.filter(pk__in=bank_ids).order_by("slug", "version"):
        bands = bank_bands(bank.pk)
        if len(bands) < 2:
            continue
        scale = bank_scale(bank)
        levels_by_team: dict[str, dict[str, int | None]] = {}
        for round_id, (team_name, bank_id) in round_rows.items():
            if bank_id != bank.pk:
                continue
            levels_by_team[team_name] = {
                code: question_current_level(
                    [(c.points, c.level, chosen[round_id, c.pk]) for c in options[question_id]],
                    scale=scale,
                    bands=bands,
                )
                for question_id, (q_bank, code, *_rest) in questions.items()
                if q_bank == bank.pk
            }
        lowest, following = bands[0], bands[1]
        found = weak_patterns(levels_by_team, lowest=lowest.number)
        by_code = {
            code: rest for _, (q_bank, code, *rest) in questions.items() if q_bank == bank.pk
        }
        guidance = dict(
            Guidance.objects.filter(
                bank=bank, question__isnull=False, level__number=following.number
            ).values_list("question__code", "text")
        )
        for code, teams, total in found:
            text, dimension, _key = by_code[code]
            patterns.append(
                Pattern(
                    bank_id=bank.pk,
                    bank_label=bank_version_label(bank.slug, bank.version),
                    code=code,
                    text=text,
                    dimension=dimension,
                    level_name=lowest.name,
                    next_level_name=following.name,
                    weak_teams=teams,
                    team_count=total,
                    recommendation=guidance.get(code, ""),
                )
            )
    patterns.sort(key=lambda p: (-p.weak_count, -p.weak_count / p.team_count, p.code))
    return patterns


def random_round(
    rng, team, bank, *, people: int, skill: float, close=True, dont_know=(), **fields
) -> Round:
    """A round of `team` on `bank` where `people` submitted random answers around `skill` (a
    fraction of each question's top points), some N/A (where offered) and "don't know" (always
    on the questions coded in `dont_know`);
    stored in bulk as submitting stores it (answers, score snapshots, totals), then closed by
    the service (team aggregates and question levels) unless `close` is False."""
    round_ = round_at(team, 30, bank=bank, **fields)
    participants = Participant.objects.bulk_create(
        Participant(round=round_, email=f"p{i}@example.com", token_hash=uuid.uuid4().hex * 2)
        for i in range(people)
    )
    responses = Response.objects.bulk_create(
        Response(participant=p, round=round_, bank=bank) for p in participants
    )
    questions = list(bank.questions.prefetch_related("choices"))
    specs = bank_question_specs(bank.pk)
    dimensions = dict(bank.dimensions.values_list("key", "pk"))
    answers, scored = [], []
    for response in responses:
        points = {}
        for question in questions:
            choices = sorted(question.choices.all(), key=lambda c: c.points)
            draw = rng.random()
            if question.code in dont_know:
                kind, choice = AnswerKind.DONT_KNOW, None
            elif question.allow_na and draw < 0.12:
                kind, choice = AnswerKind.NOT_APPLICABLE, None
            elif bank.allow_dont_know and draw > 0.9:
                kind, choice = AnswerKind.DONT_KNOW, None
            else:
                wanted = skill * (len(choices) - 1) + rng.uniform(-1.2, 1.2)
                index = min(len(choices) - 1, max(0, round(wanted)))
                kind, choice = AnswerKind.CHOICE, choices[index]
            points[question.code] = choice.points if choice else None
            answers.append(
                Answer(response=response, bank=bank, question=question, kind=kind, choice=choice)
            )
        scored.append((response, respondent_scores(specs, points)))
    Answer.objects.bulk_create(answers)
    DimensionScore.objects.bulk_create(
        DimensionScore(
            response=response,
            dimension_id=dimensions[key],
            points=value,
            max_points=scores.max_by_dimension[key],
        )
        for response, scores in scored
        for key, value in scores.by_dimension.items()
    )
    for response, scores in scored:
        Response.objects.filter(pk=response.pk).update(
            status=ResponseStatus.SUBMITTED,
            submitted_at=round_.opens_at,
            total_points=scores.total,
            max_points=scores.max_total,
        )
    if close:
        round_services.round_close(round_=round_)
    return Round.objects.select_related("bank").get(pk=round_.pk)


def random_organization(seed: int):
    """An organization of 14 teams with one to three rounds each, every team's latest on v1 or
    v2, most of them weak somewhere; with what patterns must leave out: a team whose latest
    round stayed under its threshold (its earlier one counts), a team with only such rounds,
    an open round, an archived team, another organization's weak teams."""
    rng = random.Random(seed)
    v1, v2 = published_bank("llmops", 1), published_bank("llmops", 2)
    org = OrganizationFactory()
    teams = [TeamFactory(organization=org, name=f"Team {i:02}") for i in range(14)]
    for round_number in range(3):
        for index, team in enumerate(teams):
            if round_number >= 1 + index % 3:
                continue
            latest = round_number == index % 3
            bank = (v2 if index % 2 else v1) if latest else v1
            random_round(rng, team, bank, people=rng.randint(3, 6), skill=rng.uniform(0.0, 0.5))
    below = TeamFactory(organization=org, name="Below")
    random_round(rng, below, v1, people=3, skill=0.6)
    random_round(rng, below, v2, people=2, skill=0.0, min_respondents=3)  # withheld
    never = TeamFactory(organization=org, name="Never")
    random_round(rng, never, v1, people=2, skill=0.0, min_respondents=4)
    random_round(
        rng, TeamFactory(organization=org, name="Open"), v2, people=4, skill=0.0, close=False
    )
    archived = TeamFactory(organization=org, name="Archived")
    random_round(rng, archived, v1, people=4, skill=0.0)
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    for _ in range(3):
        random_round(rng, TeamFactory(), v1, people=4, skill=0.0)
    return org


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_levels_give_the_patterns_of_the_answers(seed):
    org = random_organization(seed)

    expected = patterns_from_answers(org)
    with CaptureQueriesContext(connection) as queries:
        found = organization_patterns(org)

    assert found == expected
    assert len(queries) <= 4
    # Something to compare: patterns on both question sets. Counted: the seven teams whose
    # latest round is on each version, and on v1 also "Below" (its latest round is withheld,
    # its earlier one counts); never the team with only a withheld round, the open round, the
    # archived team or the other organization's teams.
    assert {(p.bank_label, p.team_count) for p in found} == {("llmops v1", 8), ("llmops v2", 7)}
    assert all(not {"Never", "Open", "Archived"} & set(p.weak_teams) for p in found)
    assert all(team.startswith("Team ") or team == "Below" for p in found for team in p.weak_teams)
    assert organization_patterns(org, limit=2) == expected[:2]


def test_withheld_latest_round_leaves_the_earlier_one_counted():
    org = OrganizationFactory()
    v1 = published_bank("llmops", 1)
    rng = random.Random(5)
    teams = [TeamFactory(organization=org, name=name) for name in ("A", "B", "C")]
    for team in teams[:2]:
        random_round(rng, team, v1, people=3, skill=0.0)
    random_round(rng, teams[2], v1, people=3, skill=0.0)
    random_round(rng, teams[2], v1, people=2, skill=1.0, min_respondents=3)  # withheld

    found = organization_patterns(org)

    # C answered all at the top in its withheld round: weak anywhere only through its first.
    assert found == patterns_from_answers(org)
    assert any("C" in p.weak_teams for p in found)
    assert all(p.team_count == 3 for p in found)


def test_the_level_stored_at_close_is_the_result_pages():
    rng = random.Random(11)
    round_ = random_round(rng, TeamFactory(), published_bank("llmops", 2), people=7, skill=0.3)

    stored = dict(
        QuestionLevel.objects.filter(round=round_).values_list("question__code", "level_number")
    )
    result = round_team_result(round_)
    page = {row.code: row.level_number for row in result.questions}

    assert stored == page
    assert len(stored) == 20 and len(set(stored.values())) > 1
    assert services.round_recompute_differences(round_) == []


def test_recompute_reports_a_question_level_that_differs():
    rng = random.Random(12)
    round_ = random_round(rng, TeamFactory(), published_bank("llmops", 1), people=4, skill=0.5)
    row = QuestionLevel.objects.filter(round=round_, level_number__isnull=False).first()
    QuestionLevel.objects.filter(pk=row.pk).update(level_number=row.level_number % 4 + 1)

    [difference] = services.round_recompute_differences(round_)

    assert difference.startswith("question levels (question, chosen, level): stored ")


def test_nobody_chose_an_option_no_level():
    """Everyone answered "don't know" on a question: no level there, so no weak team."""
    bank = published_bank("llmops", 1)
    first = bank.questions.order_by("pk").first()
    round_ = random_round(
        random.Random(13), TeamFactory(), bank, people=3, skill=0.0, dont_know={first.code}
    )

    row = QuestionLevel.objects.get(round=round_, question=first)
    assert (row.n, row.level_number) == (0, None)
    others = QuestionLevel.objects.filter(round=round_).exclude(question=first)
    assert others.count() == 13 and not others.filter(level_number__isnull=True).exists()


def test_rounds_closed_before_the_snapshot_get_theirs_from_the_migration():
    rng = random.Random(14)
    rounds = [
        random_round(rng, TeamFactory(), published_bank("llmops", version), people=5, skill=0.3)
        for version in (1, 2, 1)
    ]
    open_round = random_round(
        rng, TeamFactory(), published_bank("llmops", 1), people=3, skill=0.3, close=False
    )

    def stored():
        return sorted(
            QuestionLevel.objects.filter(round__in=[*rounds, open_round]).values_list(
                "round_id", "question_id", "n", "level_number"
            )
        )

    at_close = stored()
    QuestionLevel.objects.all().delete()
    migration = importlib.import_module("apps.scoring.migrations.0005_question_levels")
    migration.store_levels(django_apps, None)

    assert stored() == at_close
    assert len(at_close) == 14 + 20 + 14  # every question of each closed round, none open
