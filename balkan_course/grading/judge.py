"""Judging: is an answer right, and if not, which one-line message says why.

`judge(check_id, answer, key)` is called by the self-check in a student's kernel (checks.check)
and by the grader on the value it carried out of a submission's kernel (runner.judge_part). It
never raises, and it stays within the judging budget (budget.py).
"""

from __future__ import annotations

from balkan_course.grading.budget import TooLarge, judging_budget, too_large_message
from balkan_course.grading.canonical import (
    INDEX,
    _chart_fingerprint,
    _receipt_canon,
    _Unreadable,
    canonical,
    coerce,
    kind_of,
)
from balkan_course.grading.hints import _chart_problem, _order_hint, _structural_hint
from balkan_course.grading.keys import _key_hash, _success_line

NOT_ANSWERED = "not answered yet: replace the `...` with your answer, then run this cell again"


def judge(check_id: str, answer, key: dict) -> tuple[bool, str]:
    """(passed, one-line message) for an answer; never raises. Bounded: past the budget of
    JUDGE_MAX_VALUES, JUDGE_MAX_CHART_VALUES or JUDGE_MAX_SECONDS, the message says the answer
    is too large or too slow to judge (and the check fails)."""
    if answer is Ellipsis or _only_stubs(answer):
        return False, f"❌ {check_id}: {NOT_ANSWERED}"
    with judging_budget():
        try:
            return _judge(check_id, answer, key)
        except TooLarge as problem:
            return False, too_large_message(check_id, problem)
        except RecursionError:
            return False, too_large_message(check_id, "nested too deeply")


def _only_stubs(answer) -> bool:
    """A list or tuple of nothing but `...`: the results of a function whose stub body is still
    `return ...` (the primer's p4 checks a function by its results)."""
    return (type(answer) in (list, tuple) and len(answer) > 0
            and all(item is Ellipsis for item in answer))


def _judge(check_id: str, answer, key: dict) -> tuple[bool, str]:
    facts = key.get("facts", {})
    options = key.get("options", {})
    try:
        answer = coerce(answer, facts.get("kind"))
        canon = canonical(answer, options)
    except TooLarge:
        raise
    except _Unreadable as problem:
        return False, f"❌ {check_id}: not yet: the check cannot compare {problem}"
    except Exception as problem:  # a student's object can fail in any way
        return False, (f"❌ {check_id}: not yet: the check could not read your answer "
                       f"({type(problem).__name__}: {str(problem)[:120]})")
    if canon["kind"] == "chart" and "chart" in facts:
        return _judge_chart(check_id, canon, key)
    answer_hash = _key_hash(check_id, _receipt_canon(canon))
    if answer_hash != key["hash"]:
        labelled = _labelled(answer, facts)
        if labelled is not None:
            relabelled = canonical(labelled, options)
            if _key_hash(check_id, _receipt_canon(relabelled)) == key["hash"]:
                canon, answer_hash = relabelled, key["hash"]
    if answer_hash == key["hash"]:
        if canon.get("order"):
            return False, f"❌ {check_id}: not yet: {_order_hint(canon['order'], key)}"
        return True, _success_line(check_id, _receipt_canon(canon))
    for probe in key.get("probes", []):
        if probe["hash"] == answer_hash:
            return False, f"❌ {check_id}: not yet: {probe['hint']}"
    return False, f"❌ {check_id}: not yet: {_structural_hint(check_id, canon, key)}"


def _labelled(answer, facts: dict):
    """An answer whose unnamed index holds labels (not a plain row numbering), with that index
    named as the key's labels are: `pd.Series(counts_dict)` or a table whose index was
    renamed away hold the same labels as value_counts() or groupby(), and are judged as such.
    None when there is nothing to name."""
    kind = kind_of(answer)
    index = getattr(answer, "index", None)
    if kind not in ("table", "series") or index.nlevels != 1 or index.name is not None:
        return None
    if type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1:
        return None
    expected = facts.get("columns") or []
    if kind == "series":
        name = INDEX if INDEX in expected else None
    else:
        present = {str(column) for column in answer.columns}
        name = expected[0] if expected and expected[0] not in present else None
    return None if name is None else answer.rename_axis(name)


def _judge_chart(check_id: str, canon: dict, key: dict) -> tuple[bool, str]:
    problem = _chart_problem(check_id, canon, key)
    if problem is None:
        return True, _success_line(check_id, {"chart": key["hash"]})
    fingerprint = _key_hash(check_id, _chart_fingerprint(canon))
    for probe in key.get("probes", []):
        if probe["hash"] == fingerprint:
            return False, f"❌ {check_id}: not yet: {probe['hint']}"
    return False, f"❌ {check_id}: not yet: {problem}"
