"""scripts/copy_check.py, run the way docs/teachers_guide.md ("Adding a new article") gives it.

A clone holds no article texts: the teacher puts them in article_texts/ (git ignores it) and runs
`python3 scripts/copy_check.py`. These tests build such a clone-like folder, copy nine words of an
article into a course file and expect the run to be reported with its place and exit status 1;
reworded, the check prints 0 and exits 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "copy_check.py"
GUIDE = ROOT / "docs" / "teachers_guide.md"
# The collection's texts sit beside the repository in the project's own checkout; elsewhere a
# teacher names them with $COPY_CHECK_SOURCES, and without them the last test is skipped.
SHARED_SOURCES = Path(os.environ.get("COPY_CHECK_SOURCES", ROOT.parent / "shared" / "sources"))

ARTICLE = ("Peacekeepers from several countries patrolled the valley road every night while the "
           "talks in the capital went on for weeks without any result.\n")
COPIED = "In short, the talks in the capital went on for weeks, the report says.\n"  # 9 words
REWORDED = "The report says the negotiations dragged on for weeks and settled nothing.\n"


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """The command of the guide's step, from the course folder."""
    return subprocess.run([sys.executable, "scripts/copy_check.py", *args], cwd=folder,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A folder laid out like a fresh clone, with one article text in article_texts/."""
    folder = tmp_path / "course"
    (folder / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, folder / "scripts" / "copy_check.py")
    shutil.copy(ROOT / ".gitignore", folder / ".gitignore")
    (folder / "data").mkdir()
    (folder / "data" / "README.md").write_text("Facts in our own words.\n", encoding="utf-8")
    (folder / "article_texts").mkdir()
    (folder / "article_texts" / "005_new_article.txt").write_text(ARTICLE, encoding="utf-8")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


def test_the_guide_gives_the_command_and_the_folder_git_ignores():
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide.split("## Adding a new article")[1].split("\n## ")[0]
    assert "python3 scripts/copy_check.py" in section
    assert "article_texts/" in section
    assert "../shared" not in section  # a clone has no such folder
    assert "/article_texts/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_nine_copied_words_are_reported_with_their_place_and_exit_1(clone):
    (clone / "data" / "notes.md").write_text("# Notes\n\n" + COPIED, encoding="utf-8")
    result = run(clone)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("data/notes.md (line 3): 9 words from 005_new_article.txt: 'the talks "
                        "in the capital went on for weeks'")
    assert lines[-1] == "copy check: 1 run(s) of 9 or more words repeated from 1 article text(s)"


def test_a_copied_run_in_a_notebook_cell_is_reported_with_the_cell(clone):
    notebook = ('{"cells": [{"cell_type": "markdown", "source": ["Intro\\n"]}, '
                '{"cell_type": "code", "source": ["x = 1\\n"], "outputs": [{"output_type": '
                f'"stream", "text": ["{COPIED.strip()}"]}}]}}]}}')
    (clone / "lesson.ipynb").write_text(notebook, encoding="utf-8")
    result = run(clone)
    assert result.returncode == 1
    assert result.stdout.startswith("lesson.ipynb (cell 1 output, line 1): 9 words")


def test_reworded_text_passes_with_0(clone):
    (clone / "data" / "notes.md").write_text("# Notes\n\n" + REWORDED, encoding="utf-8")
    result = run(clone)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [
        "copy check: 0 run(s) of 9 or more words repeated from 1 article text(s)"]


def test_eight_copied_words_pass_by_default_and_fail_with_words_8(clone):
    eight = "Our note: talks in the capital went on for weeks, it seems.\n"
    (clone / "notes.md").write_text(eight, encoding="utf-8")
    assert run(clone).returncode == 0
    stricter = run(clone, "--words", "8")
    assert stricter.returncode == 1
    assert "8 words from 005_new_article.txt" in stricter.stdout


def test_the_article_folder_itself_and_a_cited_title_do_not_count(clone):
    (clone / "data" / "sources.csv").write_text(
        "source_id,title\nnew_2026,Peacekeepers from several countries patrolled the valley road "
        "every night\n", encoding="utf-8")
    assert run(clone).returncode == 0  # the title row is the only repeat, and may be cited


def test_no_article_texts_is_an_error_not_a_pass(clone):
    shutil.rmtree(clone / "article_texts")
    result = run(clone)
    assert result.returncode == 2
    assert "no article texts" in result.stderr
    assert run(clone, "--help").returncode == 0


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="the collection's article texts are not "
                    "beside the repository (set $COPY_CHECK_SOURCES to their folder)")
def test_the_course_repeats_no_run_from_the_five_articles():
    result = subprocess.run([sys.executable, str(SCRIPT), "--sources", str(SHARED_SOURCES)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.stdout.splitlines()[-1].startswith("copy check: 0 run(s) of 9 or more words"), \
        result.stdout
    assert result.returncode == 0
