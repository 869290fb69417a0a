"""Build the course the way Binder (repo2docker) does, without Docker, and run every notebook.

    python scripts/check_binder_route.py [--repo PATH] [--keep] [--workers N]
    (what `make test-binder` and CI run; it needs the package registry, as Binder's build does)

repo2docker's conda route, reproduced step by step:
1. copy the repository's files (tracked, plus new files not ignored by git), as Binder copies a
   clone of the repository into the image: nothing that only `make` writes (.venv, a .pth file)
   comes along;
2. build a fresh environment from environment.yml alone: its Python pin must match the Python
   running this script, its only conda packages may be python and pip, and its pip list is
   installed as written (parsed from environment.yml, not taken from requirements.txt);
3. run postBuild as repo2docker does, from the repository's top folder (or binder/ or .binder/
   when such a folder exists, since repo2docker then ignores the top-level files), with the new
   environment first on PATH: `chmod +x postBuild && ./postBuild`;
4. execute every lesson, exercise and solution with `jupyter nbconvert --execute`, the command a
   teacher types, each with its own folder as working directory, a clean HOME, no PYTHONPATH and
   no pytest around it. A notebook passes when it runs to the end without an error outside the
   cells tagged `raises-exception`.
5. (the JupyterHub route, unless --no-hub) reinstall the package the way a hub image would,
   `pip install --no-deps .` (not editable), then run the 00 lesson, exercise and solution from
   a second copy, as nbgitpuller would pull it into a student's home: the notebooks must use
   the installed package and the data of the copy they sit in.
It prints each step's time and exits 1 naming every notebook that failed, with its error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from balkan_course.grading.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_FOLDERS = ("notebooks", "exercises", "solutions")
CONDA_PACKAGES_WE_CAN_REPRODUCE = {"python", "pip"}
CELL_TIMEOUT_S = 120


class RouteError(RuntimeError):
    """The Binder route is broken (or cannot be reproduced without Docker)."""


def pip_requirements(environment_file: Path) -> tuple[str, list[str]]:
    """(Python version pin, pip requirement lines) read from an environment.yml."""
    spec = yaml.safe_load(environment_file.read_text(encoding="utf-8"))
    python_pin, pip_lines = None, None
    for entry in spec.get("dependencies", []):
        if isinstance(entry, dict) and "pip" in entry:
            pip_lines = [str(line) for line in entry["pip"]]
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(?:=+\s*([0-9.*]+))?", str(entry).strip())
        if not match:
            raise RouteError(f"{environment_file}: cannot read the conda dependency {entry!r}")
        name, version = match.group(1), match.group(2)
        if name not in CONDA_PACKAGES_WE_CAN_REPRODUCE:
            raise RouteError(f"{environment_file}: conda package {name!r} cannot be reproduced "
                             "without conda; list it under pip: instead")
        if name == "python":
            python_pin = version
    if not python_pin:
        raise RouteError(f"{environment_file}: no python=X.Y pin (repo2docker would pick an old "
                         "default Python)")
    if pip_lines is None:
        raise RouteError(f"{environment_file}: no pip: list")
    return python_pin, pip_lines


def python_matches(pin: str) -> bool:
    running = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    return running == pin or running.startswith(pin.rstrip(".*") + ".")


def copy_repository(repo: Path, target: Path) -> None:
    """The files a clone would hold: tracked ones and new ones that git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = repo / name
        if not source.exists():  # deleted in the working tree, not yet committed
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination, follow_symlinks=False)


def binder_folder(repo: Path) -> Path:
    """Where repo2docker reads its files from: binder/ or .binder/ if present, else the top."""
    for name in ("binder", ".binder"):
        if (repo / name).is_dir():
            return repo / name
    return repo


