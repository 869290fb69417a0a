"""Judging one value has a size and time budget (issue 19, item A).

A reply is only a claim of a value, and a forger chooses it: a set of 100,000 numbers sharing
one hash, a chart spec of 14,000 rows each with a column of its own, a list nested thousands
deep. Each once held a grading worker for minutes (quadratic in its size). Now each is judged
within seconds, its check says "too large or too slow to judge" (0 points for that check),
and the next check is judged as usual. The largest answers the course asks for are judged
right, far below the limits. The same bounds hold in the self-check (`check` in the kernel).

Most tests feed forged replies to the grader's judge (runner.judge_part) through a stand-in
kernel that answers every request with them, as a student's input transformer can; one test
grades a forging student with the real pipeline (grade.grade).
"""

from __future__ import annotations

import json
import re
import time

import altair as alt
import hostile_submissions as hostile
import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.grading import answers, budget, canonical, checks, runner
from balkan_course.grading import grade as grading
from balkan_course.grading import keys as key_files

CEILING_SECONDS = 10  # generous: the bounded cases take well under a second
MERSENNE = 2**61 - 1  # hash(n * MERSENNE) == 0 for every n: all collide


class ForgingKernel:
    """Answers every value request with the given encoded values (what a student's input
    transformer can do in a real kernel)."""

    limits = runner.Limits()

    def __init__(self, values: dict):
        self.values = values  # name -> encoded value, or its JSON text (too deep to dump)

    def run(self, code, silent=False, timeout=None):
        nonce = re.search(r"'NONCE': '([0-9a-f]+)'", code).group(1)
        names = re.findall(r"'([A-Za-z_]\w*)'", re.search(r"'NAMES': (\[.*?\])", code).group(1))
        texts = [f'"{name}": {{"ok": {self._text(self.values[name])}}}' for name in names]
        reply = f'{{"nonce": "{nonce}", "values": {{{", ".join(texts)}}}}}'
        return runner.Outcome(displays=[{answers.MIME: reply}])

    @staticmethod
    def _text(value) -> str:
        return value if isinstance(value, str) else json.dumps(value)


def colliding_set(n: int) -> dict:
    return {"t": "set", "v": [{"t": "int", "v": str(i * MERSENNE)} for i in range(n)]}


def giant_chart(rows: int) -> dict:
    """A chart spec whose every row has a column of its own: rows x columns = rows**2."""
    return {"t": "chart", "spec": {
        "mark": "bar", "encoding": {"x": {"field": "c0", "type": "quantitative"}},
        "data": {"values": [{f"c{i}": i} for i in range(rows)]}}}


def deep_list(depth: int) -> dict:
    node = {"t": "int", "v": "1"}
    for _ in range(depth):
        node = {"t": "list", "v": [node]}
    return node


def deep_list_text(depth: int) -> str:
    """A list nested `depth` deep as JSON text (json.dumps itself refuses such depths)."""
    return '{"t": "list", "v": [' * depth + '{"t": "int", "v": "1"}' + "]}" * depth


def part(check_id: str, name: str) -> dict:
    return {"check_id": check_id, "names": [name], "expression": name}


@pytest.fixture(scope="module")
def keys() -> dict:
    claims = load_table("claims")
    return {
        "t-number": checks.make_key("t-number", 18900),
        "t-set": checks.make_key("t-set", {"kfor", "eufor_althea"}),
        "t-chart": checks.make_key("t-chart", alt.Chart(claims).mark_bar().encode(
            x="count():Q", y="theme:N")),
        "t-list": checks.make_key("t-list", [1, 2, 3]),
    }


def judged(keys: dict, check_id: str, value: dict) -> tuple[dict, float]:
    started = time.monotonic()
    result = runner.judge_part(part(check_id, "answer"), ForgingKernel({"answer": value}), {},
                               keys)
    return result, time.monotonic() - started


@pytest.mark.parametrize(("check_id", "forged"), [
    ("t-set", colliding_set(100_000)),
    ("t-number", colliding_set(100_000)),
    ("t-chart", giant_chart(14_000)),
    ("t-list", deep_list(150)),      # deeper than decode reads
    ("t-list", deep_list_text(5_000)),  # deeper than JSON is parsed
    ("t-list", {"t": "list", "v": [{"t": "none"}] * 300_000}),
])
def test_a_forged_huge_value_is_judged_in_seconds_with_its_status(keys, check_id, forged):
    result, seconds = judged(keys, check_id, forged)
    assert result["passed"] is False
    assert checks.TOO_LARGE in result["message"], result["message"]
    assert result["message"].startswith(f"❌ {check_id}: not graded")
    assert seconds < CEILING_SECONDS


