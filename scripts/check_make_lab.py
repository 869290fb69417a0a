"""Does the README's `make lab` really start JupyterLab and serve lesson 00? And stop cleanly?

    python scripts/check_make_lab.py [--port 8899]      (what `make test-lab` and CI run)

Starts `make lab PORT=...` exactly as a teacher would (with a token set through JUPYTER_TOKEN
and BROWSER=true so that no browser window is opened), then, as a browser would:
1. GET /lab/tree/notebooks/00_start_here.ipynb          -> 200, JupyterLab's page;
2. GET /api/contents/notebooks/00_start_here.ipynb      -> 200, the notebook itself;
3. starts a kernel session for that notebook and runs the lesson's import cell's first line
   in it over the kernel's websocket: the kernel must start in notebooks/ and import
   balkan_course (the import that failed on Binder before the package was installed);
4. POST /api/shutdown: the server must exit by itself within 20 s, `make` with status 0,
   leaving no kernel process behind.
Prints each step's time; exits 1 naming the step that failed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import websocket

ROOT = Path(__file__).resolve().parent.parent
LESSON = "notebooks/00_start_here.ipynb"
PROBE = ("import os, balkan_course; "
         "print(os.path.basename(os.getcwd()), balkan_course.DATA_DIR.name)")


class LabError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url: str, token: str, method: str = "GET", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {token}",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        raise LabError(f"{method} {url.split('?')[0]} gave {refused.code}") from refused


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def first_page(base: str, token: str) -> str:
    """Where the server sends a browser that opens its address (its default URL)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(urllib.request.Request(f"{base}/?token={token}"), timeout=30)
    except urllib.error.HTTPError as redirect:
        if redirect.code in (301, 302, 303, 307):
            return redirect.headers["Location"].split("?")[0]
        raise LabError(f"GET / gave {redirect.code}") from redirect
    raise LabError("GET / did not redirect to a page")


def wait_until_up(base: str, token: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LabError(f"`make lab` exited with status {process.returncode} before serving")
        try:
            if request(f"{base}/api/status", token)[0] == 200:
                return
        except (LabError, urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise LabError(f"JupyterLab did not answer within {seconds:.0f} s")


def run_in_kernel(base: str, token: str, kernel_id: str, code: str) -> str:
    """Execute code in a running kernel through the server's websocket; return its stdout."""
    ws_url = base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels?token={token}"
    connection = websocket.create_connection(ws_url, timeout=60)
    msg_id = uuid.uuid4().hex
    connection.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "check",
                   "session": uuid.uuid4().hex, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    stdout, error = [], None
    try:
        while True:
            message = json.loads(connection.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "stream":
                stdout.append(message["content"]["text"])
            elif kind == "error":
                error = f"{message['content']['ename']}: {message['content']['evalue']}"
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                break
    finally:
        connection.close()
    if error:
        raise LabError(f"the lesson's import failed in JupyterLab's kernel: {error}")
    return "".join(stdout).strip()


def check_lab(port: int) -> None:
    token = secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, JUPYTER_TOKEN=token, BROWSER="true")
    env.pop("PYTHONPATH", None)
    started = time.monotonic()
    process = subprocess.Popen(["make", "lab", f"PORT={port}"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        wait_until_up(base, token, process, seconds=120)
        print(f"started: JupyterLab answers after {time.monotonic() - started:.1f} s")
        landing = first_page(base, token)
        if not landing.endswith(f"/lab/tree/{LESSON}"):
            raise LabError(f"GET / leads to {landing!r}, not to lesson 00")
        print(f"1. GET /: redirects to {landing}")
        status, page = request(f"{base}/lab/tree/{LESSON}", token)
        if status != 200 or b"JupyterLab" not in page:
            raise LabError(f"GET /lab/tree/{LESSON} gave {status}, not JupyterLab's page")
        print(f"   GET /lab/tree/{LESSON}: {status}")
        status, body = request(f"{base}/api/contents/{LESSON}", token)
        model = json.loads(body)
        if status != 200 or model.get("type") != "notebook" or not model["content"]["cells"]:
            raise LabError(f"GET /api/contents/{LESSON} gave {status} without the notebook")
        print(f"2. GET /api/contents/{LESSON}: {status}, "
              f"{len(model['content']['cells'])} cells")
        timer = time.monotonic()
        _, body = request(f"{base}/api/sessions", token, "POST",
                          {"path": LESSON, "type": "notebook", "name": "",
                           "kernel": {"name": "python3"}})
        kernel_id = json.loads(body)["kernel"]["id"]
        answer = run_in_kernel(base, token, kernel_id, PROBE)
        if answer != "notebooks data":
            raise LabError(f"the kernel ran in the wrong place: {answer!r} "
                           "(expected working folder notebooks/ and the course's data/)")
        print(f"3. kernel for the lesson: started in notebooks/, imported balkan_course "
              f"({time.monotonic() - timer:.1f} s)")
        timer = time.monotonic()
        request(f"{base}/api/shutdown", token, "POST")
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired as late:
            raise LabError("JupyterLab did not stop within 20 s of /api/shutdown") from late
        if code != 0:
            raise LabError(f"`make lab` exited with status {code} after a clean shutdown")
        leftover = subprocess.run(["pgrep", "-f", f"kernel-{kernel_id}"], capture_output=True)
        if leftover.returncode == 0:
            raise LabError("a kernel process outlived the server")
        print(f"4. stopped cleanly: `make lab` exited 0 after {time.monotonic() - timer:.1f} s")
    except LabError:
        print(process.stdout.read()[-2000:] if process.poll() is not None else "")
        raise
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        check_lab(args.port or free_port())
    except LabError as problem:
        print(f"`make lab` BROKEN: {problem}")
        return 1
    print(f"`make lab` works ({time.monotonic() - started:.1f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
