"""`make test-hub`: the classroom on a real JupyterHub, as docs/teachers_guide.md sets it up.

The teacher's guide's section "A classroom hub on one machine" is read, not copied: its
jupyterhub_config.py (with this test's ports and temporary folders added after it), its
nbgitpuller links (the hub's address and the repository swapped for this machine's) and its
collect and grade commands. Then, on 127.0.0.1 only:

1. the course is served from a bare git repository made from this checkout (a file:// URL);
2. JupyterHub starts with configurable-http-proxy, the dummy authenticator and the simple
   spawner; its idle culler runs as the guide's service;
3. three students log in in headless Chromium (Playwright, as browser_tests/ do), follow the
   guide's link to lesson 00 and run it, then the link to exercise set 00: alice answers
   exercise 1 rightly, bob wrongly, carol not at all; each runs the checks and saves;
4. the teacher pushes a correction; alice follows the link again: the correction arrives and
   her answer is still there (nbgitpuller's merge);
5. the guide's collect command copies the notebooks from the homes into submissions/, and its
   grade command grades them: alice gets exercise 1's point, bob and carol do not.

Prints the timings (hub start, each student's spawn and runs). Exit code 0 when all held.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "teachers_guide.md"
SECTION = "## A classroom hub on one machine"
sys.path.insert(0, str(ROOT / "browser_tests"))  # the page helpers of the browser test

from balkan_course.grading.progress import Progress  # noqa: E402 (after the path above)

STUDENTS = ("alice", "bob", "carol")
EXERCISE = "00_start_here"
ANSWER_CELL, CHECK_CELL, CHECK_ID = "q1-answer", "q1-check", "00-columns"
WRONG_ANSWER = 'figures = troop_figures[["mission_id"]]  # only one of the columns\nfigures'
CORRECTION = "\nA correction pushed by the teacher after the first pull (make test-hub).\n"
LOOPBACK = ("127.0.0.1", "localhost")


# ---------------------------------------------------------------- the guide


def guide_section(guide: Path = GUIDE) -> str:
    text = guide.read_text(encoding="utf-8")
    return re.split(r"\n## ", text.split(f"\n{SECTION}\n", 1)[1], maxsplit=1)[0]


def guide_blocks(language: str, guide: Path = GUIDE) -> list[str]:
    """The fenced blocks of one language in the guide's hub section, in order."""
    return [text for lang, text in re.findall(r"```(\w*)\n(.*?)```", guide_section(guide),
                                              flags=re.S) if lang == language]


def guide_links(guide: Path = GUIDE) -> dict[str, str]:
    """{"lesson": link, "exercise": link}: the section's two nbgitpuller links."""
    links = [block.strip() for block in guide_blocks("text", guide) if "git-pull?" in block]
    found = {}
    for link in links:
        urlpath = parse_qs(urlsplit(link).query)["urlpath"][0]
        found["exercise" if "/exercises/" in urlpath else "lesson"] = link
    assert set(found) == {"lesson", "exercise"}, f"expected two links in the guide: {links}"
    return found


def local_link(link: str, hub_url: str, repo_url: str) -> str:
    """The guide's link on this machine: our hub, our repository; branch and urlpath as given."""
    parts = urlsplit(link)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["branch"] == "main", query
    query["repo"] = repo_url
    return f"{hub_url}{parts.path}?{urlencode(query, quote_via=quote)}"


def clone_path(link: str) -> str:
    """The notebook's path in the student's home, from the link's urlpath (lab/tree/...)."""
    urlpath = parse_qs(urlsplit(link).query)["urlpath"][0]
    assert urlpath.startswith("lab/tree/"), urlpath
    return urlpath[len("lab/tree/"):]


# ---------------------------------------------------------------- the course's repository


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def make_course_repository(folder: Path) -> Path:
    """A bare repository named like the real one (nbgitpuller clones into `notebooks/`),
    holding this checkout's committed files as branch main. Made from `git archive`, not by
    pushing, so that a shallow clone (as CI makes) works too."""
    bare, work = folder / "remote" / "notebooks", folder / "course_export"
    git("init", "--quiet", "--bare", str(bare))
    work.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(work, filter="data")
    git("init", "--quiet", cwd=work)
    git("add", "--all", cwd=work)
    git("-c", "user.name=Course", "-c", "user.email=course@example.edu", "commit", "--quiet",
        "-m", "The course", cwd=work)
    git("push", "--quiet", str(bare), "HEAD:refs/heads/main", cwd=work)
    shutil.rmtree(work)
    return bare


