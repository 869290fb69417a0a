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
  grading_plugin.KernelPool) saves each notebook ~4 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--memory-mb", type=int, default=2000)
    parser.add_argument("--file-mb", type=int, default=100)
    parser.add_argument("--uid", type=int, default=None)
    parser.add_argument("--home", default=None)
    parser.add_argument("--preload", action="store_true")
    parser.add_argument("--chart-bundle-cache", default=None)
    args = parser.parse_args(argv)

    if args.uid is not None:
        drop_privileges(args.uid, args.connection_file, args.home)
    set_limits(args.memory_mb, args.file_mb)
    if args.preload:
        import importlib

        for module in PRELOAD:
            importlib.import_module(module)
        warm_up_charts(args.chart_bundle_cache)

    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [sys.argv[0]]
    IPKernelApp.launch_instance(argv=[
        "-f", args.connection_file,
        "--InteractiveShell.colors=nocolor",  # failure text without ANSI codes
        "--HistoryManager.enabled=False",     # no shared sqlite file between kernels
        "--IPKernelApp.log_level=50",
    ])


if __name__ == "__main__":
    main()
