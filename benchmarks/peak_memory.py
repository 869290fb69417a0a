"""Peak resident memory of a process and all its descendants, sampled in a background thread.

Shared by the benchmark scripts (run them as scripts: `python benchmarks/bench_*.py`).
"""

from __future__ import annotations

import threading

import psutil


class PeakMemory:
    """`with PeakMemory(pid) as memory: ...` then `memory.peak` (bytes).

    The pid may also be set later (`memory.pid = ...`), once the process exists.
    """

    def __init__(self, pid: int | None = None, interval_s: float = 0.02) -> None:
        self.pid = pid
        self.peak = 0
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _tree_rss(self) -> int:
        total = 0
        try:
            root = psutil.Process(self.pid)
            members = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        for member in members:
            try:
                total += member.memory_info().rss
            except psutil.Error:  # a process that ended between listing and reading
                pass
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            if self.pid is not None:
                self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self._interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
