"""`python -m balkan_course.grading.collect`: students' notebooks from their hub homes into the
grader's layout, one report line per student; nothing fatal, nothing overwritten silently."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from balkan_course.grading import collect

ROOT = Path(__file__).resolve().parent.parent
PATTERN = "notebooks/exercises/00_*.ipynb"
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def home_with(homes: Path, student: str, files: dict[str, str | bytes]) -> Path:
    home = homes / student
    home.mkdir(parents=True)
    for relative, content in files.items():
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return home


def by_student(lines) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in lines:
        found.setdefault(line.student, []).append(line.outcome)
    return found


def test_a_class_is_collected_with_a_line_per_student(tmp_path):
    homes, into = tmp_path / "homes", tmp_path / "submissions"
    home_with(homes, "alice", {"notebooks/exercises/00_start_here.ipynb": NOTEBOOK,
                               "notebooks/exercises/.ipynb_checkpoints/"
                               "00_start_here-checkpoint.ipynb": "old"})
    home_with(homes, "bob", {"notebooks/README.md": "no exercise opened"})
    home_with(homes, "carol", {"notebooks/exercises/00_start_here.ipynb": b"{half a not"})
    dave = home_with(homes, "dave", {})
    (dave / "notebooks" / "exercises").mkdir(parents=True)
    (dave / "notebooks" / "exercises" / "00_start_here.ipynb").symlink_to("/etc/passwd")

    lines = collect.collect(homes, [PATTERN], into)

    assert by_student(lines) == {"alice": ["copied"], "bob": ["missing"], "carol": ["copied"],
                                 "dave": ["refused"]}
    assert (into / "alice" / "00_start_here.ipynb").read_text() == NOTEBOOK
    assert not (into / "alice" / "00_start_here-checkpoint.ipynb").exists()
    carol = next(line for line in lines if line.student == "carol")
    assert "not valid notebook JSON" in carol.note  # copied: the grader gives it its row
    assert not (into / "bob").exists() and not (into / "dave").exists()


def test_an_unreadable_notebook_is_reported_and_the_others_collected(tmp_path, monkeypatch):
    homes, into = tmp_path / "homes", tmp_path / "submissions"
    for student in ("alice", "bob"):
        home_with(homes, student, {"notebooks/exercises/00_start_here.ipynb": NOTEBOOK})
    real = collect.read_capped

    def denied_for_alice(path):
        if "alice" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path)

    monkeypatch.setattr(collect, "read_capped", denied_for_alice)
    lines = collect.collect(homes, [PATTERN], into)
    assert [(line.student, line.outcome, line.note) for line in lines] == [
        ("alice", "unreadable", "Permission denied"), ("bob", "copied", "")]


def test_nothing_is_overwritten_silently(tmp_path):
    homes, into = tmp_path / "homes", tmp_path / "submissions"
    home = home_with(homes, "alice", {"notebooks/exercises/00_start_here.ipynb": NOTEBOOK})
    assert by_student(collect.collect(homes, [PATTERN], into)) == {"alice": ["copied"]}
    assert by_student(collect.collect(homes, [PATTERN], into)) == {"alice": ["unchanged"]}

    changed = NOTEBOOK.replace('"cells": []', '"cells": [{"cell_type": "raw", "source": ""}]')
    (home / "notebooks/exercises/00_start_here.ipynb").write_text(changed)
    lines = collect.collect(homes, [PATTERN], into)
    assert by_student(lines) == {"alice": ["kept"]} and "--overwrite" in lines[0].note
    assert (into / "alice" / "00_start_here.ipynb").read_text() == NOTEBOOK

    assert by_student(collect.collect(homes, [PATTERN], into, overwrite=True)) == {
        "alice": ["replaced"]}
    assert (into / "alice" / "00_start_here.ipynb").read_text() == changed


def test_the_command_reports_and_refuses_patterns_outside_the_home(tmp_path):
    homes, into = tmp_path / "homes", tmp_path / "submissions"
    home_with(homes, "alice", {"notebooks/exercises/00_start_here.ipynb": NOTEBOOK})
    home_with(homes, "bob", {})
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "balkan_course.grading.collect", "--homes", str(homes),
               "--into", str(into), "--notebooks"]
    done = subprocess.run([*command, PATTERN], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "alice: copied notebooks/exercises/00_start_here.ipynb" in done.stdout
    assert "bob: missing notebooks/exercises/00_*.ipynb" in done.stdout
    assert "2 student(s): 1 copied, 1 missing" in done.stdout

    outside = subprocess.run([*command, "../alice/*.ipynb"], capture_output=True, text=True,
                             env=env)
    assert outside.returncode == 2 and "inside the home folder" in outside.stderr
    assert subprocess.run([*command[:-1], "--help"], capture_output=True, env=env).returncode == 0


# ---------------------------------------------------------------- the teacher's guide's hub steps


def hub_steps():
    sys.path.insert(0, str(ROOT / "scripts"))
    import check_hub  # what `make test-hub` reads from the guide

    return check_hub


def test_the_guides_collect_command_collects_a_hub_class(tmp_path):
    """The guide's own command (as `make test-hub` runs it), here on homes laid out as
    nbgitpuller leaves them, without a hub: `make test` keeps the guide from drifting too."""
    homes = tmp_path / "homes"  # the guide's /srv/classroom/homes
    home_with(homes, "alice", {"notebooks/exercises/00_start_here.ipynb": NOTEBOOK})
    home_with(homes, "bob", {"notebooks/notebooks/00_start_here.ipynb": NOTEBOOK})
    collect_command, grade_command = hub_steps().guide_commands(tmp_path)
    assert "balkan_course.grading.collect" in collect_command
    assert grade_command.endswith("-m balkan_course.grading submissions --out grading_output")
    done = subprocess.run(collect_command, shell=True, cwd=tmp_path, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    assert "alice: copied" in done.stdout and "bob: missing" in done.stdout
    assert (tmp_path / "submissions" / "alice" / "00_start_here.ipynb").exists()


def test_every_nbgitpuller_link_in_the_guide_opens_a_notebook_of_the_course():
    from urllib.parse import parse_qs, urlsplit

    guide = (ROOT / "docs" / "teachers_guide.md").read_text(encoding="utf-8")
    links = re.findall(r"https://\S+/hub/user-redirect/git-pull\?\S+", guide)
    assert len(links) >= 3
    for link in links:
        query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        assert query["repo"] == "https://github.com/balkan-security-course/notebooks"
        assert query["branch"] == "main"
        clone, _, path = hub_steps().clone_path(link).partition("/")
        assert clone == "notebooks", link  # nbgitpuller's folder: the repository's name
        assert (ROOT / path).is_file(), link
    assert set(hub_steps().guide_links()) == {"lesson", "exercise"}
