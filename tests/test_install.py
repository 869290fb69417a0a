"""The routes into the course (make, Binder, a JupyterHub) install and find it the standard way.

The end-to-end proofs run outside pytest, because pytest itself puts the repository on the
path: `make test-binder` (scripts/check_binder_route.py) and `make test-lab`
(scripts/check_make_lab.py). These tests guard the pieces those routes rely on.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from balkan_course import data

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


binder_route = load_script("check_binder_route")


# ---------------------------------------------------------------- the package


def test_pyproject_builds_the_package_with_its_answer_keys():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["balkan_course*"]
    patterns = project["tool"]["setuptools"]["package-data"]["balkan_course.grading"]
    keys = [p for pattern in patterns for p in (ROOT / "balkan_course" / "grading").glob(pattern)]
    assert len(keys) == len(list((ROOT / "solutions").glob("*.ipynb")))


def test_make_installs_the_package_and_writes_no_path_file():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --no-deps -e ." in makefile
    assert ".pth" not in makefile.replace("# ", "")


def test_post_build_is_executable_and_installs_the_repository():
    mode = subprocess.run(["git", "ls-files", "-s", "postBuild"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.split()[0]
    assert mode == "100755", "repo2docker runs ./postBuild: it must be committed executable"
    lines = [line.strip() for line in (ROOT / "postBuild").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert "python -m pip install --no-deps --no-cache-dir -e ." in lines
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), \
        "a binder/ folder would make repo2docker ignore the top-level environment.yml"


def test_the_package_is_installed_not_merely_on_the_path():
    """Outside the repository (no pytest, no cwd on sys.path) Python still finds it."""
    done = subprocess.run(
        [sys.executable, "-c", "import balkan_course, sys; print(balkan_course.DATA_DIR)"],
        cwd="/", capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT / "data"


# ---------------------------------------------------------------- finding data/


def course_copy(tmp_path: Path) -> Path:
    """A minimal copy of the course: data/datapackage.json with the course's name."""
    (tmp_path / "course" / "data").mkdir(parents=True)
    (tmp_path / "course" / "notebooks").mkdir()
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    (tmp_path / "course" / "data" / "datapackage.json").write_text(
        json.dumps({"name": package["name"]}), encoding="utf-8")
    return tmp_path / "course"


def test_data_is_found_from_the_notebook_folder_of_another_copy(tmp_path, monkeypatch):
    """A hub that installed the package from one copy serves notebooks pulled into another."""
    monkeypatch.delenv(data.DATA_DIR_VARIABLE, raising=False)
    copy = course_copy(tmp_path)
    assert data.find_data_dir(copy / "notebooks") == copy / "data"


def test_data_beside_the_package_when_the_notebook_is_elsewhere(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_DIR_VARIABLE, raising=False)
    assert data.find_data_dir(tmp_path) == ROOT / "data"


def test_a_foreign_data_folder_is_not_taken_for_the_course(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_DIR_VARIABLE, raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "datapackage.json").write_text('{"name": "other"}', encoding="utf-8")
    assert data.find_data_dir(tmp_path) == ROOT / "data"


def test_the_environment_variable_wins_and_a_wrong_one_is_named(tmp_path, monkeypatch):
    copy = course_copy(tmp_path)
    monkeypatch.setenv(data.DATA_DIR_VARIABLE, str(copy / "data"))
    assert data.find_data_dir(ROOT / "notebooks") == copy / "data"
    monkeypatch.setenv(data.DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=data.DATA_DIR_VARIABLE):
        data.find_data_dir()


# ------------------------------------------------------- environment.yml, as Binder reads it


def test_binder_reads_the_python_pin_and_the_pip_list_from_environment_yml():
    pin, pip_lines = binder_route.pip_requirements(ROOT / "environment.yml")
    assert pin == "3.11"
    assert "pandas==3.1.1" in pip_lines and "jupyterlab==4.6.6" in pip_lines
    assert binder_route.python_matches(pin) == (sys.version_info[:2] == (3, 11))


@pytest.mark.parametrize("text, problem", [
    ("dependencies:\n  - python=3.11\n  - numpy\n  - pip:\n      - pandas\n", "numpy"),
    ("dependencies:\n  - pip\n  - pip:\n      - pandas\n", "no python=X.Y pin"),
    ("dependencies:\n  - python=3.11\n  - pip\n", "no pip: list"),
])
def test_binder_check_refuses_what_it_cannot_reproduce(tmp_path, text, problem):
    environment = tmp_path / "environment.yml"
    environment.write_text(text, encoding="utf-8")
    with pytest.raises(binder_route.RouteError, match=problem):
        binder_route.pip_requirements(environment)


def test_binder_check_reads_binder_folder_first(tmp_path):
    assert binder_route.binder_folder(tmp_path) == tmp_path
    (tmp_path / "binder").mkdir()
    assert binder_route.binder_folder(tmp_path) == tmp_path / "binder"


def test_binder_check_reports_an_error_output_but_not_an_expected_one(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("1/0", metadata={"tags": ["raises-exception"]}, outputs=[
            nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                   traceback=[])]),
    ])
    path = tmp_path / "run.ipynb"
    nbformat.write(notebook, path)
    assert binder_route.errors_in(path) == ""
    notebook.cells[0].metadata["tags"] = []
    nbformat.write(notebook, path)
    assert binder_route.errors_in(path) == "ZeroDivisionError: division by zero"


# ---------------------------------------------------------------- nbclient's stall


def captures_output_in_a_widget(source: str) -> bool:
    return any(pattern in source for pattern in
               ("widgets.Output(", "interactive_output(", "@interact", "interact(", ".capture("))


@pytest.mark.parametrize("folder", ["notebooks", "solutions", "exercises"])
def test_no_notebook_captures_output_in_an_output_widget(folder):
    """`jupyter nbconvert --execute` (nbclient) sends the Output widget's updates on the shell
    channel while it waits there for the cell's reply, and now and then misses that reply until
    the cell timeout (benchmarks/bench_nbclient_stall.py: 6 stalls in 20 runs of lesson 00's
    old widget cell, 0 in 20 with the JupyterChart pattern). Widgets here update a JupyterChart
    or an HTML widget instead."""
    offenders = [
        f"{path.name} cell {cell.get('id')}"
        for path in sorted((ROOT / folder).glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code" and captures_output_in_a_widget(cell.source)
    ]
    assert offenders == []
