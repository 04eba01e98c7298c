"""The content of the shipped version 2 banks (LLMOps and software delivery), read as plain JSON.

Version 2 offers one answer per level, in rising order, with guidance for every step up, and is
written in our own words: no run of eight consecutive words may come from the source texts of
Microsoft's LLMOps maturity model (`../shared/seeds/` beside the repository).
"""

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "apps" / "surveys" / "banks"
SEEDS = ROOT.parent / "shared" / "seeds"
RUN = 8  # words in a row that may not be copied from a seed


def load(name: str) -> dict:
    return json.loads((BANKS / name).read_text(encoding="utf-8"))


V2 = ["llmops.v2.json", "delivery.v2.json"]


def questions(bank: dict) -> list[dict]:
    return [q for d in bank["dimensions"] for q in d["questions"]]


def words(text: str) -> list[str]:
    """Words as `\\w+`, lower-cased: punctuation and case do not hide a copied phrase."""
    return re.findall(r"\w+", text.lower())


def runs(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}


def texts(bank: dict):
    """(where, text) for every piece of prose a respondent or a roadmap reader sees."""
    yield "title", bank["title"]
    yield "description", bank.get("description", "")
    for level in bank["levels"]:
        yield f"levels[{level['number']}]", f"{level['name']}. {level.get('description', '')}"
    for d in bank["dimensions"]:
        yield f"{d['key']}.name", d["name"]
        yield f"{d['key']}.description", d.get("description", "")
        for q in d["questions"]:
            yield f"{q['code']}.text", q["text"]
            yield f"{q['code']}.help", q.get("help", "")
            for c in q["choices"]:
                yield f"{q['code']}.choices[level {c.get('level')}]", c["label"]
    for g in bank["guidance"]:
        yield f"guidance[{g['dimension']}, {g['question']}, level {g['level']}]", g["text"]


@pytest.mark.parametrize("name", V2)
def test_every_question_offers_one_answer_per_level_in_rising_order(name):
    bank = load(name)
    numbers = sorted(level["number"] for level in bank["levels"])
    assert bank["options_per_level"] is True and bank["allow_dont_know"] is True
    for q in questions(bank):
        assert [c["level"] for c in q["choices"]] == numbers, q["code"]
        assert [c["points"] for c in q["choices"]] == [n - 1 for n in numbers], q["code"]


@pytest.mark.parametrize("name", V2)
def test_guidance_covers_every_question_and_dimension_for_every_step_up(name):
    bank = load(name)
    targets = [level["number"] for level in bank["levels"]][1:]
    given = [(g["dimension"], g["question"], g["level"]) for g in bank["guidance"]]
    assert len(given) == len(set(given)), "one guidance text per target"
    wanted = {
        (d["key"], code, level)
        for d in bank["dimensions"]
        for code in [None, *(q["code"] for q in d["questions"])]
        for level in targets
    }
    assert set(given) == wanted
    assert all(len(g["text"].split()) >= 15 for g in bank["guidance"]), "specific enough to act on"


@pytest.mark.parametrize("name", V2)
def test_codes_are_unique_and_not_applicable_is_rare(name):
    bank = load(name)
    codes = [q["code"] for q in questions(bank)]
    assert len(codes) == len(set(codes))
    optional = [q for q in questions(bank) if "allow_na" in q]
    assert all(q["allow_na"] is True for q in optional)
    assert len(optional) <= 4
    # A respondent must be told when a practice counts as not applicable.
    assert all("Not applicable" in q["help"] for q in optional)


@pytest.mark.parametrize("name", V2)
def test_the_title_names_what_the_bank_is_based_on(name):
    assert "based on" in load(name)["title"]


def test_llmops_v2_keeps_microsofts_levels_and_bands_on_the_28_point_scale():
    v1, v2 = load("llmops.json"), load("llmops.v2.json")
    assert (v1["version"], v2["version"]) == (1, 2)
    assert v2["title"] == "LLMOps maturity assessment, based on Microsoft's LLMOps maturity model"
    assert v2["scale"] == 28
    assert v2["levels"] == v1["levels"]
    assert [(lv["name"], lv["min_score"]) for lv in v2["levels"]] == [
        ("Initial", 0),
        ("Defined", 10),
        ("Managed", 15),
        ("Optimized", 20),
    ]
    # History compares rounds across versions by dimension key.
    assert [d["key"] for d in v2["dimensions"]] == ["application", "operational"]
    assert 16 <= len(questions(v2)) <= 20
    assert all(len(q["choices"]) == 4 for q in questions(v2))
    # The description says which parts are Microsoft's and which are ours.
    assert "Microsoft's part" in v2["description"] and "Our part" in v2["description"]


def test_delivery_v2_keeps_its_levels_dimensions_and_scale():
    v1, v2 = load("delivery.json"), load("delivery.v2.json")
    assert v2["version"] == v1["version"] + 1
    assert v2["levels"] == v1["levels"]
    assert [d["key"] for d in v2["dimensions"]] == [d["key"] for d in v1["dimensions"]]
    v1_max = sum(max(c["points"] for c in q["choices"]) for q in questions(v1))
    assert v2["scale"] == v1_max


@pytest.mark.parametrize("name", V2)
def test_no_run_of_eight_words_is_copied_from_the_seed_texts(name):
    if not SEEDS.is_dir():
        pytest.skip(f"the seed texts are not at {SEEDS}")
    seed_runs = set()
    for path in sorted(SEEDS.iterdir()):
        seed_runs |= runs(path.read_text(encoding="utf-8"))
    assert seed_runs, f"no seed text found in {SEEDS}"
    copied = [
        f"{where}: {' '.join(run)}"
        for where, text in texts(load(name))
        for run in sorted(runs(text) & seed_runs)
    ]
    assert copied == []


def test_the_run_check_ignores_case_and_punctuation():
    assert runs("Prompt flow's batch-runs, (groundedness) & Relevance: are scored NOW!") == {
        ("prompt", "flow", "s", "batch", "runs", "groundedness", "relevance", "are"),
        ("flow", "s", "batch", "runs", "groundedness", "relevance", "are", "scored"),
        ("s", "batch", "runs", "groundedness", "relevance", "are", "scored", "now"),
    }
