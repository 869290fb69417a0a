"""The sandbox around the grading kernels, and the proof that they changed nothing.

Each worker runs in user, PID, mount, IPC and network namespaces (`unshare`), and each kernel
in namespaces of its own inside them (docs/grading.md, "The sandbox"). A network namespace does
not cover the unix sockets in the file system, so the ones a kernel could see are listed
(list_host_sockets) for the worker to cover. After every batch, course_digest proves that no
kernel wrote the course's code, keys or solutions.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from balkan_course.grading.instructor import ROOT, GradingSetupError


def sandbox_available() -> bool:
    """Can this machine build the whole sandbox: user, PID, mount, IPC and network namespaces
    for each worker, and inside them each kernel's read-only root (kernel.py --probe)?"""
    if shutil.which("unshare") is None:
        return False
    kernel_script = str(Path(__file__).with_name("kernel.py"))
    try:
        return subprocess.run(
            ["unshare", *SANDBOX_FLAGS, *KERNEL_SANDBOX_FLAGS, sys.executable, kernel_script,
             "--probe", "-f", "-"], capture_output=True, timeout=30, cwd="/",
            env=dict(os.environ, PYTHONPATH=str(ROOT))).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


SANDBOX_FLAGS = ["--user", "--map-root-user", "--net", "--mount", "--pid", "--ipc", "--fork",
                 "--kill-child", "--mount-proc"]
# Each kernel, inside its worker's namespaces: namespaces of its own (runner.KernelPool).
KERNEL_SANDBOX_FLAGS = ["unshare", "--mount", "--pid", "--ipc", "--fork", "--kill-child",
                        "--mount-proc"]


def list_host_sockets() -> list[str]:
    """The paths of the unix sockets bound on this machine (its network namespace): a session
    bus, a Docker socket... A network namespace does not cover sockets in the file system, so
    the sandbox covers each one that lies in a folder a kernel can see."""
    try:
        lines = Path("/proc/net/unix").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    paths = []
    for line in lines.splitlines()[1:]:
        fields = line.split(maxsplit=7)
        if len(fields) == 8 and fields[7].startswith("/"):
            paths.append(fields[7])
    return sorted(set(paths))


def course_digest(folders=None) -> dict[str, str]:
    """sha256 of every file of the grader's own code and keys (and the solutions): a kernel
    cannot write them in the sandbox; this proves it after every batch."""
    folders = folders if folders is not None else [ROOT / "balkan_course"]
    digests = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


class CourseChangedError(RuntimeError):
    """The grader's code, keys or solutions changed during a batch: its grades are not used."""


def check_course_unchanged(before: dict[str, str], folders) -> None:
    after = course_digest(folders)
    changed = sorted(set(before) ^ set(after) | {p for p in before
                                                 if p in after and before[p] != after[p]})
    if changed:
        raise CourseChangedError(
            "the course's code, keys or solutions changed while kernels ran (" +
            ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "") + "): this run's "
            "grades were not written; restore the files (git status shows them) and grade "
            "again")


def check_kernel_user_can_start(uid_base: int) -> None:
    """In --kernel-uid-base mode, Python itself must be usable by an unprivileged user."""
    try:
        probe = subprocess.run([sys.executable, "-c", "import balkan_course.grading.checks"],
                               user=uid_base, group=uid_base, extra_groups=[],
                               capture_output=True, text=True, cwd="/",
                               env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)})
        problem = probe.stderr.strip()[-300:] if probe.returncode else ""
    except OSError as error:
        problem = str(error)
    if problem:
        raise GradingSetupError(
            f"a kernel cannot run as uid {uid_base}: {sys.executable} or the course files are "
            f"not readable by other users (e.g. installed under /root): {problem}")
