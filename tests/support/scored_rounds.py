"""Rounds built for the scoring tests: a small two-dimension bank (`v2_bank`) imported with chosen
weights and level ties, rounds whose answers and snapshots are stored in bulk and then closed by
the service, people answering every kind of answer, and a round where two people leave notes."""

import itertools
import uuid
from collections import defaultdict
from decimal import Decimal

from apps.scoring.bands import bank_question_specs
from apps.scoring.calculations import LevelBand, respondent_scores
from apps.scoring.models import DimensionScore
from apps.surveys import answer_notes, bank_services, round_services
from apps.surveys.models import Answer, AnswerKind, Participant, Response, ResponseStatus, Round
from tests.factories import RoundFactory, TeamFactory
from tests.scenarios import invite, round_at
from tests.surveys.bank_data_v2 import LEVELS, v2_bank

CODES = ["E-1", "E-2", "E-3", "O-1", "O-2", "O-3"]  # v2_bank: 0-3 points; E-3 and O-3 offer N/A
OFFER_NA = {"E-3", "O-3"}
BANDS = [LevelBand(lv["number"], lv["name"], Decimal(lv["min_score"])) for lv in LEVELS]
SCALE = Decimal(28)
_slugs = itertools.count()


def import_bank(*, weights=None, with_levels=True, threshold=None):
    """`v2_bank` (two dimensions of three questions, 0-3 points, scale 28) with these weights,
    options tied to levels or not, and a disagreement threshold."""
    data = v2_bank(slug=f"agg{next(_slugs)}")
    questions = [q for d in data["dimensions"] for q in d["questions"]]
    for question, weight in zip(questions, weights or [1] * len(CODES), strict=True):
        question["weight"] = Decimal(weight)
        if not with_levels:
            for choice in question["choices"]:
                del choice["level"]
    data["options_per_level"] = with_levels
    if threshold is not None:
        data["disagreement_threshold"] = Decimal(threshold)
    return bank_services.bank_import(data, publish=True)


def closed_round(bank, people: list[dict], *, team=None, days_ago: int = 5) -> Round:
    """A round where each of `people` ({code: points, "na" or "dk"}) submitted, stored in bulk:
    the answers, then each response's snapshot as `services.response_store_snapshot` stores it
    (its points and applicable maximum per assessed dimension, and its total); then closed by
    the service, which stores the team aggregates."""
    round_ = round_at(team or TeamFactory(), days_ago, bank=bank, min_respondents=2)
    participants = Participant.objects.bulk_create(
        Participant(
            round=round_,
            email=f"p{i}@example.com",
            token_hash=uuid.uuid4().hex * 2,
            submitted_at=round_.opens_at,
        )
        for i in range(len(people))
    )
    responses = Response.objects.bulk_create(
        Response(participant=p, round=round_, bank=bank) for p in participants
    )
    questions = {q.code: q for q in bank.questions.prefetch_related("choices")}
    choices = {(q.code, c.points): c for q in questions.values() for c in q.choices.all()}
    kinds = {"na": AnswerKind.NOT_APPLICABLE, "dk": AnswerKind.DONT_KNOW}
    Answer.objects.bulk_create(
        Answer(
            response=response,
            bank=bank,
            question=questions[code],
            kind=kinds.get(answer, AnswerKind.CHOICE),
            choice=choices[code, answer] if answer not in kinds else None,
        )
        for response, person in zip(responses, people, strict=True)
        for code, answer in person.items()
    )
    specs = bank_question_specs(bank.pk)
    dimensions = dict(bank.dimensions.values_list("key", "pk"))
    scored = [
        (response, respondent_scores(specs, {c: points_of(a) for c, a in person.items()}))
        for response, person in zip(responses, people, strict=True)
    ]
    DimensionScore.objects.bulk_create(
        DimensionScore(
            response=response,
            dimension_id=dimensions[key],
            points=points,
            max_points=scores.max_by_dimension[key],
        )
        for response, scores in scored
        for key, points in scores.by_dimension.items()
    )
    by_total = defaultdict(list)  # (points, maximum) -> responses: one UPDATE each
    for response, scores in scored:
        by_total[scores.total, scores.max_total].append(response.pk)
    for (total, maximum), pks in by_total.items():
        Response.objects.filter(pk__in=pks).update(
            status=ResponseStatus.SUBMITTED,
            submitted_at=round_.opens_at,
            total_points=total,
            max_points=maximum,
        )
    round_services.round_close(round_=round_)
    return Round.objects.select_related("bank").get(pk=round_.pk)


def points_of(answer) -> int | None:
    return answer if isinstance(answer, int) else None


def people_answering(count: int) -> list[dict]:
    """`count` people answering differently (every kind of answer appears)."""
    kinds = [0, 1, 2, 3, "dk", "na"]
    return [
        {code: kinds[(i + q) % (6 if code in OFFER_NA else 5)] for q, code in enumerate(CODES)}
        for i in range(count)
    ]


NOTES = {
    "a@example.com": ("Our prompts live in a registry.", "https://wiki.example.com/prompts"),
    "b@example.com": ("No idea who owns this.", ""),
}


def commented_round(team, *, close=True, people=3, anonymous=False):
    """A v2-style round: `people` respondents answer E-1 and the rest; two leave notes on E-1."""
    bank = bank_services.bank_import(v2_bank(), publish=True)
    round_ = RoundFactory(team=team, bank=bank, anonymous=anonymous)
    emails = ["a@example.com", "b@example.com", "c@example.com"][:people]
    invite(round_, emails)
    for participant in round_.participants.all():
        for question in bank.questions.prefetch_related("choices"):
            kind = "dk" if participant.email == "b@example.com" else question.choices.all()[2].pk
            round_services.answer_save(
                participant=participant, question_id=question.pk, choice_id=kind
            )
            if question.code == "E-1" and participant.email in NOTES:
                comment, link = NOTES[participant.email]
                for field, value in ((answer_notes.COMMENT, comment), ("evidence_url", link)):
                    answer_notes.answer_note_save(
                        participant=participant, question_id=question.pk, field=field, value=value
                    )
        round_services.response_submit(participant=participant)
    if close:
        round_services.round_close(round_=round_)
    round_.refresh_from_db()
    return round_
