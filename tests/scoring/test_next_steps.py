"""Next steps (DESIGN §4): per question, the guidance for the level above the question's own
current level, ranked by gap to target times weight, then disagreement, don't know and code.

The first part pins the rule on hand-built rows (pure); the second runs rounds through the
database and reads the result page, the team history, the hooks and the PDF's steps."""

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from apps.organizations.models import Role
from apps.scoring import result_page
from apps.scoring.calculations import LevelBand
from apps.scoring.next_steps import QuestionFacts, answers_in_words, choose_steps, round_steps
from apps.scoring.selectors import QuestionRow, round_team_result
from tests.factories import published_bank
from tests.scenarios import submitted_round

LEVELS = [
    LevelBand(1, "Initial", Decimal(0)),
    LevelBand(2, "Defined", Decimal(10)),
    LevelBand(3, "Managed", Decimal(15)),
    LevelBand(4, "Optimized", Decimal(20)),
]
NAMES = {band.number: band.name for band in LEVELS}


def _row(code, level, *, counts=(), disagreement=False, dont_know=0, na=0, dimension="App"):
    return QuestionRow(
        code=code,
        text=f"Question {code}",
        dimension=dimension,
        counts=list(counts) or [("an option", 1, 1)],
        disagreement=disagreement,
        dont_know=dont_know,
        na=na,
        level_number=level,
        level_name=NAMES.get(level, ""),
    )


def _facts(*codes, key="app", weights=None):
    weights = weights or {}
    return {
        code: QuestionFacts(i, key, Decimal(weights.get(code, 1))) for i, code in enumerate(codes)
    }


def _guidance(*codes, key="app"):
    """Every question's own guidance for levels 2-4: "<code> to <level name>"."""
    return {
        (key, code, level): f"{code} to {NAMES[level]}" for code in codes for level in (2, 3, 4)
    }


@pytest.mark.pure
def test_each_question_steps_to_the_level_above_its_own():
    rows = [_row("APP-1", 1), _row("APP-2", 2), _row("APP-3", 3)]
    steps = choose_steps(
        rows,
        facts=_facts("APP-1", "APP-2", "APP-3"),
        levels=LEVELS,
        guidance=_guidance("APP-1", "APP-2", "APP-3"),
    )
    chosen = {s.code: (s.current_level_name, s.next_level_name, s.guidance) for s in steps}
    assert chosen == {
        "APP-1": ("Initial", "Defined", "APP-1 to Defined"),
        "APP-2": ("Defined", "Managed", "APP-2 to Managed"),
        "APP-3": ("Managed", "Optimized", "APP-3 to Optimized"),
    }


@pytest.mark.pure
def test_a_question_at_the_top_level_gets_no_step():
    steps = choose_steps(
        [_row("APP-3", 4)], facts=_facts("APP-3"), levels=LEVELS, guidance=_guidance("APP-3")
    )
    assert steps == []


@pytest.mark.pure
def test_a_dimension_at_the_top_level_still_gets_steps_for_its_weak_questions():
    # Six questions at Optimized and one at Defined: the dimension is at Optimized (its mean),
    # and the weak question still gets the guidance for its own next level, Managed.
    codes = [f"APP-{i}" for i in range(1, 8)]
    rows = [_row(code, 4) for code in codes[:-1]] + [_row("APP-7", 2)]
    steps = choose_steps(rows, facts=_facts(*codes), levels=LEVELS, guidance=_guidance(*codes))
    assert [(s.code, s.next_level_name, s.guidance) for s in steps] == [
        ("APP-7", "Managed", "APP-7 to Managed")
    ]


@pytest.mark.pure
def test_a_question_nobody_scored_gets_no_step():
    unscored = _row("APP-4", None, counts=[("an option", 1, 0)], na=3)
    assert choose_steps([unscored], facts=_facts("APP-4"), levels=LEVELS, guidance={}) == []


@pytest.mark.pure
def test_the_dimensions_guidance_stands_in_where_the_question_has_none_for_that_level():
    guidance = {("app", None, 2): "The dimension to Defined"}
    steps = choose_steps(
        [_row("APP-1", 1)], facts=_facts("APP-1"), levels=LEVELS, guidance=guidance
    )
    assert [s.guidance for s in steps] == ["The dimension to Defined"]
    # Nothing to quote at all: no step.
    assert (
        choose_steps([_row("APP-1", 2)], facts=_facts("APP-1"), levels=LEVELS, guidance=guidance)
        == []
    )