def clean_environment(env_dir: Path, home: Path) -> dict[str, str]:
    """Environment variables of a Binder user session: our env first on PATH, nothing else."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("LANG", "LC_ALL", "TERM", "TMPDIR", "http_proxy", "https_proxy",
                     "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "PIP_INDEX_URL")}
    return {**keep,
            "PATH": f"{env_dir / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(home),
            # pip's cache outside the throwaway HOME: a re-run does not download again.
            "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR",
                                            str(Path.home() / ".cache" / "pip")),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def build_environment(repo: Path, env_dir: Path, env: dict[str, str]) -> None:
    python_pin, pip_lines = pip_requirements(binder_folder(repo) / "environment.yml")
    if not python_matches(python_pin):
        raise RouteError(f"environment.yml pins python={python_pin}, but this check runs on "
                         f"{sys.version.split()[0]}: run it with that Python")
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    requirements = env_dir / "environment-pip.txt"
    requirements.write_text("\n".join(pip_lines) + "\n", encoding="utf-8")
    run_step(["python", "-m", "pip", "install", "--quiet", "-r", str(requirements)],
             repo, env, "installing environment.yml's pip list")


def run_post_build(repo: Path, env: dict[str, str]) -> bool:
    """repo2docker's `chmod +x postBuild && ./postBuild`; False when there is none."""
    post_build = binder_folder(repo) / "postBuild"
    if not post_build.exists():
        return False
    relative = post_build.relative_to(repo)
    run_step(["bash", "-c", f"chmod +x {relative} && ./{relative}"], repo, env, "postBuild")
    return True


