"""The house's shape: no import runs from a lower layer to a higher one, no import circle,
and no file outside a model's own package names the model, but the few that must.

Layers, from the ground up: the ground (`mlflow_lab`'s own modules: params, entry, tracking...);
the model packages; the registry of entries (`mlflow_lab.entries`); the tools (`mlflow_lab.sweep`,
`.compare`, `.promote`, `.predict`, `.doctor`); the `databricks-jobs` backend
(`mlflow_lab.databricks_jobs`); and jobs/entry.py, the script a job runs. Imports are read with
`ast`, inside functions too (a deferred import is an arrow all the same).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mlflow_lab.entries import PACKAGES
from tests.processes import REPO

GROUND = "mlflow_lab"  # its modules that are not in a subpackage
TOOLS = {"mlflow_lab.sweep", "mlflow_lab.compare", "mlflow_lab.promote", "mlflow_lab.predict",
         "mlflow_lab.doctor"}
LAYERS = [{GROUND}, set(PACKAGES), {"mlflow_lab.entries"}, TOOLS, {"mlflow_lab.databricks_jobs"}]
FIRST_PARTY = set().union(*LAYERS)
ALLOWED_TO_NAME_A_MODEL = {"MLproject", "databricks.yml", "mlflow_lab/entries/__init__.py"}
NOT_CODE = {"tests", "docs", "benchmarks", ".git", ".venv", ".ci"}  # measured per model, or prose


def unit_of(module: str) -> str | None:
    """The layered unit a dotted module name belongs to: a model, a subpackage of mlflow_lab, or
    the ground; None for what is not first-party."""
    parts = module.split(".")
    if parts[0] in PACKAGES:
        return parts[0]
    if parts[0] != GROUND:
        return None
    sub = ".".join(parts[:2])
    return sub if sub in FIRST_PARTY else GROUND


def layer_of(unit: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if unit in layer)


def imports(path: Path) -> set[str]:
    """The first-party units a module imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {unit_of(name) for name in found} - {None}


def modules(unit: str) -> list[Path]:
    """The files of a unit: a package's tree, or for the ground mlflow_lab's own top-level modules."""
    if unit == GROUND:
        return sorted((REPO / GROUND).glob("*.py"))
    return sorted((REPO / unit.replace(".", "/")).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FIRST_PARTY))
def test_no_import_runs_back_up(package):
    upward = {f"{path.relative_to(REPO)} imports {other}" for path in modules(package)
              for other in imports(path) if layer_of(other) > layer_of(package)}
    assert not upward


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_a_model_imports_no_other_model(package):
    assert not {f"{path.relative_to(REPO)} imports {other}" for path in modules(package)
                for other in imports(path) if other in PACKAGES and other != package}


def test_no_import_circle_between_modules():
    """Module-level graph (deferred imports included): no module reaches itself."""
    names = {".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): path
             for package in FIRST_PARTY for path in modules(package)}
    graph = {}
    for name, path in names.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in names else node.module
                            for a in node.names}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
        graph[name] = {t for t in targets if t in names and t != name}
    cycles = [name for name in graph if reaches(graph, name)]
    assert not cycles


def reaches(graph: dict[str, set[str]], start: str) -> bool:
    seen, frontier = set(), list(graph[start])
    while frontier:
        node = frontier.pop()
        if node == start:
            return True
        if node not in seen:
            seen.add(node)
            frontier.extend(graph.get(node, ()))
    return False


def code_files() -> list[Path]:
    """The project's files (tracked, or new and not ignored), but tests, docs and benchmarks."""
    import subprocess

    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True, text=True).stdout.splitlines()
    return [REPO / name for name in listed if not NOT_CODE & set(Path(name).parts)
            and Path(name).suffix not in {".md", ".png"} and (REPO / name).is_file()]


@pytest.mark.parametrize("model", sorted(PACKAGES))
def test_only_the_registry_and_the_models_own_files_name_it(model):
    allowed = ALLOWED_TO_NAME_A_MODEL | {f"jobs/notebooks/{model}.py"}
    naming = {str(path.relative_to(REPO)) for path in code_files()
              if re.search(rf"\b{model}\b", path.read_text(errors="replace"))
              and path.relative_to(REPO).parts[0] != model}
    assert naming <= allowed, sorted(naming - allowed)
