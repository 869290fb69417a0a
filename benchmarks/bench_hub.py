"""How many students one machine serves: N students' servers on a real JupyterHub, at once.

Usage: .venv/bin/python benchmarks/bench_hub.py [--students 1 2 4 8] [--max-students 8]
       (make bench-hub; needs the packages of requirements-hub.txt and configurable-http-proxy)

The hub is the teacher's guide's (scripts/check_hub.py starts it, on 127.0.0.1). For each class
size N, through the hub's REST API with an admin token: N users, each with the course cloned in
their home as nbgitpuller clones it, get their servers started at once; then every student
runs lesson 04 and exercise set 04 cell by cell at the same moment, through their own server's
kernel API (as JupyterLab's "Run All" does, without a browser). Printed per N: the servers'
start time, memory per student (proportional set size of the server and its kernels, shared
pages counted once, and resident set size), the CPU seconds each student's run cost (which
other jobs on the machine do not change), time to first output, the slowest cell, and
whether every cell finished within 10 s. The largest N that keeps every cell under 10 s is
the figure for the teacher's guide. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import check_hub  # noqa: E402 (the guide's hub, started as the test starts it)

NOTEBOOKS = ("notebooks/04_peacekeeping_forces.ipynb", "exercises/04_peacekeeping_forces.ipynb")
CELL_TARGET = 10.0  # seconds


def code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"]
            if c["cell_type"] == "code" and "".join(c["source"]).strip()]


async def api(hub: check_hub.Hub, method: str, path: str, body=None, token: str | None = None,
              base: str | None = None):
    client = AsyncHTTPClient()
    response = await client.fetch(HTTPRequest(
        f"{base or hub.url + '/hub/api'}{path}", method=method,
        body=json.dumps(body) if body is not None else (None if method == "GET" else ""),
        headers={"Authorization": f"token {token or hub.api_token}"},
        allow_nonstandard_methods=True, request_timeout=300))
    return json.loads(response.body) if response.body else None


async def start_servers(hub, names: list[str]) -> float:
    started = time.monotonic()
    await asyncio.gather(*(api(hub, "POST", f"/users/{n}/server") for n in names))
    while True:
        users = await asyncio.gather(*(api(hub, "GET", f"/users/{n}") for n in names))
        if all(u["servers"].get("", {}).get("ready") for u in users):
            return time.monotonic() - started
        await asyncio.sleep(0.5)


async def run_cells(hub, name: str, token: str, notebook: str, cells: list[str]) -> dict:
    """Open a session on the notebook (its kernel starts in the notebook's folder) and run its
    code cells one after the other; the seconds to the first output and per cell."""
    base = f"{hub.url}/user/{name}/api"
    path = f"notebooks/{notebook}"
    started = time.monotonic()
    session = await api(hub, "POST", "/sessions", {"path": path, "type": "notebook",
                                                   "name": Path(path).name,
                                                   "kernel": {"name": "python3"}},
                        token=token, base=base)
    kernel = session["kernel"]["id"]
    socket = await websocket_connect(HTTPRequest(
        base.replace("http", "ws", 1) + f"/kernels/{kernel}/channels",
        headers={"Authorization": f"token {token}"}))
    first_output, seconds = None, []
    for code in cells:
        msg_id = uuid.uuid4().hex
        await socket.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": name, "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": datetime.datetime.now(datetime.UTC).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}}))
        cell_started = time.monotonic()
        while True:
            message = json.loads(await socket.read_message())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if first_output is None and kind in ("stream", "display_data", "execute_result",
                                                 "error"):
                first_output = time.monotonic() - started
            if kind == "status" and message["content"]["execution_state"] == "idle":
                break
        seconds.append(time.monotonic() - cell_started)
    socket.close()
    return {"first_output": first_output or 0.0, "cells": seconds,
            "total": time.monotonic() - started}


def server_pid(name: str) -> int | None:
    """The student's server process, by the user name the hub gives it in its environment."""
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "jupyterhub-singleuser" in " ".join(process.info["cmdline"] or []) and \
                    process.environ().get("JUPYTERHUB_USER") == name:
                return process.pid
        except psutil.Error:
            continue
    return None


def server_cpu(pid: int) -> float:
    """CPU seconds (user and system) of a student's server and its kernels so far."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def server_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) bytes of a student's server and every process under it (its kernels)."""
    pss = rss = 0
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            try:
                info = process.memory_full_info()
                pss, rss = pss + info.pss, rss + info.rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return pss, rss


async def one_class(hub, folder: Path, bare: Path, size: int) -> dict:
    names = [f"student{n:02d}" for n in range(1, size + 1)]
    await api(hub, "POST", "/users", {"usernames": names})
    for name in names:  # the course in each home, as nbgitpuller's first pull leaves it
        home = folder / "homes" / name
        if not (home / "notebooks").exists():
            home.mkdir(parents=True, exist_ok=True)
            check_hub.git("clone", "--quiet", "--depth", "1", "--branch", "main",
                          bare.as_uri(), str(home / "notebooks"))
    spawn_seconds = await start_servers(hub, names)
    tokens = {}
    for name in names:
        tokens[name] = (await api(hub, "POST", f"/users/{name}/tokens",
                                  {"note": "bench_hub", "expires_in": 3600}))["token"]
    cells = {nb: code_cells(ROOT / nb) for nb in NOTEBOOKS}

    async def student(name):
        runs = []
        for notebook in NOTEBOOKS:
            runs.append(await run_cells(hub, name, tokens[name], notebook, cells[notebook]))
        return runs

    pids = {}
    for name in names:
        user = await api(hub, "GET", f"/users/{name}")
        pids[name] = (user["servers"][""].get("state") or {}).get("pid") or server_pid(name)
    cpu_before = {name: server_cpu(pid) for name, pid in pids.items() if pid}
    started = time.monotonic()
    runs = await asyncio.gather(*(student(n) for n in names))
    wall = time.monotonic() - started
    memory = [server_memory(pid) if pid else (0, 0) for pid in pids.values()]
    cpu = [server_cpu(pids[name]) - before for name, before in cpu_before.items()]
    await asyncio.gather(*(api(hub, "DELETE", f"/users/{n}/server") for n in names))
    await asyncio.sleep(2)
    slowest = max(max(r["cells"]) for student_runs in runs for r in student_runs)
    return {"students": size, "spawn": spawn_seconds, "wall": wall,
            "pss_mb": sum(p for p, _ in memory) / size / 2**20,
            "rss_mb": sum(r for _, r in memory) / size / 2**20,
            "cpu": sum(cpu) / max(len(cpu), 1),
            "first_output": max(student_runs[0]["first_output"] for student_runs in runs),
            "slowest_cell": slowest, "within_target": slowest <= CELL_TARGET}


def size_before(sizes: list[int], size: int) -> int:
    smaller = [s for s in sizes if s < size]
    return max(smaller) if smaller else 0


async def bench(sizes: list[int]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="balkan-bench-hub-"))
    bare = check_hub.make_course_repository(folder)
    hub = check_hub.start_hub(folder)
    print(f"hub up in {hub.start_seconds:.1f} s; {psutil.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GB, {platform.platform()}; "
          f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    print(f"{'N':>3} {'spawn s':>8} {'PSS MB/student':>15} {'RSS MB/student':>15} "
          f"{'CPU s/student':>14} "
          f"{'1st output s':>13} {'slowest cell s':>15} {'all cells <=10 s':>17}", flush=True)
    largest = 0
    try:
        for size in sizes:
            row = await one_class(hub, folder, bare, size)
            print(f"{row['students']:>3} {row['spawn']:>8.1f} {row['pss_mb']:>15.0f} "
                  f"{row['rss_mb']:>15.0f} {row['cpu']:>14.1f} {row['first_output']:>13.1f} "
                  f"{row['slowest_cell']:>15.1f} {'yes' if row['within_target'] else 'no':>17}"
                  f"   (load {os.getloadavg()[0]:.2f})", flush=True)
            if row["within_target"] and largest == size_before(sizes, size):
                largest = size  # every smaller class tried was within the target too
    finally:
        hub.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"largest class with every cell within {CELL_TARGET:.0f} s: {largest} students "
          f"({datetime.date.today().isoformat()})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=None,
                        help="class sizes to try, in order (default 1 2 4 6 8 ... up to "
                             "--max-students)")
    parser.add_argument("--max-students", type=int, default=8,
                        help="the largest class tried with the default sizes (default 8)")
    args = parser.parse_args(argv)
    sizes = args.students or sorted({1, 2, *range(4, args.max_students + 1, 2)})
    asyncio.run(bench(sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
