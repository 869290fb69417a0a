"""Start one grading kernel: an ordinary ipykernel behind limits a student's code cannot lift.

    python -m balkan_course.grading.kernel --memory-mb 2000 [--uid N] [--preload] -f CONNECTION

- memory: RLIMIT_DATA (heap and private memory), not RLIMIT_AS: the V8 engine inside vl-convert
  reserves tens of GB of address space for charts and crashes under an address-space limit;
- files written by the kernel are capped (RLIMIT_FSIZE), and core dumps are off;
- with --uid (the grader runs as root, e.g. in a container), the kernel drops to that numeric
  user, a different one for each submission: it can then neither read the instructor's files
  nor touch another submission's files or processes, and RLIMIT_NPROC stops a fork bomb;
- with --preload, the course's usual imports and the first chart's start-up costs are paid
  before the kernel reports ready, so a kernel started ahead of time (see
  runner.KernelPool) saves each notebook ~4 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys

# Started as a script (see runner.KernelPool): the grader's own folder must not be the first
# place a student's `import checks` or `import answers` looks.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

# jsonschema (under nbformat and Altair) builds an RFC 3987 grammar on import (~0.9 s) when
# rfc3987-syntax is installed; it is only used to check "iri" formats, which grading never needs.
sys.modules.setdefault("rfc3987_syntax", None)

PRELOAD = ("pandas", "altair", "ipywidgets", "balkan_course.grading.checks", "balkan_course.charts",
           "balkan_course.data")


def warm_up_charts(bundle_cache: str | None) -> None:
    """Pay the first chart's costs now: the offline chart widget's JavaScript bundle (built
    once, then read from the cache file) and the start of vl-convert's JavaScript engine."""
    from pathlib import Path

    import vl_convert

    from balkan_course.charts import enable_offline_chart_widget

    enable_offline_chart_widget(Path(bundle_cache) if bundle_cache else None)
    if os.environ.get("BALKAN_COURSE_CHARTS_AS_TEXT"):  # charts.TEXT_ONLY_ENV: never drawn
        return
    vl_convert.vegalite_to_png({"mark": "point", "data": {"values": [{"a": 1}]},
                                "encoding": {"x": {"field": "a", "type": "quantitative"}}})


def set_limits(memory_mb: int, file_mb: int) -> None:
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 2**20, file_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid: int, connection_file: str, home: str) -> None:
    """Become an unprivileged user of our own (root only); keep the connection file readable."""
    os.makedirs(home, mode=0o700, exist_ok=True)
    os.chown(home, uid, uid)
    os.chown(connection_file, uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))
    os.environ.update(HOME=home, IPYTHONDIR=os.path.join(home, ".ipython"), USER=str(uid))


_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 2, 4, 8


def _mount_tmpfs(path: str, options: str) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"tmpfs", path.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV,
                  options.encode()) != 0:
        raise OSError(ctypes.get_errno(), f"cannot mount a tmpfs on {path}")


def _drop_capabilities() -> None:
    """No capability left (so the mounts below cannot be undone) and none to be gained."""
    import ctypes
    import struct

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    for capability in range(64):
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP (fails quietly past the last)
    header = ctypes.create_string_buffer(struct.pack("Ii", 0x20080522, 0))
    data = ctypes.create_string_buffer(bytes(24))  # effective, permitted, inheritable: none
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "cannot drop capabilities")


def enter_sandbox(connection_file: str, hide: list[str], memory_mb: int) -> str:
    """(In the fresh mount and PID namespaces `unshare` made.) Hide the grader's folders, give
    the kernel its own small /tmp and /dev/shm, drop every capability; returns the connection
    file's new place (its folder is hidden too)."""
    connection = open(connection_file, encoding="utf-8").read()
    for path in hide:
        if os.path.isdir(path):
            _mount_tmpfs(path, "size=64k,mode=000")
    _mount_tmpfs("/tmp", f"size={min(memory_mb, 512)}m,mode=1777")
    if os.path.isdir("/dev/shm"):
        _mount_tmpfs("/dev/shm", "size=16m,mode=1777")
    os.makedirs("/tmp/.kernel", mode=0o700)
    os.makedirs("/tmp/work", mode=0o700)
    moved = "/tmp/.kernel/connection.json"
    with open(moved, "w", encoding="utf-8") as handle:
        handle.write(connection)
    os.chdir("/tmp/work")
    os.environ.update(HOME="/tmp/work", IPYTHONDIR="/tmp/.kernel/ipython")
    _drop_capabilities()
    return moved


def die_with_parent() -> None:
    """The kernel ends when its grading worker ends (even killed): no kernel outlives a run."""
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--memory-mb", type=int, default=2000)
    parser.add_argument("--file-mb", type=int, default=100)
    parser.add_argument("--uid", type=int, default=None)
    parser.add_argument("--home", default=None)
    parser.add_argument("--preload", action="store_true")
    parser.add_argument("--chart-bundle-cache", default=None)
    parser.add_argument("--folder", default=None, help="the kernel's working folder")
    parser.add_argument("--hide", action="append", default=None,
                        help="(in a sandbox) a folder the kernel must not see")
    args = parser.parse_args(argv)

    die_with_parent()
    bundle = None
    if args.preload and args.chart_bundle_cache and os.path.exists(args.chart_bundle_cache):
        bundle = open(args.chart_bundle_cache, encoding="utf-8").read()  # before it is hidden
    if args.hide is not None:
        args.connection_file = enter_sandbox(args.connection_file, args.hide, args.memory_mb)
        if args.chart_bundle_cache:  # its folder is hidden now: a private copy (or build)
            args.chart_bundle_cache = "/tmp/.kernel/chart-widget-bundle.js"
            if bundle is not None:
                with open(args.chart_bundle_cache, "w", encoding="utf-8") as handle:
                    handle.write(bundle)
    elif args.folder:
        os.chdir(args.folder)
    if args.uid is not None:
        drop_privileges(args.uid, args.connection_file, args.home or args.folder)
        die_with_parent()  # (a change of user clears it)
    set_limits(args.memory_mb, args.file_mb)
    if args.preload:
        import importlib

        for module in PRELOAD:
            importlib.import_module(module)
        warm_up_charts(args.chart_bundle_cache)

    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [sys.argv[0]]
    app = IPKernelApp.instance()
    app.initialize([
        "-f", args.connection_file,
        "--InteractiveShell.colors=nocolor",  # failure text without ANSI codes
        "--HistoryManager.enabled=False",     # no shared sqlite file between kernels
        "--IPKernelApp.log_level=50",
    ])
    # exit() / quit() end the kernel at once, inside the cell that called them (ipykernel
    # would otherwise go on running a few cells first, and the status would name the wrong one).
    app.shell.ask_exit = lambda: os._exit(0)
    app.start()


if __name__ == "__main__":
    main()
