"""Fixtures for the browser test: a throw-away JupyterLab server and a headless Chromium.

JupyterLab runs from this project's environment (the Python running pytest) on a free
loopback port, with its own temporary configuration, on a temporary COPY of the notebooks:
nothing the test does is ever written back to the repository. Chromium is Debian's
(/usr/bin/chromium, or $CHROMIUM), driven by Playwright; every request that would leave
the loopback interface is aborted and recorded, so a test passes only if nothing comes
from a CDN or anywhere else on the internet.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("notebooks", "exercises")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Flags known to work for headless Chromium in a container without internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Second lock on the door: no host name but localhost resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
# JupyterLab user settings for the test: all cells in the DOM, nothing saved, no pop-ups.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
        "scrollPastEnd": False,
    },
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
SERVER_START_TIMEOUT = 90  # seconds


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("browser", "notebooks in JupyterLab, in headless Chromium")
    group.addoption(
        "--notebook-root",
        default=os.environ.get("BROWSER_TEST_ROOT", str(REPO)),
        help="folder holding notebooks/ and exercises/ (default: the repository; "
        "env BROWSER_TEST_ROOT)",
    )
    group.addoption(
        "--chromium",
        default=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        help="Chromium executable (default /usr/bin/chromium; env CHROMIUM)",
    )
    group.addoption(
        "--screenshot-dir",
        default=str(REPO / "browser_tests" / "screenshots"),
        help="where one full-page screenshot per notebook is written",
    )
    group.addoption(
        "--run-timeout",
        type=float,
        default=300.0,
        help="seconds allowed for running all cells of one notebook (default 300)",
    )


def notebook_root(config: pytest.Config) -> Path:
    return Path(config.getoption("--notebook-root")).resolve()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per notebook found when the tests are collected: new lessons need no code."""
    if "notebook" not in metafunc.fixturenames:
        return
    root = notebook_root(metafunc.config)
    found = sorted(p for folder in NOTEBOOK_DIRS for p in (root / folder).glob("*.ipynb"))
    metafunc.parametrize("notebook", found, ids=[p.relative_to(root).as_posix() for p in found])


# --- timings, printed at the end of the run -------------------------------------------------

# notebook -> seconds per phase (open, run, draw, widget, screenshot)
_TIMINGS: dict[str, dict[str, float]] = {}
_SESSION_START = time.perf_counter()


@pytest.fixture(scope="session")
def timings() -> dict[str, dict[str, float]]:
    return _TIMINGS


def pytest_terminal_summary(terminalreporter) -> None:
    if not _TIMINGS:
        return
    terminalreporter.section("time per notebook in JupyterLab")
    for name, phases in _TIMINGS.items():
        detail = ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in phases.items())
        terminalreporter.write_line(f"{sum(phases.values()):7.1f} s  {name}  ({detail})")
    notebooks = sum(sum(phases.values()) for phases in _TIMINGS.values())
    total = time.perf_counter() - _SESSION_START
    terminalreporter.write_line(
        f"{notebooks:7.1f} s  all {len(_TIMINGS)} notebooks; {total:.1f} s in total "
        "(with pytest, JupyterLab and Chromium start-up)"
    )


# --- the JupyterLab server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_workspace(root: Path, target: Path) -> Path:
    """A copy of the notebooks (and the files next to them) for JupyterLab to work on."""
    skip = shutil.ignore_patterns(
        ".git", ".venv", "browser_tests", "__pycache__", ".ipynb_checkpoints", "*.pyc"
    )
    shutil.copytree(root, target, ignore=skip)
    return target


def write_lab_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


class Lab:
    """A running JupyterLab: its address, token and the workspace it serves."""

    def __init__(self, base_url: str, token: str, workspace: Path, log: Path):
        self.base_url = base_url
        self.token = token
        self.workspace = workspace
        self.log = log

    def url(self, notebook: str) -> str:
        # `reset` starts from an empty layout instead of re-opening the previous notebook.
        return f"{self.base_url}/lab/tree/{notebook}?reset&token={self.token}"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def wait_for_server(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            pytest.fail(f"JupyterLab exited with code {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer on {url} within {SERVER_START_TIMEOUT} s")


@pytest.fixture(scope="session")
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Start JupyterLab once for the session, from this environment, on a free port."""
    root = notebook_root(request.config)
    home = tmp_path_factory.mktemp("jupyter")
    workspace = copy_workspace(root, home / "workspace")
    write_lab_settings(home / "settings")
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),  # no personal jupyter_*_config files
        JUPYTER_DATA_DIR=str(home / "data"),  # no personal kernels or extensions
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),  # no personal start-up scripts
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    )
    port = free_port()
    token = secrets.token_hex(16)
    log = home / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False", "--allow-root",
        f"--ServerApp.root_dir={workspace}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    with log.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            command, cwd=workspace, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(process, f"{base_url}/api/status?token={token}", log)
        yield Lab(base_url, token, workspace, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the browser ---------------------------------------------------------------------------


class BlockedRequests(list):
    """URLs the browser tried to reach outside loopback (all of them were aborted)."""


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.exit(
            "Playwright is not installed: run 'make test-browser' (or "
            ".venv/bin/pip install -r requirements-browser.txt)",
            returncode=2,
        )
    chromium = request.config.getoption("--chromium")
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        pytest.exit(
            f"Chromium not found at {chromium}: run scripts/ensure_chromium.sh "
            "(or set CHROMIUM to a Chromium/Chrome executable)",
            returncode=2,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def blocked_requests() -> BlockedRequests:
    return BlockedRequests()


@pytest.fixture(scope="session")
def browser_context(browser, blocked_requests: BlockedRequests):
    """One browser profile for all notebooks; anything leaving loopback is aborted."""
    from jupyterlab_page import PAGE_HELPERS

    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(60_000)
    context.add_init_script(script=PAGE_HELPERS)

    def guard(route):
        url = route.request.url
        if is_loopback(url):
            route.fallback()
        else:
            blocked_requests.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)

    def watch_websocket(websocket):
        if not is_loopback(websocket.url):
            blocked_requests.append(websocket.url)

    context.on("page", lambda page: page.on("websocket", watch_websocket))
    yield context
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(request: pytest.FixtureRequest) -> Path:
    path = Path(request.config.getoption("--screenshot-dir"))
    path.mkdir(parents=True, exist_ok=True)
    return path