def test_the_next_check_is_judged_as_usual(keys):
    """0 for the check whose value is too large, and the grader moves on."""
    kernel = ForgingKernel({"huge": colliding_set(100_000),
                            "total": answers._encode(18900)})
    first = runner.judge_part(part("t-set", "huge"), kernel, {}, keys)
    second = runner.judge_part(part("t-number", "total"), kernel, {}, keys)
    assert checks.TOO_LARGE in first["message"] and not first["passed"]
    assert second["passed"] is True, second["message"]


def test_the_largest_answers_of_the_course_are_judged_right(keys):
    """A chart of all 118 claims (the largest chart a question asks for draws these rows),
    and a table at the very limit of JUDGE_MAX_VALUES, are judged, right, well within time."""
    claims = load_table("claims")
    chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N").properties(
        description="Bars of the claims per theme.")
    result, seconds = judged(keys, "t-chart", answers._encode(chart))
    assert result["passed"] is True, result["message"]
    assert seconds < CEILING_SECONDS / 2
    width = 10  # and the index: each row holds width + 1 values
    table = pd.DataFrame({f"c{i}": range(checks.JUDGE_MAX_VALUES // (width + 1))
                          for i in range(width)})
    table_keys = {"t-table": checks.make_key("t-table", table)}
    result, seconds = judged(table_keys, "t-table", answers._encode(table))
    assert result["passed"] is True, result["message"]
    assert seconds < CEILING_SECONDS


def test_the_course_keeps_well_within_the_limits():
    """Every key's answer holds far fewer values than the limits (the margin is the point)."""
    largest = chart_largest = 0
    for key in checks.load_keys().values():
        facts = key["facts"]
        if "chart" in facts:
            chart = facts["chart"]
            chart_largest = max(chart_largest, chart["data_rows"] * len(chart["data_columns"]))
        elif facts.get("n_rows"):
            largest = max(largest, facts["n_rows"] * (len(facts.get("columns") or []) + 1))
    assert 0 < largest * 50 <= checks.JUDGE_MAX_VALUES
    assert 0 < chart_largest * 5 <= checks.JUDGE_MAX_CHART_VALUES


# ---------------------------------------------------------------- the self-check


@pytest.fixture
def self_check_keys(monkeypatch, keys):
    monkeypatch.setattr(key_files, "_keys_cache", dict(keys))
    monkeypatch.delenv(checks.RECORD_ENV, raising=False)
    monkeypatch.delenv(checks.SELFTEST_ENV, raising=False)
    return keys


def test_the_self_check_has_the_same_bounds(self_check_keys, capsys):
    """`check` in the student's kernel goes through the same bounded judge."""
    chart = answers.SpecOnlyChart(giant_chart(14_000)["spec"])
    started = time.monotonic()
    checks.check("t-chart", chart)
    checks.check("t-list", list(range(checks.JUDGE_MAX_VALUES + 1)))
    checks.check("t-number", 18900)
    assert time.monotonic() - started < CEILING_SECONDS
    lines = capsys.readouterr().out.splitlines()
    assert checks.TOO_LARGE in lines[0] and checks.TOO_LARGE in lines[1], lines
    assert lines[2].startswith("✅ t-number"), lines


def test_a_list_that_never_ends_stops_at_the_time_budget(self_check_keys, monkeypatch):
    """A student's own object can lie about its size (in their kernel): the clock stops it."""
    monkeypatch.setattr(budget, "JUDGE_MAX_SECONDS", 0.5)

    class Endless(list):
        def __iter__(self):
            while True:
                yield 1

    started = time.monotonic()
    passed, message = checks.judge("t-list", Endless(), self_check_keys["t-list"])
    assert not passed and checks.TOO_LARGE in message and "0.5 s" in message
    assert time.monotonic() - started < CEILING_SECONDS


# ---------------------------------------------------------------- what holds (mutations)


def test_without_the_hash_table_cap_a_colliding_set_is_built_slowly(keys, monkeypatch):
    """The cap on hashed items is what refuses the colliding set: lifted, the same kind of
    set is rebuilt (every insertion compares with all the others) and judged as a value."""
    monkeypatch.setattr(answers, "MAX_HASHED", 10**9)
    result, _ = judged(keys, "t-set", colliding_set(6_000))
    assert checks.TOO_LARGE not in result["message"]
    assert "not yet" in result["message"]
    monkeypatch.undo()
    result, _ = judged(keys, "t-set", colliding_set(6_000))
    assert checks.TOO_LARGE in result["message"]


def test_without_the_chart_cap_a_sparse_chart_is_canonicalised_in_full(keys, monkeypatch):
    """The cap on a chart's rows x columns is what stops the sparse chart: lifted, its
    canonical form (one value per row and column) is built, and takes far longer."""
    rows = 400  # 160,000 values
    forged = answers.SpecOnlyChart(giant_chart(rows)["spec"])
    started = time.monotonic()
    bounded = checks.judge("t-chart", forged, keys["t-chart"])
    bounded_seconds = time.monotonic() - started
    assert checks.TOO_LARGE in bounded[1]
    monkeypatch.setattr(budget, "JUDGE_MAX_CHART_VALUES", 10**9)
    started = time.monotonic()
    unbounded = checks.judge("t-chart", forged, keys["t-chart"])
    assert checks.TOO_LARGE not in unbounded[1] and "not yet" in unbounded[1]
    assert time.monotonic() - started > bounded_seconds


def test_without_the_depth_limit_decoding_goes_deeper(monkeypatch):
    monkeypatch.setattr(answers, "MAX_DEPTH", 1_000)
    value = answers.decode(deep_list(150))  # decoded, not refused
    for _ in range(150):
        value = value[0]
    assert value == 1
    monkeypatch.undo()
    with pytest.raises(answers.TooLarge, match="nested"):
        answers.decode(deep_list(150))


def test_chart_columns_are_deduplicated_without_hashing():
    """Distinct column names come from sorting: the same whatever the hash of the text."""
    spec = {"data": {"values": [{"b": 1, "a": 2}, {"a": 3}, {"c": None}]}}
    rows, columns = checks.chart_data_columns(spec)
    assert columns == ["a", "b", "c"] and len(rows) == 3
    assert canonical._sorted_distinct(["b", "a", "b", "a"]) == ["a", "b"]


# ---------------------------------------------------------------- the real grader


FORGED_HUGE = hostile.HIJACK.format(forged="""
from balkan_course.grading.answers import _encode
def forged(names, nonce):
    spec = {"mark": "bar", "encoding": {"x": {"field": "c0", "type": "quantitative"}},
            "data": {"values": [{"c%d" % i: i} for i in range(14000)]}}
    huge = {"total": {"t": "set", "v": [{"t": "int", "v": str(i * (2**61 - 1))}
                                        for i in range(100000)]},
            "largest": {"t": "chart", "spec": spec}}
    deep = {"t": "int", "v": "1"}
    for _ in range(150):
        deep = {"t": "list", "v": [deep]}
    huge["ordered"] = deep
    namespace = get_ipython().user_ns
    values = {name: {"ok": huge[name] if name in huge else _encode(namespace[name])}
              for name in names}
    return json.dumps({"nonce": nonce, "values": values})
""")


def test_the_real_grader_gives_the_status_and_moves_on(tmp_path, monkeypatch):
    """A student forges a colliding set, a giant chart and a deep list for three answers and
    answers the fourth honestly: three checks say "too large or too slow to judge", the
    honest part earns its point, and the notebook is judged in seconds."""
    solutions, keys_dir = hostile.make_drill_course(tmp_path / "instructor")
    monkeypatch.setenv(checks.KEYS_DIR_ENV, str(keys_dir))
    monkeypatch.setattr(key_files, "_keys_cache", {})
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    notebook = hostile.completed({"q1-answer": "total = sum(figures)\n" + FORGED_HUGE})
    hostile.write_class(submissions, [hostile.Case("forger", set(), files={
        f"{hostile.NOTEBOOK}.ipynb": notebook})])
    result, = grading.grade(submissions, out, solutions, workers=1, cell_timeout=20,
                            memory_mb=1000, preload=False)
    shown = {check_id: check["shown"] for check_id, check in result["checks"].items()}
    assert checks.TOO_LARGE in shown["00-total"], shown
    assert checks.TOO_LARGE in shown["00-largest"], shown
    assert checks.TOO_LARGE in shown["00-parts"] and "✅ 00-distinct" in shown["00-parts"]
    awarded = {check_id: check["awarded"] for check_id, check in result["checks"].items()}
    assert awarded == {"00-total": 0, "00-largest": 0, "00-parts": 1}, awarded
    assert result["timings"]["checks"] < 3 * CEILING_SECONDS
