"""How far a long command has gone, for the teacher who waits: done/total, the item at work
now and the time left.

    with Progress("grade", total=len(jobs)) as progress:
        progress.start("alice/01_sources_and_evidence")   # now at work on it
        ...
        progress.done("alice/01_sources_and_evidence")    # finished

On a terminal the line is a rich progress bar, redrawn in place on stderr. When stderr is not a
terminal (a CI log, a file, a pipe) it is plain text, one line per finished item and, while
nothing finishes, one "still working" line every `heartbeat` seconds: a log shows a live run
from a hung one, and stays readable. stdout is left to the command's own result lines.
BALKAN_PROGRESS=plain or =terminal overrides the choice (=off prints nothing).

Used by grade, release, shards merge, lms_import, scripts/export_html.py (make html) and
scripts/check_binder_route.py (make test-binder). Thread-safe: grade's worker threads call it.
"""

from __future__ import annotations

import os
import sys
import threading
import time

MODE_ENV = "BALKAN_PROGRESS"
HEARTBEAT_SECONDS = 20.0


def duration(seconds: float) -> str:
    """'45 s', '3 min 05 s', '1 h 02 min': short enough for one line."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """One long step of a command; see the module's docstring."""

    def __init__(self, label: str, total: int, *, stream=None,
                 heartbeat: float = HEARTBEAT_SECONDS, every: float = 0.0,
                 mode: str | None = None):
        """`every`: (plain mode) at most one line per finished item every `every` seconds, the
        last item's always: for many quick items (an archive's entries)."""
        self.label, self.total = label, max(0, int(total))
        self.stream = stream if stream is not None else sys.stderr
        self.heartbeat, self.every = heartbeat, every
        self.mode = mode or os.environ.get(MODE_ENV) or (
            "terminal" if _is_terminal(self.stream) else "plain")
        self.count = 0
        self.at_work: list[str] = []
        self._lock = threading.Lock()
        self._started = self._last_line = time.monotonic()
        self._stop = threading.Event()
        self._bar = self._task = self._ticker = None

    # ------------------------------------------------------------ the public side

    def __enter__(self) -> Progress:
        self._started = self._last_line = time.monotonic()
        if self.mode == "terminal":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            console = Console(file=self.stream, force_terminal=True)
            self._bar = RichProgress(
                TextColumn("[bold]{task.fields[label]}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                TimeRemainingColumn(), TextColumn("{task.fields[now]}"),
                console=console, transient=False)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total or None,
                                            label=self.label, now="")
        elif self.mode == "plain":
            self._line(f"{self.label}: {self.total} to do")
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.stop()
        if self.mode == "plain":
            how = "stopped" if kind is not None else "finished"
            self._line(f"{self.label}: {how}, {self.count}/{self.total} done in "
                       f"{duration(time.monotonic() - self._started)}")

    def start(self, item: str) -> None:
        """`item` is at work now (several may be, one per worker)."""
        with self._lock:
            self.at_work.append(item)
            self._show_now()

    def done(self, item: str = "", note: str = "") -> None:
        """One item finished (`note`: a word on how, e.g. "failed")."""
        with self._lock:
            if item in self.at_work:
                self.at_work.remove(item)
            self.count += 1
            if self._bar is not None:
                self._bar.update(self._task, completed=self.count)
                self._show_now()
            elif self.mode == "plain" and (
                    self.count >= self.total
                    or time.monotonic() - self._last_line >= self.every):
                self._line(f"{self.label}: {self.count}/{self.total} done"
                           + (f", last {item}" if item else "") + (f" ({note})" if note else "")
                           + self._left())

    # ------------------------------------------------------------ inside

    def seconds_left(self) -> float | None:
        """From the average time per finished item; None before the first one."""
        if not self.count or not self.total:
            return None
        elapsed = time.monotonic() - self._started
        return elapsed / self.count * max(self.total - self.count, 0)

    def _left(self) -> str:
        left = self.seconds_left()
        if left is None or self.count >= self.total:
            return ""
        return f"; about {duration(left)} left"

    def _now(self) -> str:
        if not self.at_work:
            return ""
        shown = ", ".join(self.at_work[:3])
        return f"now {shown}" + (f" and {len(self.at_work) - 3} more"
                                 if len(self.at_work) > 3 else "")

    def _show_now(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, now=self._now())

    def _line(self, text: str) -> None:
        self._last_line = time.monotonic()
        try:
            print(text, file=self.stream, flush=True)
        except (OSError, ValueError):  # a closed pipe must not stop the command
            pass

    def _tick(self) -> None:
        """(Plain mode.) A line when nothing was said for `heartbeat` seconds."""
        while not self._stop.wait(min(1.0, self.heartbeat)):
            with self._lock:
                quiet = time.monotonic() - self._last_line
                if quiet >= self.heartbeat:
                    now = self._now()
                    self._line(f"{self.label}: still working, {self.count}/{self.total} done"
                               + (f"; {now}" if now else "") + self._left())


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