def push_correction(bare: Path, folder: Path) -> None:
    """The teacher corrects the README (a file no student edits) and pushes."""
    work = folder / "teacher_clone"
    git("clone", "--quiet", "--branch", "main", bare.as_uri(), str(work))
    with (work / "README.md").open("a", encoding="utf-8") as handle:
        handle.write(CORRECTION)
    git("-c", "user.name=Teacher", "-c", "user.email=teacher@example.edu", "commit",
        "--quiet", "-am", "A correction", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)


# ---------------------------------------------------------------- the hub


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proxy_command() -> str:
    """configurable-http-proxy: $CHP, else the Makefile's .venv/npm, else on PATH."""
    for candidate in (os.environ.get("CHP"),
                      ROOT / ".venv" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy",
                      shutil.which("configurable-http-proxy")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise SystemExit("configurable-http-proxy not found: run `make test-hub` (it installs it "
                     "into .venv/npm), or set CHP to its path")


def write_config(folder: Path, port: int, api_token: str, lab_settings: Path,
                 extra_args: tuple[str, ...] = ()) -> Path:
    """The guide's jupyterhub_config.py, then this machine's ports and temporary folders."""
    (config,) = guide_blocks("python")
    overrides = f'''
# ---- make test-hub: this machine's port and temporary folders (after the guide's config)
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]
c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / "homes" / "{username}")!r}
c.JupyterHub.cookie_secret_file = {str(folder / "cookie_secret")!r}
c.JupyterHub.db_url = {"sqlite:///" + str(folder / "jupyterhub.sqlite")!r}
c.JupyterHub.pid_file = {str(folder / "jupyterhub.pid")!r}
c.Spawner.args = [*c.Spawner.args, "--allow-root", "--LabApp.expose_app_in_browser=True",
                  "--LabApp.news_url=None", *{list(extra_args)!r}]
c.Spawner.environment = {{"JUPYTERLAB_SETTINGS_DIR": {str(lab_settings)!r}}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# The test's own token, with the admin role, for the REST API (as a teacher's would be).
c.JupyterHub.services = [*c.JupyterHub.services, {{"name": "check-hub",
                                                  "api_token": {api_token!r}}}]
c.JupyterHub.load_roles = [*c.JupyterHub.load_roles, {{"name": "admin",
                                                      "services": ["check-hub"]}}]
'''
    path = folder / "jupyterhub_config.py"
    path.write_text(config + overrides, encoding="utf-8")
    return path


def write_lab_settings(folder: Path) -> Path:
    """JupyterLab settings for the test: every cell in the DOM, no autosave, no pop-ups."""
    from conftest import write_lab_settings as browser_settings

    settings = folder / "lab_settings"
    browser_settings(settings)
    return settings


class Hub:
    """A running JupyterHub; stop() ends it and, through it, the students' servers."""

    def __init__(self, folder: Path, config: Path, port: int, api_token: str):
        self.url = f"http://127.0.0.1:{port}"
        self.api_token = api_token
        self.log = folder / "jupyterhub.log"
        bin_dir = str(Path(sys.executable).parent)  # jupyterhub-singleuser lives here
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")])))
        started = time.monotonic()
        with self.log.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=folder, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_until_up()
        self.start_seconds = time.monotonic() - started

    def wait_until_up(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"JupyterHub exited with code {self.process.returncode}:\n"
                                 f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"JupyterHub did not answer within {timeout} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        request = urllib.request.Request(
            f"{self.url}/hub/api{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self.api_token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops the servers and the proxy
            try:  # (JupyterHub 6.1 may linger after its "...done": not for long)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_hub(folder: Path, extra_args: tuple[str, ...] = ()) -> Hub:
    port, token = free_port(), secrets.token_hex(24)
    config = write_config(folder, port, token, write_lab_settings(folder), extra_args)
    return Hub(folder, config, port, token)


# ---------------------------------------------------------------- the students, in Chromium


def new_student_context(browser, blocked: list[str]):
    from jupyterlab_page import PAGE_HELPERS

    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    context.set_default_timeout(120_000)
    context.add_init_script(script=PAGE_HELPERS)

    def guard(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.fallback()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    return context


def log_in(page, hub_url: str, student: str, password: str) -> None:
    page.goto(f"{hub_url}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", student)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{student}/"), timeout=180_000)


def open_by_link(page, link: str, path: str, timeout_s: float = 180) -> None:
    """Follow an nbgitpuller link: the pull page, then JupyterLab on the notebook, kernel idle."""
    page.goto(link, wait_until="domcontentloaded")
    page.wait_for_function("path => window.__bt && window.__bt.findPanel(path)", arg=path,
                           polling=250, timeout=timeout_s * 1000)


def run_all(page, timeout_s: float = 300) -> float:
    started = time.monotonic()
    page.evaluate("ms => window.__bt.runAll(ms)", timeout_s * 1000)
    return time.monotonic() - started


def cells(page) -> list[dict]:
    return page.evaluate("() => window.__bt.cells()")


def unexpected_errors(page) -> list[str]:
    return [f"cell {c['index']} ({c['source']}): {c['errors']}" for c in cells(page)
            if c["errors"] and "raises-exception" not in c["tags"]]


def cell_text(page, cell_id: str) -> tuple[str, str]:
    """(source, printed text) of the open notebook's cell with that id."""
    return page.evaluate("""id => {
        const cell = window.__btPanel.content.widgets.find((c) => c.model.id === id);
        const outputs = cell.model.outputs.toJSON();
        return [cell.model.sharedModel.getSource(),
                outputs.map((o) => [].concat(o.text || (o.data || {})['text/plain'] || [])
                .join('')).join('')];
    }""", cell_id)


def answer(page, cell_id: str, source: str) -> None:
    """Type an answer into a cell, as the student would (through the notebook's model)."""
    page.evaluate("""([id, source]) => {
        const cell = window.__btPanel.content.widgets.find((c) => c.model.id === id);
        cell.model.sharedModel.setSource(source);
    }""", [cell_id, source])


def save(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.__btPanel.context.model.dirty", polling=250,
                           timeout=30_000)


def right_answer() -> str:
    """Exercise 1 as the solution answers it (the solution's own cell, markers removed)."""
    solution = json.loads((ROOT / "solutions" / f"{EXERCISE}.ipynb").read_text("utf-8"))
    cell = next(c for c in solution["cells"] if c.get("id") == ANSWER_CELL)
    source = "".join(cell["source"])
    source = re.sub(r"^# (BEGIN|END) SOLUTION\n?", "", source, flags=re.M)
    return "\n".join(line for line in source.splitlines() if not line.startswith("# STUB"))


def expect(condition: bool, message: str, problems: list[str]) -> None:
    print(("  ok: " if condition else "  FAILED: ") + message, flush=True)
    if not condition:
        problems.append(message)


def classroom(args, folder: Path, problems: list[str], progress: Progress) -> None:
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM_ARGS

    progress.start("starting the hub")
    bare = make_course_repository(folder)
    links = guide_links()
    (password,) = re.findall(r'DummyAuthenticator\.password = "([^"]+)"', guide_blocks("python")[0])
    hub = start_hub(folder)
    progress.done("starting the hub")
    print(f"hub up in {hub.start_seconds:.1f} s at {hub.url}", flush=True)
    try:
        services = hub.api("GET", "/services")
        expect("idle-culler" in services, "the guide's idle culler runs as a hub service",
               problems)
        lesson = local_link(links["lesson"], hub.url, bare.as_uri())
        exercise = local_link(links["exercise"], hub.url, bare.as_uri())
        answers = {"alice": right_answer(), "bob": WRONG_ANSWER, "carol": None}
        blocked: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, headless=True,
                                                 args=CHROMIUM_ARGS)
            pages = {}
            for student in args.students:
                progress.start(f"student {student}")
                print(f"{student}:", flush=True)
                context = new_student_context(browser, blocked)
                page = pages[student] = context.new_page()
                started = time.monotonic()
                log_in(page, hub.url, student, password)
                print(f"  logged in, server started in {time.monotonic() - started:.1f} s",
                      flush=True)
                started = time.monotonic()
                open_by_link(page, lesson, clone_path(links["lesson"]))
                print(f"  lesson 00 pulled and open in {time.monotonic() - started:.1f} s",
                      flush=True)
                seconds = run_all(page)
                errors = unexpected_errors(page)
                expect(not errors, f"lesson 00 ran in {seconds:.1f} s without an error "
                       f"{errors[:2]}", problems)
                open_by_link(page, exercise, clone_path(links["exercise"]))
                if answers.get(student) is not None:
                    answer(page, ANSWER_CELL, answers[student])
                seconds = run_all(page)
                _, said = cell_text(page, CHECK_CELL)
                wanted = {"alice": f"✅ {CHECK_ID}"}.get(student, f"❌ {CHECK_ID}")
                expect(wanted in said, f"exercise 00 ran in {seconds:.1f} s; its check says "
                       f"{said.strip()[:70]!r}", problems)
                save(page)
                progress.done(f"student {student}")
            progress.start("second pull")
            print("second pull:", flush=True)
            push_correction(bare, folder)
            page = pages[args.students[0]]
            open_by_link(page, exercise, clone_path(links["exercise"]))
            source, _ = cell_text(page, ANSWER_CELL)
            home = folder / "homes" / args.students[0]
            readme = (home / "notebooks" / "README.md").read_text(encoding="utf-8")
            expect(CORRECTION.strip() in readme, "the teacher's correction reached "
                   f"{args.students[0]}'s copy", problems)
            expect(source.strip() == answers[args.students[0]].strip(),
                   f"{args.students[0]}'s answer survived the second pull", problems)
            progress.done("second pull")
            browser.close()
        expect(not blocked, f"no request left loopback {blocked[:3]}", problems)
    finally:
        hub.stop()
    progress.start("collecting and grading")
    grade_the_class(folder, args.students, problems)
    progress.done("collecting and grading")


def guide_commands(folder: Path) -> list[str]:
    """The guide's collect and grade commands, with its paths mapped to this test's folder."""
    (block,) = guide_blocks("bash")
    text = block.replace("\\\n", " ").replace("/srv/classroom/homes", str(folder / "homes"))
    text = text.replace("python -m ", f"{sys.executable} -m ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def grade_the_class(folder: Path, students: tuple[str, ...], problems: list[str]) -> None:
    print("the teacher collects and grades:", flush=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    collect, grade = guide_commands(folder)
    done = subprocess.run(collect, shell=True, cwd=folder, env=env, capture_output=True,
                          text=True)
    print(done.stdout + done.stderr, flush=True)
    expect(done.returncode == 0 and all(f"{s}: copied" in done.stdout for s in students),
           "the guide's collect command copied every student's notebook", problems)
    started = time.monotonic()
    done = subprocess.run(grade, shell=True, cwd=folder, env=env, capture_output=True,
                          text=True)
    print(done.stdout + done.stderr[-2000:], flush=True)
    grades = folder / "grading_output" / "grades.csv"
    rows = {}
    if grades.exists():
        with grades.open(encoding="utf-8") as handle:
            rows = {row["student"]: row for row in csv.DictReader(handle)}
    points = {s: rows.get(s, {}).get(CHECK_ID) for s in students}
    expected = {s: ("1" if s == students[0] else "0") for s in students}
    expect(done.returncode == 0 and points == expected,
           f"the guide's grade command graded the class in {time.monotonic() - started:.1f} "
           f"s: {CHECK_ID} points {points}", problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                        help="Chromium executable (default /usr/bin/chromium; env CHROMIUM)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (homes, hub log, grades) and say where")
    args = parser.parse_args(argv)
    args.students = STUDENTS
    folder = Path(tempfile.mkdtemp(prefix="balkan-hub-"))
    problems: list[str] = []
    started = time.monotonic()
    try:
        # The hub, each student, the second pull, the collect and grade: minutes in all.
        with Progress("test-hub", total=len(args.students) + 3) as progress:
            classroom(args, folder, problems, progress)
    except BaseException as stopped:  # a step that timed out: keep the hub's log to read
        problems.append(f"stopped: {stopped!r}"[:300])
        raise
    finally:
        if args.keep or problems:
            print(f"files kept in {folder} (hub log: {folder / 'jupyterhub.log'})")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{'FAILED' if problems else 'passed'}: the classroom on a real JupyterHub "
          f"({time.monotonic() - started:.0f} s)")
    for problem in problems:
        print(f"  - {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
