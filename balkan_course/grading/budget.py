"""Bounds on judging: how large an answer may be, and how long judging it may take.

The same bounds hold in the grader (runner.judge_part: decoding, the check's expression and the
judging share one budget) and in the self-check (`check` in the student's kernel): both go
through judge.judge, which opens a budget unless one is open already. Past a bound, the check
fails with a message saying the answer is too large or too slow to judge.
"""

from __future__ import annotations

import contextlib
import contextvars
import time

# The largest answer the course asks for is 07's chart of the 118 claims with 17 columns
# (about 2,000 values); the largest table a student may hand in by mistake, a whole course
# table or a join of two, holds under 10,000. A value is judged when its canonical form holds
# at most this many values: ten times such a join, fifty times the largest answer.
JUDGE_MAX_VALUES = 100_000
# A chart's data is also rebuilt and read by Altair (about 0.1 ms a row, ten times that for
# rows written inline), so its rows times its columns are capped lower: still ten times the
# largest chart of the course, and more than any whole table of it.
JUDGE_MAX_CHART_VALUES = 20_000
# A right answer is canonicalised and judged in milliseconds, the largest value the caps above
# let through in about a second: 5 s leaves a loaded machine room, and stops anything slower.
JUDGE_MAX_SECONDS = 5.0
TOO_LARGE = "too large or too slow to judge"


class TooLarge(Exception):
    """The answer is past the size or time budget of judging (JUDGE_MAX_*)."""


class _Budget:
    """What judging one value may still spend. The limits are read when a budget opens, so a
    test can change them."""

    def __init__(self):
        self.values = JUDGE_MAX_VALUES
        self.chart_values = JUDGE_MAX_CHART_VALUES
        self.seconds = JUDGE_MAX_SECONDS
        self.deadline = time.monotonic() + JUDGE_MAX_SECONDS


_budget: contextvars.ContextVar = contextvars.ContextVar("balkan_course_judging", default=None)


@contextlib.contextmanager
def judging_budget():
    """One size and time budget for judging one value; a budget already open is shared (the
    grader opens one around decoding, the check's expression and `judge`)."""
    if _budget.get() is not None:
        yield _budget.get()
        return
    token = _budget.set(_Budget())
    try:
        yield _budget.get()
    finally:
        _budget.reset(token)


def check_size(values: int, chart: bool = False) -> None:
    """Raise TooLarge when a value of this many values may not be judged (inside a budget)."""
    budget = _budget.get()
    if budget is None:
        return
    limit = budget.chart_values if chart else budget.values
    if values > limit:
        what = "a chart's data of" if chart else "an answer of"
        raise TooLarge(f"{what} {values:,} values; the check reads at most {limit:,}")
    check_time()


def check_time() -> None:
    """Raise TooLarge once the open budget's time is spent."""
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise TooLarge(f"judging it took more than {budget.seconds:g} s")


def _ticking(items, every: int = 256):
    """The items, with the budget's clock looked at every `every` of them."""
    for number, item in enumerate(items):
        if number % every == 0:
            check_time()
        yield item


def too_large_message(check_id: str, problem) -> str:
    return f"❌ {check_id}: not graded: your answer is {TOO_LARGE} ({problem})"
