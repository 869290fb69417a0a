"""The Windows/Anaconda route (docs/windows_anaconda.md) names the same commands as the
Makefile's targets, postBuild's install line and environment.yml's name, so they cannot drift."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "windows_anaconda.md"
# Make variables that may be empty or are set for `make` only: the doc may leave them out.
OPTIONAL = {"$(LAB_FLAGS)", "$(GRADE_ARGS)", "--port=$(PORT)"}
TARGETS = ("lab", "test", "grade", "import-submissions", "export-grades", "release",
           "exercises")


def make_recipes() -> dict[str, list[str]]:
    """Each target's recipe lines, continuation lines joined, comments and `@test` dropped."""
    recipes: dict[str, list[str]] = {}
    target = None
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if line.startswith("\t") and target:
            command = line.strip()
            if not command.startswith(("@", "#")):
                recipes[target].append(command)
        elif re.match(r"^[\w.-]+:", line) and ":=" not in line and "?=" not in line:
            target = line.split(":")[0]
            recipes[target] = []
        elif line and not line.startswith("\t"):
            target = None
    return recipes


def without_conditionals(command: str) -> str:
    """Drop `$(if ...)` parts (options added only when a variable is set), nesting included."""
    while "$(if " in command:
        start = command.index("$(if ")
        depth, end = 0, start + 1
        for end in range(start + 1, len(command)):
            depth += {"(": 1, ")": -1}.get(command[end], 0)
            if depth == 0:
                break
        command = command[:start] + command[end + 1:]
    return command


def make_tokens(command: str) -> list[str]:
    command = without_conditionals(command).replace("$(BIN)/", "")
    return [t for t in shlex.split(command) if t not in OPTIONAL]


def matches(make_command: str, doc_command: str) -> bool:
    """The doc's command is the Makefile's, a make variable standing for any one value."""
    theirs, ours = make_tokens(make_command), shlex.split(doc_command)
    if len(theirs) != len(ours):
        return False
    pairs = zip(theirs, ours, strict=True)
    return all(t == o or re.fullmatch(r'"?\$\(\w+\)"?', t) for t, o in pairs)


def doc_commands() -> list[str]:
    blocks = re.findall(r"```(?:bat|bash|sh)?\n(.*?)```", DOC.read_text(encoding="utf-8"),
                        flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_makefile_is_read():
    recipes = make_recipes()
    assert set(TARGETS) <= set(recipes)
    assert any("balkan_course.grading " in c for c in recipes["grade"])
    assert make_tokens(recipes["test"][-1])[:3] == ["python", "-m", "pytest"]


@pytest.mark.parametrize("target", TARGETS)
def test_each_make_target_has_its_command_in_the_doc(target):
    recipe = [c for c in make_recipes()[target] if "python" in c or "jupyter" in c][-1]
    found = [c for c in doc_commands() if matches(recipe, c)]
    assert found, f"docs/windows_anaconda.md lacks `make {target}`'s command: {recipe}"


def test_a_drifted_command_does_not_match():
    grade = next(c for c in make_recipes()["grade"] if "balkan_course.grading" in c)
    assert matches(grade, "python -m balkan_course.grading subs --out out --workers 2")
    assert not matches(grade, "python -m balkan_course.grading subs --out out")
    assert not matches(grade, "python -m balkan_course.grade subs --out out --workers 2")
    test = make_recipes()["test"][-1]
    assert not matches(test, "python -m pytest -n 2 --nbval tests notebooks solutions")


def test_postbuild_line_and_environment_name_are_in_the_doc():
    lines = [line.strip() for line in (ROOT / "postBuild").read_text().splitlines()]
    installs = [line for line in lines if line and not line.startswith("#")
                and not line.startswith("set ")]
    assert installs and all("pip install" in line for line in installs)
    name = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["name"]
    commands = doc_commands()
    for line in installs:
        assert line in commands, f"postBuild's line is not in the doc: {line}"
    assert "conda env create -f environment.yml" in commands
    assert f"conda activate {name}" in commands
    assert f"`{name}`" in DOC.read_text(encoding="utf-8")  # Navigator's list shows the name


def test_the_route_is_linked_from_the_guide_and_the_readme():
    for page in (ROOT / "README.md", ROOT / "docs" / "teachers_guide.md"):
        assert "windows_anaconda.md" in page.read_text(encoding="utf-8"), page.name