@pytest.mark.pure
def test_steps_rank_by_gap_to_target_times_weight():
    # Target Managed (3): APP-1 at Initial is 2 levels short, weight 1: 2; APP-2 at Defined is
    # 1 short, weight 3: 3; APP-3 at Managed is at the target: 0, though not at the top.
    rows = [_row("APP-1", 1), _row("APP-2", 2), _row("APP-3", 3)]
    steps = choose_steps(
        rows,
        facts=_facts("APP-1", "APP-2", "APP-3", weights={"APP-2": 3}),
        levels=LEVELS,
        guidance=_guidance("APP-1", "APP-2", "APP-3"),
        targets={"app": 3},
    )
    assert [(s.code, s.gap_levels, s.priority) for s in steps] == [
        ("APP-2", 1, 3),
        ("APP-1", 2, 2),
        ("APP-3", 0, 0),
    ]
    assert all(s.targeted and s.target_level_name == "Managed" for s in steps)


@pytest.mark.pure
def test_without_a_target_the_gap_is_to_the_top_level():
    steps = choose_steps(
        [_row("APP-1", 3), _row("APP-2", 1)],
        facts=_facts("APP-1", "APP-2"),
        levels=LEVELS,
        guidance=_guidance("APP-1", "APP-2"),
    )
    assert [(s.code, s.gap_levels, s.targeted, s.target_level_name) for s in steps] == [
        ("APP-2", 3, False, "Optimized"),
        ("APP-1", 1, False, "Optimized"),
    ]


@pytest.mark.pure
def test_ties_break_on_disagreement_then_dont_know_then_code():
    codes = ["APP-10", "APP-2", "APP-3", "APP-4"]
    rows = [
        _row("APP-10", 2),
        _row("APP-2", 2),
        _row("APP-3", 2, dont_know=2),
        _row("APP-4", 2, disagreement=True),
    ]
    steps = choose_steps(rows, facts=_facts(*codes), levels=LEVELS, guidance=_guidance(*codes))
    assert [s.code for s in steps] == ["APP-4", "APP-3", "APP-2", "APP-10"]


@pytest.mark.pure
@given(
    levels=st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=1, max_size=12),
    weights=st.lists(st.integers(1, 3), min_size=12, max_size=12),
    target=st.one_of(st.none(), st.integers(1, 4)),
)
def test_every_step_moves_its_question_one_level_up_and_the_rank_never_rises(
    levels, weights, target
):
    codes = [f"APP-{i}" for i in range(1, len(levels) + 1)]
    rows = [_row(code, level) for code, level in zip(codes, levels, strict=True)]
    facts = _facts(*codes, weights=dict(zip(codes, weights, strict=False)))
    steps = choose_steps(
        rows,
        facts=facts,
        levels=LEVELS,
        guidance=_guidance(*codes),
        targets={"app": target} if target else None,
    )
    # One step per scored question below the top, quoting its own next level's guidance.
    assert sorted(s.code for s in steps) == sorted(
        code for code, level in zip(codes, levels, strict=True) if level is not None and level < 4
    )
    for step in steps:
        assert step.next_level == step.current_level + 1
        assert step.guidance == f"{step.code} to {NAMES[step.next_level]}"
        assert step.gap_levels == max((target or 4) - step.current_level, 0)
    priorities = [s.priority for s in steps]
    assert priorities == sorted(priorities, reverse=True)


@pytest.mark.pure
def test_why_says_the_teams_answers_in_words():
    row = _row(
        "APP-1",
        1,
        counts=[
            ("picked when the project started", 0, 3),
            ("compared by hand", 1, 1),
            ("benchmarked", 2, 0),
        ],
        dont_know=1,
        na=1,
    )
    assert answers_in_words(row) == (
        "3 of 6 chose “picked when the project started”; 1 chose “compared by hand”; "
        "1 don't know; 1 not applicable"
    )


# --- Through the database


