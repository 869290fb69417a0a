"""Judging: is an answer right, and if not, which one-line message says why.

`judge(check_id, answer, key)` is called by the self-check in a student's kernel (checks.check)
and by the grader on the value it carried out of a submission's kernel (runner.judge_part). It
never raises, and it stays within the judging budget (budget.py).
"""

from __future__ import annotations

from balkan_course.grading.budget import TooLarge, judging_budget, too_large_message
from balkan_course.grading.canonical import (
    _chart_fingerprint,
    _receipt_canon,
    _Unreadable,
    canonical,
    coerce,
)
from balkan_course.grading.hints import _chart_problem, _order_hint, _structural_hint
from balkan_course.grading.keys import _key_hash, _success_line

NOT_ANSWERED = "not answered yet: replace the `...` with your answer, then run this cell again"


def judge(check_id: str, answer, key: dict) -> tuple[bool, str]:
    """(passed, one-line message) for an answer; never raises. Bounded: past the budget of
    JUDGE_MAX_VALUES, JUDGE_MAX_CHART_VALUES or JUDGE_MAX_SECONDS, the message says the answer
    is too large or too slow to judge (and the check fails)."""
    if answer is Ellipsis:
        return False, f"❌ {check_id}: {NOT_ANSWERED}"
    with judging_budget():
        try:
            return _judge(check_id, answer, key)
        except TooLarge as problem:
            return False, too_large_message(check_id, problem)
        except RecursionError:
            return False, too_large_message(check_id, "nested too deeply")


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
    if answer_hash == key["hash"]:
        if canon.get("order"):
            return False, f"❌ {check_id}: not yet: {_order_hint(canon['order'], key)}"
        return True, _success_line(check_id, _receipt_canon(canon))
    for probe in key.get("probes", []):
        if probe["hash"] == answer_hash:
            return False, f"❌ {check_id}: not yet: {probe['hint']}"
    return False, f"❌ {check_id}: not yet: {_structural_hint(check_id, canon, key)}"


def _judge_chart(check_id: str, canon: dict, key: dict) -> tuple[bool, str]:
    problem = _chart_problem(check_id, canon, key)
    if problem is None:
        return True, _success_line(check_id, {"chart": key["hash"]})
    fingerprint = _key_hash(check_id, _chart_fingerprint(canon))
    for probe in key.get("probes", []):
        if probe["hash"] == fingerprint:
            return False, f"❌ {check_id}: not yet: {probe['hint']}"
    return False, f"❌ {check_id}: not yet: {problem}"
