"""No test imports from another test module (STYLE.md rule 17): what tests share lives in
tests/scenarios.py, tests/factories.py and tests/support/, so that moving or deleting one test
module never breaks another. Every import counts, also one inside a function."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(node: ast.AST, package: list[str]) -> list[str]:
    """The dotted names an import statement reads (`from tests.x import test_y` reads
    tests.x.test_y, since a name imported from a package may be a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = package[: len(package) - node.level + 1] if node.level else []
    stem = ".".join([*base, *([node.module] if node.module else [])])
    return [stem] + [f"{stem}.{alias.name}" for alias in node.names]


def is_test_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and any(part.startswith("test_") for part in parts[1:])


def imports_of_test_modules(root: Path = ROOT) -> list[str]:
    """Each import of a test module by a module under tests/: "tests/a/b.py:3 imports ..."."""
    found = []
    for path in sorted((root / "tests").rglob("*.py")):
        relative = path.relative_to(root)
        package = list(relative.with_suffix("").parts)[:-1]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            for module in imported_modules(node, package):
                if is_test_module(module):
                    found.append(f"{relative}:{node.lineno} imports {module}")
                    break
    return found


def test_no_test_module_imports_another():
    found = imports_of_test_modules()
    assert not found, "\n".join(
        ["Import from tests/scenarios.py, tests/factories.py or tests/support/ instead:", *found]
    )


def test_the_check_finds_absolute_relative_and_late_imports_of_test_modules(tmp_path):
    files = {
        "tests/scenarios.py": "from tests.factories import RoundFactory\n",
        "tests/support/downloads.py": "import csv\n",
        "tests/scoring/test_a.py": "from tests.scoring.test_b import helper\n",
        "tests/scoring/test_b.py": "from tests.scenarios import invite\nfrom . import test_a\n",
        "tests/reports/test_c.py": "def f():\n    import tests.scoring.test_a\n",
        "tests/reports/test_d.py": "from ..scoring import test_b\nfrom .. import support\n",
        "tests/reports/test_e.py": "from tests import scenarios\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert imports_of_test_modules(tmp_path) == [
        "tests/reports/test_c.py:2 imports tests.scoring.test_a",
        "tests/reports/test_d.py:1 imports tests.scoring.test_b",
        "tests/scoring/test_a.py:1 imports tests.scoring.test_b",
        "tests/scoring/test_b.py:2 imports tests.scoring.test_a",
    ]