@pytest.fixture
def v1_round(team):
    """LLMOps v1 (0-2 points) with three people. Application: APP-1 answered 0, 1, 1 (0.67:
    Initial); APP-2 to APP-7 all 2 (the top), so the dimension is at Optimized (40 of 42
    points: 95%). Operational: everyone 1 (Defined) on every question."""
    people = [[0, 2, 2, 2, 2, 2, 2], [1, 2, 2, 2, 2, 2, 2], [1, 2, 2, 2, 2, 2, 2]]
    return _closed(
        submitted_round(
            team=team,
            points=[{"application": p, "operational": [1] * 7} for p in people],
            title="Q3 check",
        )
    )


def _closed(round_):
    """The round as stored (closing updates the row, not this object)."""
    round_.refresh_from_db()
    return round_


@pytest.mark.django_db
def test_v1_round_steps_target_each_question_not_its_dimension(v1_round):
    result = round_team_result(v1_round)
    assert {r.key: r.level_name for r in result.dimensions} == {
        "application": "Optimized",
        "operational": "Defined",
    }
    steps = round_steps(result)
    by_code = {s.code: s for s in steps}
    # APP-1 is at Initial: the guidance for Defined, not the dimension's "rerun the benchmark".
    assert by_code["APP-1"].current_level_name == "Initial"
    assert by_code["APP-1"].guidance.startswith("Pick three candidate models")
    assert "Rerun the benchmark" not in by_code["APP-1"].guidance
    assert by_code["APP-1"].why.startswith("2 of 3 chose “Candidate models are compared by hand")
    # APP-2 to APP-7 are at the top: no step, although APP-1's dimension is at Optimized.
    assert not {f"APP-{i}" for i in range(2, 8)} & by_code.keys()
    # Each operational question at Defined gets the guidance for Managed.
    assert {s.code for s in steps} == {"APP-1", *(f"OPS-{i}" for i in range(1, 8))}
    assert all(s.next_level_name == "Managed" for s in steps if s.code.startswith("OPS"))
    # APP-1 is three levels short of the top (no target), the OPS questions two: APP-1 first.
    assert steps[0].code == "APP-1"


@pytest.mark.django_db
def test_v1_question_level_is_the_band_of_its_mean_share(team):
    # LLMOps v1 questions score 0-2. APP-1 answered 0, 1, 1 averages 0.67 of 2, a third: 9.33
    # of 28 is Initial; APP-2 1, 1, 1 is half, 14 of 28: Defined; APP-3 2, 1, 1 is two thirds,
    # 18.67 of 28: Managed; APP-4 2, 2, 1 is five sixths, 23.33 of 28: Optimized.
    people = [[0, 1, 2, 2, 2, 2, 2], [1, 1, 1, 2, 2, 2, 2], [1, 1, 1, 1, 2, 2, 2]]
    round_ = _closed(
        submitted_round(
            team=team, points=[{"application": p, "operational": [2] * 7} for p in people]
        )
    )
    result = round_team_result(round_)
    levels = {q.code: q.level_name for q in result.questions}
    assert [levels[f"APP-{i}"] for i in range(1, 5)] == [
        "Initial",
        "Defined",
        "Managed",
        "Optimized",
    ]
    steps = {s.code: s.next_level_name for s in round_steps(result)}
    assert steps == {"APP-1": "Defined", "APP-2": "Managed", "APP-3": "Optimized"}


@pytest.mark.django_db
def test_v2_question_level_is_the_median_of_the_chosen_options_levels(team):
    bank = published_bank(version=2)
    # Options are one per level (points 0-3 = levels 1-4): APP-1 chosen at levels 1, 2, 4:
    # the median level is 2 (Defined), so its step is the guidance for Managed.
    round_ = _closed(
        submitted_round(
            team=team, bank=bank, points=[lambda i: 0, lambda i: 1, lambda i: 3], title="v2"
        )
    )
    result = round_team_result(round_)
    app1 = next(q for q in result.questions if q.code == "APP-1")
    assert (app1.level_number, app1.level_name) == (2, "Defined")
    step = next(s for s in round_steps(result) if s.code == "APP-1")
    guidance = bank.guidance.get(question__code="APP-1", level__number=3).text
    assert (step.next_level_name, step.guidance) == ("Managed", guidance)


