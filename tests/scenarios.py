"""Test scenarios: rounds with people invited, answering and submitting, built through the
services exactly as the app does it, or through the respondent's link as a browser would.
Tests build their data with these and the factories, and never import from another test
module."""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from apps.organizations import services as organization_services
from apps.organizations.access import organization_access
from apps.organizations.models import Role
from apps.surveys import round_services
from apps.surveys.models import Participant, Round
from tests.factories import RoundFactory, TeamFactory, ready_team_report

# Points for one person: the same for every question, one per question (by question id, which
# is the bank's order), a function of the question's index, or by dimension key a list of points
# for that dimension's questions in the bank's order ({"application": [0, 1, ...], ...}).
Points = int | Sequence[int] | Callable[[int], int] | Mapping[str, Sequence[int]]


def invite(round_: Round, emails: list[str]) -> dict[str, str]:
    """Invite people to `round_` and run the e-mail tasks (after commit); {email: token} of
    everyone invited to it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        round_services.participants_invite(round_=round_, emails=emails)
    return {p.email: round_services.participant_token(p) for p in round_.participants.all()}


def points_totalling(total: int) -> Callable[[int], int]:
    """Points per question of the shipped bank (14 questions of 0-2 points) adding up to
    `total`: 1 on the first `total` questions up to 14, then 2 on the first `total - 14`."""
    assert 0 <= total <= 28
    if total <= 14:
        return lambda index: 1 if index < total else 0
    return lambda index: 2 if index < total - 14 else 1


def _points_per_question(questions: list, points: Points) -> list[int]:
    """The points to choose for each of `questions` (in their order)."""
    if isinstance(points, int):
        return [points] * len(questions)
    if callable(points):
        return [points(index) for index in range(len(questions))]
    if isinstance(points, Mapping):
        by_dimension = defaultdict(list)
        for question in sorted(questions, key=lambda q: (q.dimension.order, q.order)):
            by_dimension[question.dimension.key].append(question.pk)
        wanted = {}
        for key, pks in by_dimension.items():
            assert len(points[key]) == len(pks), f"one number of points per {key} question"
            wanted.update(zip(pks, points[key], strict=True))
        return [wanted[question.pk] for question in questions]
    assert len(points) == len(questions), "one number of points per question"
    return list(points)


def answer_all(participant: Participant, points: Points = 2) -> None:
    """Save an answer to every question of the round's bank, choosing the choice worth
    `points`, through the same service as the answering pages."""
    questions = list(
        participant.round.bank.questions.select_related("dimension")
        .prefetch_related("choices")
        .order_by("pk")
    )
    for question, wanted in zip(questions, _points_per_question(questions, points), strict=True):
        choice = next(c for c in question.choices.all() if c.points == wanted)
        round_services.answer_save(
            participant=participant, question_id=question.pk, choice_id=choice.pk
        )


def answer_and_submit(participant: Participant, points: Points = 2) -> None:
    """`answer_all`, then submit, as the review page's button does."""
    answer_all(participant, points)
    round_services.response_submit(participant=participant)


def submit_responses(round_: Round, points: Sequence[Points], *, close: bool = True) -> Round:
    """One person per entry of `points` is invited, answers every question and submits; then
    the round is closed, unless `close=False`."""
    invite(round_, [f"{round_.pk}-p{i}@example.com" for i in range(len(points))])
    people = round_.participants.order_by("email")
    for participant, person_points in zip(people, points, strict=True):
        answer_and_submit(participant, person_points)
    if close:
        round_services.round_close(round_=round_)
    return round_


def round_at(team, days_ago: int, **fields) -> Round:
    """A round of `team` that opened `days_ago` days ago and is still open for answers."""
    now = timezone.now()
    return RoundFactory(
        team=team,
        opens_at=now - timedelta(days=days_ago),
        closes_at=now + timedelta(days=10),
        **fields,
    )


