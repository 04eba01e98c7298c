"""A small, complete bank in the interchange format, independent of the shipped content."""

import copy


def small_bank(slug: str = "mini", version: int = 1) -> dict:
    """Two dimensions of two questions, choices 0/1/2: max total 8, four levels."""
    levels = [
        {"number": 1, "name": "Initial", "description": "Starting out.", "min_score": 0},
        {"number": 2, "name": "Defined", "description": "Some practice.", "min_score": 3},
        {"number": 3, "name": "Managed", "description": "Solid practice.", "min_score": 5},
        {"number": 4, "name": "Optimized", "description": "Leading practice.", "min_score": 7},
    ]

    def question(code, text):
        return {
            "code": code,
            "text": text,
            "help": f"Help for {code}.",
            "weight": 1,
            "choices": [
                {"label": f"{code}: nothing in place", "points": 0},
                {"label": f"{code}: done by hand", "points": 1},
                {"label": f"{code}: automated and reviewed", "points": 2},
            ],
        }

    dimensions = [
        {
            "key": "build",
            "name": "Build",
            "description": "How the thing is built.",
            "questions": [
                question("B-1", "How do you test?"),
                question("B-2", "How do you review?"),
            ],
        },
        {
            "key": "run",
            "name": "Run",
            "description": "How the thing runs.",
            "questions": [
                question("R-1", "How do you deploy?"),
                question("R-2", "How do you monitor?"),
            ],
        },
    ]
    guidance = [
        {
            "dimension": d["key"],
            "question": None,
            "level": n,
            "text": f"Reach level {n} in {d['name']}.",
        }
        for d in dimensions
        for n in (2, 3, 4)
    ] + [
        {
            "dimension": d["key"],
            "question": q["code"],
            "level": 2,
            "text": f"Next step for {q['code']}.",
        }
        for d in dimensions
        for q in d["questions"]
    ]
    return copy.deepcopy(
        {
            "slug": slug,
            "version": version,
            "title": f"Mini bank ({slug})",
            "description": "A bank for tests.",
            "levels": levels,
            "dimensions": dimensions,
            "guidance": guidance,
        }
    )
