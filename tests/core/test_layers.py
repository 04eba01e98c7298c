"""The apps form layers (STYLE.md rule 15): no import circle between apps, and `apps/core`, the
bottom layer, imports no feature app. Every import counts, also one inside a function: a late
import hides a circle from Python, not from the reader."""

import ast
import itertools
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FEATURE_APPS = {
    "accounts",
    "organizations",
    "sso",
    "surveys",
    "scoring",
    "plans",
    "reports",
    "demo",
}

# Circles not broken yet: none. A circle not listed fails; a listed one that is gone fails too.
KNOWN_CIRCLES: set[str] = set()


def layer_of(module: str) -> str | None:
    """The app (or "config") a dotted module name belongs to; None outside the project."""
    parts = module.split(".")
    if parts[0] == "apps" and len(parts) > 1:
        return parts[1]
    return "config" if parts[0] == "config" else None


def imported_modules(node: ast.AST, package: list[str]) -> list[str]:
    """The dotted names an import statement reads (`from apps import x` reads apps.x)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = package[: len(package) - node.level + 1] if node.level else []
    stem = ".".join([*base, *([node.module] if node.module else [])])
    return [stem] + [f"{stem}.{alias.name}" for alias in node.names]


def import_edges(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """{(importing app, imported app): ["apps/x/y.py:12 imports apps.z.w", ...]}."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted([*root.glob("apps/**/*.py"), *root.glob("config/**/*.py")]):
        relative = path.relative_to(root)
        parts = list(relative.with_suffix("").parts)
        source = layer_of(".".join(parts))
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: dict[str, str] = {}  # one site per statement and imported app
            for module in imported_modules(node, package=parts[:-1]):
                targets.setdefault(layer_of(module), module)
            for target, module in targets.items():
                if target and target != source:
                    edges[source, target].append(f"{relative}:{node.lineno} imports {module}")
    return edges


def circles(edges) -> list[list[str]]:
    """Each import circle, as the apps it passes through: for every import A -> B, the
    shortest chain of imports from B back to A closes one."""
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)

    def shortest_path(start, goal):
        paths, todo = {start: [start]}, [start]
        for app in todo:
            for nxt in sorted(graph[app] - paths.keys()):
                paths[nxt] = [*paths[app], nxt]
                todo.append(nxt)
        return paths.get(goal)

    found = set()
    for source, target in edges:
        back = shortest_path(target, source)
        if back:
            ring = [source, *back[:-1]]
            first = ring.index(min(ring))
            found.add(tuple(ring[first:] + ring[:first]))
    return sorted([*ring, ring[0]] for ring in found)


def violations(edges, shown: int = 3, known=frozenset()) -> list[str]:
    found = []
    for circle in circles(edges):
        if " -> ".join(circle) in known:
            continue
        found.append(f"import circle: {' -> '.join(circle)}")
        for source, target in itertools.pairwise(circle):
            sites = edges[source, target]
            more = [f"        (and {len(sites) - shown} more)"] if len(sites) > shown else []
            found += [f"        {site}" for site in sites[:shown]] + more
    for (source, target), sites in sorted(edges.items()):
        if source == "core" and target in FEATURE_APPS:
            found += [f"core imports the feature app {target}: {site}" for site in sites]
    return found


def test_apps_import_in_one_direction_and_core_imports_no_feature_app():
    found = violations(import_edges(), known=KNOWN_CIRCLES)
    assert not found, "\n".join(["Layering violations:", *found])


def test_every_known_circle_still_exists():
    gone = KNOWN_CIRCLES - {" -> ".join(circle) for circle in circles(import_edges())}
    assert not gone, f"No longer a circle, remove from KNOWN_CIRCLES: {sorted(gone)}"


def test_the_check_finds_a_circle_through_a_late_import_and_core_reaching_up(tmp_path):
    files = {
        "apps/core/helpers.py": "def f():\n    from apps.surveys.models import Round\n",
        "apps/surveys/models.py": "from apps.scoring import services\n",
        "apps/scoring/services.py": "from ..surveys import models\n",
        "apps/scoring/views.py": "from apps.core import helpers\n",
        "config/urls.py": "import apps.scoring.views\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = violations(import_edges(tmp_path))
    assert found == [
        "import circle: core -> surveys -> scoring -> core",
        "        apps/core/helpers.py:2 imports apps.surveys.models",
        "        apps/surveys/models.py:1 imports apps.scoring",
        "        apps/scoring/views.py:1 imports apps.core",
        "import circle: scoring -> surveys -> scoring",
        "        apps/scoring/services.py:1 imports apps.surveys",
        "        apps/surveys/models.py:1 imports apps.scoring",
        "core imports the feature app surveys: apps/core/helpers.py:2 imports apps.surveys.models",
    ]