def run_step(command: list[str], cwd: Path, env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RouteError(f"{what} failed (exit {done.returncode}):\n"
                         f"{(done.stdout + done.stderr)[-3000:]}")


def execute_notebook(notebook: Path, env: dict[str, str], out_dir: Path) -> tuple[float, str]:
    """Run one notebook with nbconvert in its own folder; (seconds, problem or '')."""
    output = out_dir / f"{notebook.parent.name}__{notebook.name}"
    started = time.monotonic()
    done = subprocess.run(
        ["jupyter", "nbconvert", "--to", "notebook", "--execute", notebook.name,
         "--output", str(output), f"--ExecutePreprocessor.timeout={CELL_TIMEOUT_S}"],
        cwd=notebook.parent, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode:
        return seconds, last_error_lines(done.stderr)
    problem = errors_in(output)
    return seconds, problem


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def last_error_lines(stderr: str) -> str:
    """The exception line of nbconvert's report (without colours), else its last lines."""
    lines = [line for line in ANSI_ESCAPE.sub("", stderr).splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^\w*(Error|Exception)\b", line)]
    return (errors[-1] if errors else "\n".join(lines[-5:]))[:500]


def errors_in(executed: Path) -> str:
    """An error output outside a cell tagged raises-exception, as text ('' when none)."""
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {output.get('evalue')}"[:500]
    return ""


def run_notebooks(notebooks: list[Path], env: dict[str, str], out_dir: Path, workers: int,
                  relative_to: Path) -> int:
    """Execute notebooks a few at a time; print one line each; return how many failed."""
    def run(notebook: Path) -> tuple[float, str]:
        name = str(notebook.relative_to(relative_to))
        progress.start(name)
        seconds, problem = execute_notebook(notebook, env, out_dir)
        progress.done(name, "FAIL" if problem else "")
        return seconds, problem

    with Progress("notebooks", total=len(notebooks)) as progress, \
            concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(notebooks, pool.map(run, notebooks), strict=True))
    for notebook, (seconds, problem) in results.items():
        print(f"   {'FAIL' if problem else 'ok  '} {notebook.relative_to(relative_to)} "
              f"({seconds:.1f} s){': ' + problem if problem else ''}", flush=True)
    return sum(1 for _, problem in results.values() if problem)


def check_hub_route(copy: Path, work: Path, env: dict[str, str], out_dir: Path) -> int:
    """The package installed as a hub image installs it; notebooks from another copy."""
    run_step(["python", "-m", "pip", "uninstall", "--yes", "balkan-course"], copy, env,
             "removing the editable install")
    run_step(["python", "-m", "pip", "install", "--quiet", "--no-deps", "."], copy, env,
             "pip install --no-deps . (as a hub image would)")
    pulled = work / "home-of-a-student" / "notebooks"
    shutil.copytree(copy, pulled, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    probe = subprocess.run(
        ["python", "-c", "import balkan_course as b; print(b.__file__); print(b.DATA_DIR)"],
        cwd=pulled / "notebooks", env=env, capture_output=True, text=True)
    lines = probe.stdout.split()
    if probe.returncode or "site-packages" not in lines[0] or \
            Path(lines[1]) != (pulled / "data").resolve():
        raise RouteError(f"hub route: the installed package or the pulled data was not used: "
                         f"{probe.stdout.strip()} {probe.stderr.strip()[-500:]}")
    chosen = [pulled / folder / name for folder in NOTEBOOK_FOLDERS
              for name in sorted(p.name for p in (pulled / folder).glob("00_*.ipynb"))]
    return run_notebooks(chosen, env, out_dir, 2, pulled)


def notebooks_in(repo: Path) -> list[Path]:
    return [path for folder in NOTEBOOK_FOLDERS for path in sorted((repo / folder).glob("*.ipynb"))]


def check_route(repo: Path, workers: int, keep: bool, hub: bool, only: str = "") -> int:
    work = Path(tempfile.mkdtemp(prefix="binder-route-"))
    copy, env_dir, home, out_dir = work / "repo", work / "env", work / "home", work / "executed"
    for folder in (copy, home, out_dir):
        folder.mkdir()
    env = clean_environment(env_dir, home)
    try:
        # The build's steps (installing the pip list is most of it), then the notebooks.
        with Progress("build like Binder", total=3) as progress:
            timer = time.monotonic()
            progress.start("copying the repository")
            copy_repository(repo, copy)
            progress.done("copying the repository")
            print(f"1. copied the repository's files: {time.monotonic() - timer:.1f} s")
            timer = time.monotonic()
            progress.start("installing environment.yml's pip list")
            build_environment(copy, env_dir, env)
            progress.done("installing environment.yml's pip list")
            print(f"2. environment from environment.yml: {time.monotonic() - timer:.1f} s")
            timer = time.monotonic()
            progress.start("postBuild")
            ran = run_post_build(copy, env)
            progress.done("postBuild")
            print(f"3. postBuild: {'ran' if ran else 'NONE (repo2docker would run nothing)'}, "
                  f"{time.monotonic() - timer:.1f} s")
        notebooks = [nb for nb in notebooks_in(copy) if only in nb.name]
        if not notebooks:
            raise RouteError("no notebooks found")
        timer = time.monotonic()
        failed = run_notebooks(notebooks, env, out_dir, workers, copy)
        print(f"4. {len(notebooks)} notebooks executed with nbconvert in their own folders: "
              f"{time.monotonic() - timer:.1f} s ({workers} at a time)")
        if failed:
            print(f"Binder route BROKEN: {failed} of {len(notebooks)} notebooks failed")
            return 1
        print("Binder route works: every notebook ran in an environment built like Binder's")
        if hub:
            timer = time.monotonic()
            failed = check_hub_route(copy, work, env, out_dir)
            print(f"5. hub route (package installed, notebooks pulled elsewhere): "
                  f"{time.monotonic() - timer:.1f} s")
            if failed:
                print(f"JupyterHub route BROKEN: {failed} notebook(s) failed")
                return 1
            print("JupyterHub route works")
        return 0
    except RouteError as problem:
        print(f"Binder route BROKEN: {problem}")
        return 1
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository to check")
    parser.add_argument("--workers", type=int, default=2, help="notebooks run at a time")
    parser.add_argument("--keep", action="store_true", help="keep the built environment")
    parser.add_argument("--no-hub", action="store_true", help="skip the JupyterHub route")
    parser.add_argument("--only", default="", help="only notebooks whose name contains this")
    args = parser.parse_args(argv)
    started = time.monotonic()
    code = check_route(args.repo.resolve(), args.workers, args.keep, not args.no_hub, args.only)
    print(f"total: {time.monotonic() - started:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
