"""A small v2-style bank in the interchange format: options tied to levels, N/A, a scale."""

import copy

LEVELS = [
    {"number": 1, "name": "Initial", "description": "Starting out.", "min_score": 0},
    {"number": 2, "name": "Defined", "description": "Some practice.", "min_score": 10},
    {"number": 3, "name": "Managed", "description": "Solid practice.", "min_score": 15},
    {"number": 4, "name": "Optimized", "description": "Leading practice.", "min_score": 20},
]


def _question(code: str, text: str, *, allow_na: bool = False) -> dict:
    question = {
        "code": code,
        "text": text,
        "help": f"Help for {code}.",
        "weight": 1,
        "choices": [
            {"label": f"{code}: {level['name'].lower()} practice", "points": n, "level": n + 1}
            for n, level in enumerate(LEVELS)
        ],
    }
    if allow_na:
        question["allow_na"] = True
    return question


def v2_bank(slug: str = "mini2", version: int = 1) -> dict:
    """Two dimensions of three questions, options worth 0-3 for levels 1-4 (max total 18),
    shown on a scale of 28 with the LLMOps bounds 0/10/15/20; E-3 and O-3 offer N/A, and
    "I don't know" is on (the default, so the key is absent)."""
    dimensions = [
        {
            "key": "evaluate",
            "name": "Evaluate",
            "description": "How models are evaluated.",
            "questions": [
                _question("E-1", "How do you evaluate prompts?"),
                _question("E-2", "How do you track experiments?"),
                _question("E-3", "How do you evaluate fine-tuned models?", allow_na=True),
            ],
        },
        {
            "key": "operate",
            "name": "Operate",
            "description": "How models run in production.",
            "questions": [
                _question("O-1", "How do you deploy?"),
                _question("O-2", "How do you monitor?"),
                _question("O-3", "How do you serve your own models?", allow_na=True),
            ],
        },
    ]
    guidance = [
        {"dimension": d["key"], "question": None, "level": n, "text": f"Reach {n} in {d['name']}."}
        for d in dimensions
        for n in (2, 3, 4)
    ]
    return copy.deepcopy(
        {
            "slug": slug,
            "version": version,
            "title": f"Mini v2 bank ({slug})",
            "description": "A v2-style bank for tests.",
            "scale": 28,
            "options_per_level": True,
            "levels": LEVELS,
            "dimensions": dimensions,
            "guidance": guidance,
        }
    )
