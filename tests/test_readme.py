"""The README promises what the repository delivers: commands, links, lessons and pictures."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_pictures_are_the_lessons_real_charts():
    images = load_script("render_readme_images")
    for image, (notebook, cell_id) in images.README_IMAGES.items():
        assert image in README, f"README does not show {image}"
        stored = images.stored_png(ROOT / notebook, cell_id)
        assert (ROOT / image).read_bytes() == stored, f"{image} is stale: run `make readme-images`"


def test_every_picture_and_local_link_in_the_readme_exists():
    targets = re.findall(r"\]\(([^)\s]+)\)", README)
    local = [t for t in targets if not t.startswith(("http", "#", "mailto:"))]
    assert local, "README links nothing in the repository"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README links files that do not exist: {missing}"


def test_binder_links_open_existing_notebooks_in_jupyterlab():
    targets = re.findall(r"mybinder\.org/v2/gh/[^)\s`]+\?urlpath=lab/tree/([^)\s`]+)", README)
    assert targets, "README has no Binder link that opens JupyterLab"
    for target in targets:
        assert (ROOT / target).is_file(), f"Binder link opens {target}, which does not exist"
    assert "notebooks/00_start_here.ipynb" in targets[0], "the badge should open lesson 00"


def test_lesson_table_lists_every_lesson_and_its_exercises():
    table = README.split("<!-- lesson-table:start -->")[1].split("<!-- lesson-table:end -->")[0]
    for lesson in sorted(ROOT.glob("notebooks/*.ipynb")):
        assert f"(notebooks/{lesson.name})" in table, f"README's lesson table misses {lesson.name}"
        if (ROOT / "exercises" / lesson.name).exists():
            assert f"(exercises/{lesson.name})" in table, f"no exercise link for {lesson.name}"


def test_the_two_commands_exist_and_ci_runs_the_test_command_verbatim():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in ("make lab", "make test"):
        assert f"{command} " in README or f"{command}\n" in README, f"README lacks `{command}`"
        assert re.search(rf"^{command.split()[1]}:", makefile, re.M), f"no `{command}` target"
    ci_commands = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()
                   if line.strip() and not line.startswith("#") and not line.startswith("set ")
                   and not line.startswith("cd ")]
    assert ci_commands[0] == "make test", f".ci/run should start with `make test`: {ci_commands}"
    # After the suite, only the routes a user takes, tried from outside pytest.
    assert set(ci_commands) <= {"make test", "make test-binder", "make test-lab",
                                "make test-browser", "make test-hub"}, ci_commands