def submitted_round(
    *, points: Sequence[Points], team=None, days_ago: int = 1, closed: bool = True, **fields
) -> Round:
    """A round of `team` (a new one by default) that opened `days_ago` days ago, with one
    submitted response per entry of `points`, closed unless `closed=False`. `fields` go to the
    round: `anonymous`, `min_respondents`, `title`, `bank`…

    submitted_round(team=team, points=[0, 1, 2]) has three people: everyone 0 points on every
    question, 1 and 2; the team's mean is then 1 point per question."""
    round_ = round_at(team or TeamFactory(), days_ago, **fields)
    return submit_responses(round_, points, close=closed)


def ready_to_submit(round_: Round, emails: list[str]) -> dict[str, str]:
    """Invite people and save a complete set of answers for each (not submitted); {email: token}.
    Answers differ from person to person and question to question."""
    tokens = invite(round_, emails)
    for participant in round_.participants.all():
        answer_all(participant, lambda index, pk=participant.pk: (index + pk) % 3)
    return tokens


def answer_by_link(client, token: str, points: int = 2) -> None:
    """Through the person's link, as the answering page does (htmx autosave): choose the choice
    worth `points` for every question."""
    participant = round_services.participant_for_token(token)
    questions = participant.round.bank.questions.prefetch_related("choices").order_by("pk")
    for question in questions:
        choice = next(c for c in question.choices.all() if c.points == points)
        response = client.post(
            reverse("surveys:answer", args=[token]),
            {f"q-{question.pk}": choice.pk},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content


def submit_by_link(client, token: str, points: int = 2) -> None:
    """Through the person's link: answer every question (`answer_by_link`), then submit."""
    answer_by_link(client, token, points)
    assert client.post(reverse("surveys:submit", args=[token])).status_code == 302


def closed_round_copies(round_: Round, teams) -> None:
    """For each of `teams`, a closed round with the results of `round_` (a closed round):
    rounds, team aggregates and question levels written in bulk, for tests that need hundreds
    of teams."""
    from apps.scoring.models import QuestionLevel, TeamScore

    round_.refresh_from_db()  # closed by a service, perhaps since this instance was read
    round_fields = ["bank_id", "title", "status", "opens_at", "closes_at", "closed_at"]
    score_fields = [
        "dimension_id",
        "submitted",
        "n",
        "mean",
        "median",
        "minimum",
        "maximum",
        "stdev",
        "max_points",
        "level_number",
        "level_name",
    ]
    copies = Round.objects.bulk_create(
        Round(
            team=team,
            min_respondents=round_.min_respondents,
            **{name: getattr(round_, name) for name in round_fields},
        )
        for team in teams
    )
    scores = list(TeamScore.objects.filter(round=round_))
    TeamScore.objects.bulk_create(
        TeamScore(round=copy, **{name: getattr(score, name) for name in score_fields})
        for copy in copies
        for score in scores
    )
    levels = list(QuestionLevel.objects.filter(round=round_))  # its question levels, too
    QuestionLevel.objects.bulk_create(
        QuestionLevel(
            round=copy, question_id=row.question_id, n=row.n, level_number=row.level_number
        )
        for copy in copies
        for row in levels
    )


def build_organization(org, owner):
    """A closed round everyone submitted, an open round with e-mails not sent yet, a built
    report file and a pending member invitation whose e-mail is still queued."""
    team = TeamFactory(organization=org)
    submit_responses(RoundFactory(team=team, created_by=owner), [0, 1, 2])
    open_round = RoundFactory(team=team, created_by=owner)
    submit_responses(open_round, [2], close=False)  # a submitted response in an open round
    round_services.participants_invite(  # not committed in this test: the e-mails stay queued
        round_=open_round, emails=[f"waiting-{org.slug}@example.com"]
    )
    organization_services.invitation_send(
        actor=organization_access(owner, org.slug),
        email=f"newcomer-{org.slug}@example.com",
        role=Role.MEMBER,
        invited_by=owner,
    )
    report = ready_team_report(team)
    return report
