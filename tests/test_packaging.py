"""The wheel carries the ontology, shapes, data and queries, and the installed tool finds them."""

import ast
import re
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("ontology", "shapes", "data", "queries")


def _imported_modules(folder: Path) -> set[str]:
    modules: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_every_package_the_code_imports_is_a_declared_dependency() -> None:
    declared = _requirement_names(
        tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    )
    distributions = packages_distributions()
    third_party = _imported_modules(REPO_ROOT / "src") - set(sys.stdlib_module_names) - {"csei_graph"}
    undeclared = {
        module
        for module in third_party
        if not declared & _requirement_names(distributions.get(module, [module]))
    }
    # jinja2 brings markupsafe, which the templates' escaping is made of.
    assert undeclared - {"markupsafe"} == set()


@pytest.fixture(scope="module")
def wheel(built_wheel: Path) -> Path:
    return built_wheel


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS)
def test_wheel_carries_every_resource_file(wheel: Path, folder: str) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"csei_graph/resources/{folder}/{p.relative_to(REPO_ROOT / folder).as_posix()}"
        for p in (REPO_ROOT / folder).rglob("*")
        if p.is_file()
    }
    assert expected, f"{folder}/ is empty"
    assert expected <= names


@pytest.mark.slow
def test_wheel_declares_the_console_script(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
    assert "csei = csei_graph.cli:main" in archive.read(entry_points).decode()