@pytest.mark.django_db
def test_result_page_shows_the_top_three_and_all_steps_one_click_away(
    client, org, team, member_of, v1_round, django_assert_max_num_queries
):
    client.force_login(member_of(Role.EXECUTIVE))
    url = reverse("scoring:round_result", args=[org.slug, v1_round.public_id])
    with django_assert_max_num_queries(40):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "What to do next" in html
    assert html.count('class="card mb-2 next-step"') == 3
    assert "Show all 8 steps" in html and "<details" in html
    assert "Pick three candidate models" in html  # APP-1's guidance for Defined
    assert "2 of 3 chose" in html


@pytest.mark.django_db
@pytest.mark.parametrize("closed", [True, False], ids=["below-threshold", "open"])
def test_no_steps_for_a_withheld_result(client, org, team, member_of, closed):
    round_ = _closed(submitted_round(team=team, points=[0, 1], closed=closed))  # 2 of 3 needed
    client.force_login(member_of(Role.EXECUTIVE))
    html = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id])).content
    assert b"What to do next" not in html and b"Pick three candidate models" not in html
    assert round_steps(round_team_result(round_)) == []


@pytest.mark.django_db
def test_team_history_shows_the_latest_visible_rounds_steps(
    client, org, team, member_of, v1_round, django_assert_max_num_queries
):
    submitted_round(team=team, points=[2, 2], days_ago=0)  # later, below its threshold
    client.force_login(member_of(Role.EXECUTIVE))
    url = reverse("scoring:team_history", args=[org.slug, team.public_id])
    with django_assert_max_num_queries(40):
        html = client.get(url).content.decode()
    assert "What to do next" in html and "From Q3 check." in html
    assert "Pick three candidate models" in html


@pytest.mark.django_db
def test_team_history_without_a_visible_round_has_no_steps(client, org, team, member_of):
    submitted_round(team=team, points=[2, 2])  # below its threshold
    client.force_login(member_of(Role.EXECUTIVE))
    html = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id])).content
    assert b"What to do next" not in html


@pytest.fixture
def hook_templates(settings):
    """Templates the hooks' tests register, from memory; the registrations go afterwards."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {
            **engine,
            "APP_DIRS": False,
            "OPTIONS": {
                **engine["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "t/result.html": "<p>result {{ section.n }} of {{ round.title }}</p>",
                            "t/history.html": "<p>history {{ section.points }}</p>",
                            "t/action.html": "<button>Add {{ step.code }} for {{ team.name }} "
                            "from {{ round.title }}</button>",
                        },
                    ),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    saved = (
        dict(result_page._result_sections),
        dict(result_page._history_sections),
        list(result_page._step_actions),
    )
    yield
    result_page._result_sections.clear()
    result_page._result_sections.update(saved[0])
    result_page._history_sections.clear()
    result_page._history_sections.update(saved[1])
    result_page._step_actions[:] = saved[2]


@pytest.mark.django_db
def test_hooks_add_sections_and_a_step_action(
    client, org, team, member_of, v1_round, hook_templates
):
    result_page.result_section_register(
        template="t/result.html", context=lambda access, round_, result: {"n": result.n}
    )
    result_page.history_section_register(
        template="t/history.html", context=lambda access, team, points: {"points": len(points)}
    )
    result_page.step_action_register(template="t/action.html")
    result_page.step_action_register(template="t/action.html")  # twice: still once
    client.force_login(member_of(Role.EXECUTIVE))
    html = client.get(reverse("scoring:round_result", args=[org.slug, v1_round.public_id]))
    html = html.content.decode()
    assert "<p>result 3 of Q3 check</p>" in html
    # Beside each of the top three and each of the eight in the full list.
    assert html.count("<button>Add APP-1 for Platform from Q3 check</button>") == 2
    assert html.count("<button>Add ") == 3 + 8
    history = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id]))
    assert "<p>history 1</p>" in history.content.decode()
    assert "<button>Add APP-1 for Platform from Q3 check</button>" in history.content.decode()


@pytest.mark.django_db
def test_a_withheld_result_shows_no_section(client, org, team, member_of, hook_templates):
    result_page.result_section_register(
        template="t/result.html", context=lambda access, round_, result: {"n": result.n}
    )
    round_ = submitted_round(team=team, points=[0, 1])
    client.force_login(member_of(Role.EXECUTIVE))
    html = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id])).content
    assert b"<p>result" not in html
