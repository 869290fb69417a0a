"""The package's layers: every file imports only files below it, and no import goes round.

The rule is the table in docs/grading.md ("Architecture"), read from there, so the page and the
code cannot drift apart. Imports are read with ast from the whole file, those inside functions
included (that is where the circles hid: each command line's main() imported the pipeline
back). An import made from a string at run time (importlib.import_module) cannot be read; the
package keeps those to grade.import_everything_used_after_the_kernels, which imports downward.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "balkan_course"
ARCHITECTURE = ROOT / "docs" / "grading.md"
ROW = re.compile(r"^\|\s*(?P<layer>[^|]+?)\s*\|\s*(?P<files>`.*`)\s*\|\s*$")


def layers_on_the_page(text: str) -> list[tuple[str, list[str]]]:
    """(layer, its files highest first) from top to bottom, as the architecture table says."""
    start, end = text.index("<!-- layers:start -->"), text.index("<!-- layers:end -->")
    rows = [ROW.match(line) for line in text[start:end].splitlines()]
    return [(row["layer"], re.findall(r"`([^`]+)`", row["files"])) for row in rows if row]


def module_name(package: Path, path: Path) -> str:
    """balkan_course/grading/checks.py -> balkan_course.grading.checks (a package's
    __init__.py is the package)."""
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(package: Path) -> dict[str, Path]:
    return {module_name(package, path): path for path in sorted(package.rglob("*.py"))}


def imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    """The package's modules a file imports, anywhere in it (top level, functions, classes):
    `import a.b`, `from a import b` (module b, else package a), relative imports."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in known else base)
    return {name for name in found if name in known and name != module}


def import_graph(package: Path) -> dict[str, set[str]]:
    modules = modules_of(package)
    return {name: imports_of(path, name, set(modules)) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), plus self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward_imports(graph: dict[str, set[str]], order: list[str]) -> list[str]:
    """Every import of a module at the same height or above, as `a imports b (above it)`."""
    height = {name: position for position, name in enumerate(order)}
    return [f"{name} imports {other}, which is not below it"
            for name in order for other in sorted(graph.get(name, ()))
            if height.get(other, -1) <= height[name]]


def page_order(package: Path, text: str) -> list[str]:
    """Every module named on the page, highest first."""
    return [module_name(package, package / file) for _, files in layers_on_the_page(text)
            for file in files]


# ---------------------------------------------------------------- the course's package


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE)


@pytest.fixture(scope="module")
def order() -> list[str]:
    return page_order(PACKAGE, ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_page_names_every_file_once(graph, order):
    assert len(order) == len(set(order)), "a file is named twice in docs/grading.md"
    assert set(order) == set(graph), (
        f"files missing from the architecture table: {sorted(set(graph) - set(order))}; "
        f"named but not in the package: {sorted(set(order) - set(graph))}")


def test_every_file_imports_only_files_below_it(graph, order):
    assert upward_imports(graph, order) == []


def test_no_import_goes_round(graph):
    assert circles(graph) == []


def test_the_grader_sits_above_the_lesson_helpers(graph, order):
    """The lessons never import the grader (a lesson must run without it)."""
    lessons = [name for name in graph if not name.startswith("balkan_course.grading")]
    assert all(not other.startswith("balkan_course.grading")
               for name in lessons for other in graph[name])
    assert max(order.index(name) for name in graph if name.startswith("balkan_course.grading")
               ) < min(order.index(name) for name in lessons)


# ---------------------------------------------------------------- the reader itself


def tiny_package(folder: Path, files: dict[str, str]) -> Path:
    package = folder / "pkg"
    for name, source in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(textwrap.dedent(source), encoding="utf-8")
    return package


def test_imports_inside_functions_and_relative_imports_are_read(tmp_path):
    package = tiny_package(tmp_path, {
        "low.py": "VALUE = 1\n",
        "mid.py": "from . import low\n",
        "top.py": "import os\n\ndef main():\n    from pkg.mid import low as _\n"
                  "    import pkg.low\n",
        "sub/__init__.py": "",
        "sub/deep.py": "from ..low import VALUE\n",
    })
    graph = import_graph(package)
    assert graph["pkg.top"] == {"pkg.mid", "pkg.low"}
    assert graph["pkg.mid"] == {"pkg.low"}
    assert graph["pkg.sub.deep"] == {"pkg.low"}
    assert graph["pkg.low"] == set()


def test_a_circle_hidden_in_a_function_and_an_upward_import_are_found(tmp_path):
    """The shape issue 22 found: a pipeline, and a front door whose main() imports it back."""
    package = tiny_package(tmp_path, {
        "pipeline.py": "from pkg import report\n",
        "report.py": "def main():\n    from pkg.pipeline import run\n",
    })
    graph = import_graph(package)
    assert circles(graph) == [["pkg.pipeline", "pkg.report"]]
    assert upward_imports(graph, ["pkg.pipeline", "pkg.report", "pkg"]) == [
        "pkg.report imports pkg.pipeline, which is not below it"]
    fixed = {"pkg.pipeline": {"pkg.report"}, "pkg.report": set(), "pkg": set()}
    assert circles(fixed) == [] and upward_imports(fixed, list(fixed)) == []


def test_the_table_is_read_row_by_row():
    page = ("text\n<!-- layers:start -->\n| layer | files (highest first) |\n|---|---|\n"
            "| top | `a.py`, `b/c.py` |\n| bottom | `__init__.py` |\n<!-- layers:end -->\n")
    assert layers_on_the_page(page) == [("top", ["a.py", "b/c.py"]),
                                       ("bottom", ["__init__.py"])]
    assert page_order(Path("/x/pkg"), page) == ["pkg.a", "pkg.b.c", "pkg"]


# ---------------------------------------------------------------- what a student's kernel loads


JUDGING = ("budget", "canonical", "keys", "hints", "judge", "hidden_data", "recording")


def loaded_after(code: str) -> set[str]:
    """The grader's modules a fresh interpreter holds after running `code`."""
    probe = code + "\nimport sys\nprint(' '.join(m for m in sys.modules " \
                   "if m.startswith('balkan_course.grading.')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    return {name.rpartition(".")[2] for name in out.split()}


def test_the_students_import_loads_checks_alone():
    loaded = loaded_after("from balkan_course.grading.checks import check, show_progress")
    assert loaded == {"checks"}


def test_the_authors_names_still_come_from_checks_and_load_their_roles():
    loaded = loaded_after("from balkan_course.grading.checks import wrong_answers, hidden_rows, "
                          "judge, make_key, KEYS_DIR, RECORD_ENV")
    assert loaded >= {"checks", *JUDGING}
    with pytest.raises(ImportError):
        exec("from balkan_course.grading.checks import no_such_name", {})  # noqa: S102
